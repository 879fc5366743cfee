"""The hostile-input campaign of issue 18: every class, tried / failed each.

Usage::

    python bench/hostile.py                       # every class at its default count
    python bench/hostile.py --only config,static  # some classes
    python bench/hostile.py --scale 0.1           # a tenth of each count (a quick look)

Each class is a module of ``bench/hostile/`` with ``campaign(count) -> (tried, failed,
failures)``; its generators live with the tests (``tests/hostile/``). The counts below are the
issue's minimums or more. Exit status 1 when any case failed.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent / "hostile"

Campaign = Callable[[int], tuple[int, int, list[str]]]

CLASSES: dict[str, tuple[str, int]] = {
    "static": ("source trees for dynaguard code", 2000),
    "config": ("configuration files and command lines", 600),
    "specs": ("OpenAPI / Swagger specs, read-only and active", 160),
    "servers": ("slow, huge and misbehaving servers", 20),
    "secrets": ("credentials echoed back by a server, in six formats", 20),
    "interrupt": ("SIGINT / SIGTERM during an active scan", 40),
}
"""Class -> (what it tries, default count)."""


def _load(name: str) -> ModuleType | None:
    """``bench/hostile/<name>.py`` by path: ``secrets.py`` must not shadow the stdlib module."""
    path = HERE / f"{name}.py"
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location(f"hostile_{name}", path)
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated classes (default: all)")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every count")
    args = parser.parse_args(argv)
    chosen = [c.strip() for c in args.only.split(",") if c.strip()] or list(CLASSES)
    unknown = sorted(set(chosen) - set(CLASSES))
    if unknown:
        parser.error(f"unknown class {', '.join(unknown)}; known: {', '.join(CLASSES)}")
    rows: list[tuple[str, str, int, int, float]] = []
    failures: list[str] = []
    for name in chosen:
        what, count = CLASSES[name]
        module = _load(name)
        campaign: Campaign | None = getattr(module, "campaign", None) if module else None
        if campaign is None:
            rows.append((name, f"{what} (no campaign in bench/hostile/)", 0, 0, 0.0))
            continue
        started = time.monotonic()
        tried, failed, found = campaign(max(1, round(count * args.scale)))
        rows.append((name, what, tried, failed, time.monotonic() - started))
        failures += [f"{name}: {line}" for line in found]
    for line in failures:
        print(f"  {line}")
    print(f"{'class':<10} {'tried':>6} {'failed':>6} {'seconds':>8}  what")
    for name, what, tried, failed, seconds in rows:
        print(f"{name:<10} {tried:>6} {failed:>6} {seconds:>8.0f}  {what}")
    total_tried = sum(r[2] for r in rows)
    total_failed = sum(r[3] for r in rows)
    print(f"{'all':<10} {total_tried:>6} {total_failed:>6}")
    missing = [r[0] for r in rows if r[2] == 0]
    return 1 if total_failed or missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
