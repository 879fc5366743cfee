"""Static analyser speed: start-up, whole scans against bare ``ast.parse``, ``--jobs``, memory.

Usage::

    python bench/static_speed.py                 # the built corpus, then the real one if present
    python bench/static_speed.py --real          # fetch the real corpus first (pip download)
    python bench/static_speed.py PATH            # any other tree

Two corpora. ``bench/corpus/`` is built once, deterministically: 1,002 Flask + DynamoDB style
modules (git-ignored). ``bench/realcorpus/`` holds the ``.py`` files of three public Flask wheels
from PyPI (apache-superset 6.1.0, flask-appbuilder 5.3.0, flaskbb 2.0.2; 237k lines), fetched
with ``--real``. Targets (docs/benchmarks.md): one-file ``dynaguard code`` and ``--version``
under 0.3 s; a whole scan at most 3x bare parsing plus start-up with ``--jobs 1``.

Start-up is measured as users run it: an installed package has its bytecode compiled, so the
script compiles ``src/`` first (an editable install under ``PYTHONDONTWRITEBYTECODE`` has none).
"""

from __future__ import annotations

import ast
import compileall
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

from dynaguard.catalogue import CATALOGUE
from dynaguard.static import analyse

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DYNAGUARD = Path(sys.executable).with_name("dynaguard")
REAL = HERE / "realcorpus"
WHEELS = ("apache-superset==6.1.0", "flask-appbuilder==5.3.0", "flaskbb==2.0.2")
CORPUS = HERE / "corpus"
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


def fetch_real(root: Path = REAL) -> None:
    """The real corpus: the ``.py`` files of the pinned wheels (``pip download``, no deps)."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "-d", tmp, *WHEELS],
            check=True,
        )
        shutil.rmtree(root, ignore_errors=True)
        for wheel in sorted(Path(tmp).glob("*.whl")):
            target = root / wheel.name.split("-")[0].lower()
            with zipfile.ZipFile(wheel) as archive:
                for name in archive.namelist():
                    if name.endswith(".py"):
                        archive.extract(name, target)


def _parse_all(files: list[Path]) -> float:
    start = time.perf_counter()
    for path in files:
        ast.parse(path.read_text(encoding="utf-8"))
    return time.perf_counter() - start


def measure(root: Path, repeat: int = 5) -> float:
    """Best of ``repeat`` alternating runs of each, so a busy machine does not decide the
    figure; each round's pair is printed too (on a shared host one round can run 40% slower).
    Returns the best parse time."""
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
    return parse_s


def _run(args: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (MB) of one ``dynaguard`` process."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [str(DYNAGUARD), *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, _, usage = os.wait4(process.pid, 0)
    return time.perf_counter() - start, usage.ru_maxrss // 1024


def startup(runs: int = 11) -> float:
    """Median wall time of ``--version`` and of ``code`` on one small file; returns the latter."""
    compileall.compile_dir(ROOT / "src", quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        one = Path(tmp) / "app.py"
        one.write_text(
            "from flask import Flask, request\nimport boto3\napp = Flask(__name__)\n"
            "table = boto3.resource('dynamodb').Table('users')\n\n"
            "@app.route('/users/<uid>', methods=['PUT'])\ndef update(uid):\n"
            "    table.put_item(Item=request.get_json())\n    return 'ok'\n",
            encoding="utf-8",
        )
        figures = {}
        for name, args in (
            ("--version", ["--version"]),
            ("code one file", ["code", str(one), "--fail-on", "none"]),
        ):
            times = [_run(args)[0] for _ in range(runs)]
            figures[name] = statistics.median(times)
            print(f"start-up {name}: median {figures[name] * 1000:.0f} ms of {runs} runs")
    return figures["code one file"]


def whole_scans(root: Path, parse_s: float, start_s: float) -> None:
    """``dynaguard code`` as a user runs it, one process each: cold with ``--jobs 1`` and
    ``--jobs 2``, then with the analysis cache: unchanged, and after a one-file edit."""
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "report.json")
        common = ["code", str(root), "--format", "json", "-o", out, "--fail-on", "none"]
        one = min(_run([*common, "--no-cache", "--jobs", "1"]) for _ in range(3))
        two = min(_run([*common, "--no-cache", "--jobs", "2"]) for _ in range(3))
        os.environ["DYNAGUARD_CACHE_DIR"] = str(Path(tmp) / "cache")
        try:
            filling = _run(common)
            warm = min(_run(common) for _ in range(3))
            edited = _edited(root, lambda: _run(common))
        finally:
            del os.environ["DYNAGUARD_CACHE_DIR"]
    budget = 3 * parse_s + start_s
    print(
        f"cli --jobs 1: {one[0]:.2f} s, peak {one[1]} MB (target: 3x parse + start-up = {budget:.2f} s)"
    )
    print(f"cli --jobs 2: {two[0]:.2f} s, peak {two[1]} MB (speed-up {one[0] / two[0]:.2f}x)")
    print(
        f"cache: cold {filling[0]:.2f} s, unchanged {warm[0]:.2f} s (target 0.5 s), one-file edit {edited[0]:.2f} s (target 2 s)"
    )


def _edited(root: Path, scan: Callable[[], tuple[float, int]]) -> tuple[float, int]:
    """One scan after a one-line edit of the largest file (restored afterwards)."""
    target = max(root.rglob("*.py"), key=lambda p: p.stat().st_size)
    original = target.read_bytes()
    try:
        target.write_bytes(original + b"\n# edited by bench/static_speed.py\n")
        return scan()
    finally:
        target.write_bytes(original)


def main() -> None:
    args = sys.argv[1:]
    if "--real" in args:
        args.remove("--real")
        fetch_real()
    if args:
        roots = [Path(args[0])]
    else:
        if not (CORPUS / "app").is_dir():
            build(CORPUS)
        roots = [CORPUS, *([REAL] if REAL.is_dir() else [])]
    _load_note()
    start_s = startup()
    for root in roots:
        print(f"\n== {root}")
        parse_s = measure(root)
        whole_scans(root, parse_s, start_s)
    _load_note()


def _load_note() -> None:
    """The machine's load, printed before and after: on a shared host, figures taken while the
    load exceeds the cores are slower by that much and say nothing about dynaguard."""
    cores = os.cpu_count() or 1
    load = os.getloadavg()[0]
    busy = "  (busy: figures unreliable)" if load > cores else ""
    print(f"load average {load:.2f} on {cores} cores{busy}")


if __name__ == "__main__":
    main()
