"""How much work one function's analysis may take before it is given up."""

from __future__ import annotations

MAX_STATEMENTS = 50_000
"""A function's analysis budget, in statements run. Loops run their body twice, so nested ones
multiply: a generated or hostile body (loops nested twenty deep) would run for hours. Past it
the function is given up with a warning, and the scan goes on."""


class OverBudget(Exception):
    """The function being analysed ran past ``limit`` statements (``MAX_STATEMENTS``)."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit
