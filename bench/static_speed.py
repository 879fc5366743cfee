"""Static analyser speed: lines/s of ``analyse`` (one process) against bare ``ast.parse``.

Usage: ``python bench/static_speed.py [CORPUS_DIR]``. Without an argument it builds (once,
deterministically) a corpus of Flask + DynamoDB style modules under ``bench/corpus/`` (git-ignored).
Target: analysis at most 3x bare parsing time, and at least 30k lines/s on one core.
"""

from __future__ import annotations

import ast
import random
import statistics
import sys
import time
from pathlib import Path

from dynaguard.catalogue import CATALOGUE
from dynaguard.static import analyse

CORPUS = Path(__file__).resolve().parent / "corpus"
MODULES = 500

ROUTE = '''
@bp.route("/{name}/<item_id>", methods=["GET", "POST"])
def {name}_handler(item_id):
    """Handle {name}."""
    body = request.get_json(silent=True) or {{}}
    if not isinstance(body, dict):
        return jsonify({{"error": "bad request"}}), 400
    item = {{k: v for k, v in body.items() if k in ALLOWED}}
    item["item_id"] = item_id
    item["updated_at"] = now()
    for key in sorted(item):
        if key.startswith("_"):
            item.pop(key)
    result = helpers_{other}.store_{kind}(item)
    total = sum(len(str(v)) for v in item.values())
    return jsonify({{"ok": True, "total": total, "result": result}}), 201
'''

HELPER = '''
def store_{kind}(record):
    """Write a record of kind {kind}."""
    attempts = 0
    while attempts < 3:
        try:
            TABLE.put_item(Item=record, ConditionExpression="attribute_not_exists(item_id)")
            return {{"stored": record.get("item_id"), "attempts": attempts}}
        except Exception as exc:  # noqa: BLE001
            attempts += 1
            last = str(exc)
    return {{"error": last}}


def summarise_{kind}(rows):
    counts = {{}}
    for row in rows:
        key = row.get("status", "unknown")
        counts[key] = counts.get(key, 0) + 1
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [f"{{name}}: {{count}}" for name, count in ordered]
'''

LOGIC = '''
class Service{n}:
    """Plain business logic, no DynamoDB."""

    def __init__(self, limit={n}):
        self.limit = limit
        self.seen = set()

    def accept(self, value):
        if value in self.seen or len(self.seen) >= self.limit:
            return False
        self.seen.add(value)
        return True

    def score(self, values):
        total = 0
        for index, value in enumerate(values):
            weight = 1 + index % 7
            total += weight * (value if isinstance(value, int) else len(str(value)))
        return {{"total": total, "mean": total / max(1, len(values))}}
'''


def build(root: Path, modules: int = MODULES) -> None:
    rng = random.Random(20240601)
    kinds = ["order", "user", "note", "event", "invoice"]
    for pkg in ("app", "app/helpers"):
        (root / pkg).mkdir(parents=True, exist_ok=True)
        (root / pkg / "__init__.py").write_text("", encoding="utf-8")
    for i in range(modules):
        helper = [
            f'"""Helpers {i}."""\n\nimport boto3\n\nTABLE = boto3.resource("dynamodb").Table("t{i}")\n'
        ]
        helper += [HELPER.format(kind=k) for k in kinds]
        (root / "app" / "helpers" / f"helpers_{i}.py").write_text("".join(helper), encoding="utf-8")
        other = rng.randrange(modules)
        view = [
            f'"""Views {i}."""\n\nimport time\n\nfrom flask import Blueprint, jsonify, request\n\n'
            f"from app.helpers import helpers_{other}\n\n"
            f'bp = Blueprint("b{i}", __name__, url_prefix="/v{i}")\nALLOWED = ("name", "email", "note")\n\n\n'
            "def now():\n    return int(time.time())\n"
        ]
        for j in range(rng.randrange(4, 8)):
            view.append(ROUTE.format(name=f"r{i}_{j}", other=other, kind=rng.choice(kinds)))
        view.append(LOGIC.format(n=i))
        (root / "app" / f"views_{i}.py").write_text("".join(view), encoding="utf-8")


def _parse_all(files: list[Path]) -> float:
    start = time.perf_counter()
    for path in files:
        ast.parse(path.read_text(encoding="utf-8"))
    return time.perf_counter() - start


def measure(root: Path, repeat: int = 5) -> None:
    """Best of ``repeat`` alternating runs of each, so a busy machine does not decide the
    figure; each round's pair is printed too (on a shared host one round can run 40% slower)."""
    files = sorted(root.rglob("*.py"))
    lines = sum(p.read_text(encoding="utf-8").count("\n") for p in files)
    parse_s = analyse_s = float("inf")
    ratios = []
    for round_ in range(1, repeat + 1):
        parsed = _parse_all(files)
        start = time.perf_counter()
        analysis = analyse([root], root=root, rules=list(CATALOGUE), jobs=1)
        analysed = time.perf_counter() - start
        ratios.append(analysed / parsed)
        print(f"round {round_}: parse {parsed:.2f} s, analyse {analysed:.2f} s ({ratios[-1]:.2f}x)")
        parse_s, analyse_s = min(parse_s, parsed), min(analyse_s, analysed)
    print(f"files: {len(files)}  lines: {lines}  findings: {len(analysis.findings)}")
    print(f"ast.parse: {parse_s:.2f} s  {lines / parse_s:,.0f} lines/s")
    print(f"analyse:   {analyse_s:.2f} s  {lines / analyse_s:,.0f} lines/s (jobs=1)")
    print(f"ratio:     {analyse_s / parse_s:.2f}x bare parsing (best of each)")
    print(f"           {statistics.median(ratios):.2f}x (median of the rounds' own ratios)")


def main() -> None:
    if len(sys.argv) > 1:
        root = Path(sys.argv[1])
    else:
        root = CORPUS
        if not (root / "app").is_dir():
            build(root)
    measure(root)


if __name__ == "__main__":
    main()
