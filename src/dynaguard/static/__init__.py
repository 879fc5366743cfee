"""The static analyser: ``dynaguard code PATH...`` (Flask + boto3/PynamoDB source, Python ``ast``).

Pipeline: discover files -> parse and lower each to a small IR (in a process pool when
``jobs > 1``) -> summarise every function once, on demand -> find Flask routes -> run each rule's
check on the sink events -> findings with flows, endpoints and fingerprints. See ARCHITECTURE.md.
"""

from __future__ import annotations

import gc
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from dynaguard.catalogue import CATALOGUE
from dynaguard.model import Coverage, Finding, Rule, ScanWarning
from dynaguard.static.engine import Run
from dynaguard.static.facts.surface import Route
from dynaguard.static.facts.surface import surface as described
from dynaguard.static.flow.frame import Model
from dynaguard.static.models.declarations import Declarations
from dynaguard.static.models.registered import MODELS, with_declared
from dynaguard.static.source import cdk, deployment, ir
from dynaguard.static.source.discover import DEFAULT_EXCLUDES, discover
from dynaguard.static.source.parse import load_file, load_source

__all__ = [
    "DEFAULT_EXCLUDES",
    "MODELS",
    "Analysis",
    "Declarations",
    "Model",
    "Route",
    "analyse",
    "analyse_source",
    "implemented_rules",
    "with_declared",
]


@dataclass(frozen=True, slots=True)
class Analysis:
    """The result of a static scan."""

    findings: tuple[Finding, ...]
    """Sorted; inline-suppressed findings removed."""
    warnings: tuple[ScanWarning, ...]
    """Files that could not be read or parsed, bare suppressions, bodies too deep to analyse."""
    files_scanned: int
    """Files parsed and analysed."""
    suppressed: int
    """How many findings inline suppressions hid."""
    coverage: Coverage
    """Routes found, DynamoDB calls recognised and how, routes that reach none."""
    hidden: tuple[Finding, ...] = ()
    """The findings inline suppressions hid, each with its ``suppression`` (SARIF shows them)."""
    routes: tuple[Route, ...] = ()
    """The attack surface (routes, fields read, authentication), when asked for with
    ``analyse(..., surface=True)``; never cached."""


def analyse(
    paths: Sequence[Path],
    *,
    root: Path,
    rules: Collection[Rule],
    exclude: Sequence[str] = (),
    jobs: int = 1,
    models: Sequence[Model] = MODELS,
    surface: bool = False,
) -> Analysis:
    """Analyse the Python files under ``paths``; locations are relative to ``root``. ``models``
    are what the analyser knows about libraries, in the order they are asked (``MODELS``, the
    ones dynaguard ships, by default); ``surface``: also describe the routes (``Analysis.routes``)."""
    with _paused_gc():
        return _analyse(
            paths, root, rules=rules, exclude=exclude, jobs=jobs, models=models, surface=surface
        )


def _analyse(
    paths: Sequence[Path],
    root: Path,
    *,
    rules: Collection[Rule],
    exclude: Sequence[str],
    jobs: int,
    models: Sequence[Model],
    surface: bool,
) -> Analysis:
    # A function of its own, so the IR is freed before the collector is enabled again.
    unlisted: list[tuple[str, str]] = []
    files = discover(paths, root, exclude, unread=unlisted)
    loaded = _load(files, jobs)
    modules = [m for m in loaded if isinstance(m, ir.Module)]
    warnings = [w for w in loaded if isinstance(w, ScanWarning)]
    warnings += [ScanWarning(why, path=rel) for rel, why in unlisted]
    handlers, unread = deployment.read(deployment.discover(paths, root, exclude))
    gateways, unread_cdk = cdk.read(cdk.discover(paths, root))
    found = [*warnings, *unread, *unread_cdk]
    return _run(modules, found, rules, models, handlers, gateways=gateways, surface=surface)


@contextmanager
def _paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector for the scan.

    NOTE: a scan holds hundreds of thousands of small, acyclic objects (IR nodes, values); every
    full collection would walk all of them again (measured: analysis 2x slower on the benchmark
    corpus, docs/benchmarks.md). Reference counting still frees them; cycles wait for the end.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def implemented_rules() -> tuple[Rule, ...]:
    """The catalogue rules this engine has a check for, in id order."""
    from dynaguard.static.rules import CHECKS

    return tuple(check.rule for check in CHECKS)


def analyse_source(
    source: str,
    *,
    path: str = "example.py",
    rules: Collection[Rule] | None = None,
    models: Sequence[Model] = MODELS,
) -> tuple[Finding, ...]:
    """Findings for one in-memory module (rule docs and tests); unparsable source has none."""
    loaded = load_source(source, path)
    if not isinstance(loaded, ir.Module):
        return ()
    return _run([loaded], [], list(CATALOGUE) if rules is None else rules, models).findings


def _run(
    modules: list[ir.Module],
    warnings: list[ScanWarning],
    rules: Collection[Rule],
    models: Sequence[Model],
    descriptors: Sequence[deployment.Handler] = (),
    *,
    gateways: Sequence[cdk.Gateway] = (),
    surface: bool = False,
) -> Analysis:
    run = Run(_unique(modules), rules, models, descriptors, gateways)
    try:
        findings, hidden = run.findings()
        everything = sorted(
            [*warnings, *run.warnings()], key=lambda w: (w.path or "", w.line or 0, w.message)
        )
        coverage = run.coverage()
        routes = described(run) if surface else ()
    finally:
        run.close()
    return Analysis(
        tuple(findings),
        tuple(everything),
        len(modules),
        len(hidden),
        coverage,
        tuple(hidden),
        routes,
    )


def _unique(modules: list[ir.Module]) -> list[ir.Module]:
    """Two files can map to one dotted name (``a.py`` and ``a/__init__.py``): keep both apart."""
    seen: set[str] = set()
    out = []
    for original in modules:
        module = original
        if module.name in seen:
            module = ir.Module(
                module.path,
                f"{module.name}#{module.path}",
                module.is_package,
                module.source,
                module.body,
                module.functions,
                module.classes,
                module.suppressions,
                module.bare_suppressions,
            )
        seen.add(module.name)
        out.append(module)
    return out


def _load(files: list[tuple[Path, str]], jobs: int) -> list[ir.Module | ScanWarning]:
    if jobs <= 1 or len(files) < 2:
        return [load_file(path, rel) for path, rel in files]
    # Imported here: a one-process scan (an editor, a pre-commit hook) never pays for them.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # NOTE: forkserver/spawn, not fork: forking a process that has threads is unsafe (and
    # deprecated from Python 3.12); workers only import the parser.
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            chunk = max(1, len(files) // (jobs * 8))
            return list(pool.map(_load_one, files, chunksize=chunk))
    except RecursionError:
        # A module nested deeper than pickle can carry between processes (hostile or
        # generated code): parse everything here instead, as ``--jobs 1`` does.
        return [load_file(path, rel) for path, rel in files]


def _load_one(item: tuple[Path, str]) -> ir.Module | ScanWarning:
    loaded = load_file(*item)
    if isinstance(loaded, ir.Module):
        loaded.lower_all()  # the function bodies' ``ast`` does not travel between processes
    return loaded
