"""What ``dynaguard demo`` does, without printing: twins up, both engines on each, reports joined.

It lives in the CLI layer because it is the one place that joins the static and dynamic engines.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import dynaguard
from dynaguard import __version__
from dynaguard.demo import DEMO_USERS, KINDS, RunningApp, TwinKind, create_app, issue_token, serve
from dynaguard.dynamic import Identity, Login, Role, ScanOptions, scan
from dynaguard.lab import Lab
from dynaguard.model import Finding, Report, ScanWarning
from dynaguard.report.correlate import correlate
from dynaguard.report.grade import grade
from dynaguard.static import analyse, implemented_rules

SRC = Path(dynaguard.__file__).resolve().parent.parent
DEMO_DIR = SRC / "dynaguard" / "demo"

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class TwinRun:
    """One twin's results: where it ran, what each engine found, and the joined report."""

    kind: TwinKind
    url: str
    static: tuple[Finding, ...]
    dynamic: tuple[Finding, ...]
    report: Report


@dataclass(frozen=True, slots=True)
class Twin:
    """A twin being served."""

    kind: TwinKind
    running: RunningApp
    jwt_secret: str


def _is_secure_source(finding: Finding) -> bool:
    return finding.location is not None and "/demo/secure/" in f"/{finding.location.path}"


def static_findings() -> dict[TwinKind, tuple[Finding, ...]]:
    """``dynaguard code`` over the twins' sources, split by twin (shared modules go with the
    vulnerable twin, whose weaknesses they carry)."""
    # Scanning from src/ lets `dynaguard.demo.db` resolve the way a user's package does.
    analysis = analyse([DEMO_DIR], root=SRC, rules=implemented_rules())
    secure = tuple(f for f in analysis.findings if _is_secure_source(f))
    vulnerable = tuple(f for f in analysis.findings if not _is_secure_source(f))
    return {"vulnerable": vulnerable, "secure": secure}


def identities() -> tuple[Identity, ...]:
    """The demo users, logging in the way any user's API would be scanned."""
    return tuple(
        Identity(
            name=user.username,
            role=Role.ADMIN if user.role == "admin" else Role.USER,
            login=Login(
                path="/auth/token", body={"username": user.username, "password": user.password}
            ),
        )
        for user in DEMO_USERS.values()
    )


def dynamic_findings(
    url: str,
) -> tuple[tuple[Finding, ...], tuple[ScanWarning, ...], dict[str, str]]:
    """An active scan of one twin."""
    result = scan(ScanOptions(target=url, identities=identities(), active=True))
    facts = {"requests": str(result.requests), "scan_seconds": f"{result.seconds:.1f}"}
    return result.findings, result.warnings, facts


@contextmanager
def running_twins(progress: Progress) -> Iterator[list[Twin]]:
    """The embedded DynamoDB and both twins on 127.0.0.1, stopped on exit (also on Ctrl-C)."""
    with ExitStack() as stack:
        progress("starting the embedded DynamoDB (moto) on 127.0.0.1")
        lab = stack.enter_context(Lab(embedded=True))
        secret = secrets.token_urlsafe(32)
        twins = []
        for kind in KINDS:
            app = create_app(kind, dynamodb=lab.resource(), client=lab.client(), jwt_secret=secret)
            # The vulnerable twin crashes on purpose (DG302); its tracebacks are not the demo's.
            app.logger.setLevel(logging.CRITICAL)
            running = stack.enter_context(serve(app))
            progress(f"{kind} twin serving on {running.url}")
            twins.append(Twin(kind, running, secret))
        yield twins


def run_twin(twin: Twin, static: tuple[Finding, ...], progress: Progress) -> TwinRun:
    progress(f"scanning the {twin.kind} twin (active) at {twin.running.url}")
    dynamic, warnings, facts = dynamic_findings(twin.running.url)
    joined = correlate(static, dynamic)
    graded = grade(joined)
    extra = {**facts, "score": str(graded.score), "grade": graded.letter}
    report = Report(
        findings=joined,
        warnings=warnings,
        tool_version=__version__,
        files_scanned=len({f.location.path for f in static if f.location}),
        target=f"{twin.kind} twin ({twin.running.url})",
        extra=extra,
    )
    return TwinRun(twin.kind, twin.running.url, static, dynamic, report)


def tokens(secret: str) -> dict[str, str]:
    """Bearer tokens of the demo users, for trying the exploits by hand."""
    return {name: issue_token(secret, name) for name in DEMO_USERS}
