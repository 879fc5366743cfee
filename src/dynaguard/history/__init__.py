"""History and gates: baselines of accepted findings (imports only ``dynaguard.model``)."""

from __future__ import annotations

from dynaguard.history.baseline import (
    BaselineError,
    apply_baseline,
    dump_baseline,
    parse_baseline,
)

__all__ = ["BaselineError", "apply_baseline", "dump_baseline", "parse_baseline"]
