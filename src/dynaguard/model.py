"""The finding model shared by every engine, formatter and gate.

This module imports nothing from the project (see ARCHITECTURE.md): it is the contract.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, field
from functools import total_ordering


@total_ordering
class _Ordered(enum.Enum):
    """An enum whose members compare by declaration order (lowest first)."""

    def _rank(self) -> int:
        return list(type(self)).index(self)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, type(self)):
            return NotImplemented
        return self._rank() < other._rank()


class Severity(_Ordered):
    """How bad the weakness is when real, lowest first."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class Confidence(_Ordered):
    """How sure the engine is that the weakness is real, lowest first."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CONFIRMED = "confirmed"


class Engine(enum.Enum):
    """Which part of dynaguard produced a finding."""

    STATIC = "static"
    DYNAMIC = "dynamic"


class Persona(_Ordered):
    """Who wants to see a finding: each persona sees its own and every lower one's findings.

    NOTE: borrowed from zizmor; noisy checks go to pedantic/auditor instead of the default output.
    """

    REGULAR = "regular"
    PEDANTIC = "pedantic"
    AUDITOR = "auditor"


class BaselineState(enum.Enum):
    """How a finding compares with a baseline or an earlier git ref (SARIF's ``baselineState``)."""

    NEW = "new"
    """Not there before: the only state a CI gate fails on."""
    UNCHANGED = "unchanged"
    """There before, the same."""
    UPDATED = "updated"
    """There before (same fingerprint), but its message, severity or route changed."""
    ABSENT = "absent"
    """There before, gone now."""


class SuppressionKind(enum.Enum):
    """Where a suppression was declared (SARIF's ``suppression.kind``)."""

    IN_SOURCE = "inSource"
    """A ``# dynaguard: ignore[DGnnn]`` comment in the code."""
    EXTERNAL = "external"
    """A baseline file."""


@dataclass(frozen=True, slots=True)
class Suppression:
    """Why a finding is shown but not gated."""

    kind: SuppressionKind
    """Where it was declared."""
    justification: str
    """What declared it, e.g. ``# dynaguard: ignore[DG101] at app.py:12``."""


@dataclass(frozen=True, slots=True)
class Location:
    """A place in scanned source code."""

    path: str
    """Path relative to the scanned root, with forward slashes."""
    line: int
    """1-based line number."""
    column: int = 1
    """1-based column number."""
    function: str | None = None
    """Qualified name of the enclosing function, if any (e.g. ``UserResource.post``)."""
    snippet: str = ""
    """The source line, stripped, for display and fingerprints."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    """An HTTP operation of the scanned API."""

    method: str
    """Upper-case HTTP method."""
    path: str
    """URL rule or path template, e.g. ``/users/<user_id>``."""


@dataclass(frozen=True, slots=True)
class FlowStep:
    """One hop of a taint path, from source to sink."""

    location: Location
    """Where the hop happens."""
    note: str
    """What happens there, e.g. ``request.get_json()`` or ``data`` or ``Table.put_item(Item=...)``."""


@dataclass(frozen=True, slots=True)
class Exchange:
    """One HTTP request/response pair that proves a dynamic finding (already redacted)."""

    method: str
    """HTTP method of the request."""
    url: str
    """Full URL of the request."""
    request_headers: tuple[tuple[str, str], ...] = ()
    """Request headers after redaction."""
    request_body: str = ""
    """Request body, truncated."""
    status: int = 0
    """Response status code."""
    response_body: str = ""
    """Response body, truncated."""
    identity: str = ""
    """Name of the identity that sent the request (``anonymous`` if none)."""
    note: str = ""
    """Why this exchange matters to the proof."""
    curl: str = ""
    """A curl command that reproduces the request (credentials replaced by placeholders)."""


@dataclass(frozen=True, slots=True)
class DocVariant:
    """The weakness and its fix in another framework, where the code differs (Chalice, Lambda)."""

    framework: str
    """How the section is titled, e.g. ``AWS Chalice``."""
    example: str
    """Vulnerable code in that framework (Python; the catalogue test analyses it)."""
    fix: str
    """The fix in that framework (Python; analysed too)."""
    note: str = ""
    """What differs there, in a sentence or two."""


@dataclass(frozen=True, slots=True)
class RuleDoc:
    """A rule's documentation; every section is required (see the catalogue test)."""

    what: str
    """What it does: what the rule finds."""
    why: str
    """Why is this bad?"""
    example: str
    """Vulnerable code (Python)."""
    fix: str
    """The fix in plain boto3 (Python)."""
    fix_secure: str = ""
    """The fix with ``dynaguard.secure`` (Python), where the library offers one."""
    references: tuple[str, ...] = ()
    """URLs for further reading."""
    variants: tuple[DocVariant, ...] = ()
    """The same weakness in other frameworks dynaguard reads, where the code differs."""


@dataclass(frozen=True, slots=True)
class Rule:
    """A rule of the catalogue, declared once in its own module under ``dynaguard.catalogue``."""

    id: str
    """Stable id, ``DG`` + three digits; the hundreds digit is the category."""
    name: str
    """Short kebab-case name, e.g. ``request-body-as-item``."""
    title: str
    """One-line title shown with every finding."""
    cwe: tuple[int, ...]
    """CWE numbers."""
    owasp: tuple[str, ...]
    """OWASP API Security Top 10 2023 ids, e.g. ``API3:2023``."""
    severity: Severity
    """Default severity of a finding."""
    confidence: Confidence
    """Default confidence of a static finding."""
    hint: str
    """One-line fix hint shown in text output."""
    doc: RuleDoc
    """Full documentation."""
    persona: Persona = Persona.REGULAR
    """Lowest persona that sees findings of this rule by default."""

    @property
    def category(self) -> str:
        """``DG1`` for DG101..DG199."""
        return self.id[:3]

    @property
    def docs_path(self) -> str:
        """Path of the generated documentation page, relative to the repository root."""
        return f"docs/rules/{self.id}.md"


@dataclass(frozen=True, slots=True)
class Finding:
    """One weakness found by an engine. Serialised per the JSON contract in DESIGN.md."""

    rule: Rule
    """The catalogue rule."""
    engine: Engine
    """Which engine found it."""
    message: str
    """What was found, specific to this occurrence."""
    fingerprint: str
    """Stable identity for baselines: never contains a line number."""
    location: Location | None = None
    """Primary location (static findings)."""
    endpoint: Endpoint | None = None
    """HTTP operation (dynamic findings, and static ones whose route is known)."""
    flow: tuple[FlowStep, ...] = ()
    """Taint path from source to sink (static findings); the last step is the sink."""
    evidence: tuple[Exchange, ...] = ()
    """Requests that prove it (dynamic findings)."""
    severity: Severity | None = None
    """Override of the rule's severity for this occurrence."""
    confidence: Confidence | None = None
    """Override of the rule's confidence for this occurrence."""
    persona: Persona | None = None
    """Override of the rule's persona for this occurrence."""
    baseline_state: BaselineState | None = None
    """How it compares with ``--baseline`` / ``--new-since`` (``None``: nothing to compare)."""
    suppression: Suppression | None = None
    """Set on the findings of ``Report.hidden`` that a comment or a baseline suppressed."""

    @property
    def effective_severity(self) -> Severity:
        return self.severity or self.rule.severity

    @property
    def effective_confidence(self) -> Confidence:
        if self.confidence is not None:
            return self.confidence
        return Confidence.CONFIRMED if self.engine is Engine.DYNAMIC else self.rule.confidence

    @property
    def effective_persona(self) -> Persona:
        return self.persona or self.rule.persona

    def sort_key(self) -> tuple[str, int, int, str]:
        loc = self.location
        if loc is not None:
            return (loc.path, loc.line, loc.column, self.rule.id)
        ep = self.endpoint
        return ("", 0, 0, f"{ep.path if ep else ''} {ep.method if ep else ''} {self.rule.id}")


@dataclass(frozen=True, slots=True)
class ScanWarning:
    """Something the engine could not do, that the user should know about (not a finding)."""

    message: str
    """What went wrong; the file, if any, is in ``path`` (formatters show both)."""
    path: str | None = None
    """File concerned, relative to the scanned root."""
    line: int | None = None
    """Line concerned, if known."""


@dataclass(frozen=True, slots=True)
class Coverage:
    """What a static scan could see of the API, so that silence is not read as safety."""

    routes: int
    """Route handlers found."""
    routes_reaching_dynamodb: int
    """Routes that reach a recognised DynamoDB call, themselves or through what they call."""
    by_provenance: int
    """DynamoDB calls recognised by how their handle was made (or a shipped library model)."""
    by_shape: int
    """DynamoDB calls recognised by their API shape alone (``x.put_item(Item=...)``)."""
    by_model: int
    """DynamoDB calls recognised through a model the user declared (``[tool.dynaguard.models]``)."""
    unrecognised: int = 0
    """Calls named like DynamoDB operations (``put_item``...) that nothing recognised."""
    blind_routes: tuple[str, ...] = ()
    """Routes that reach no recognised DynamoDB call (``METHOD /path``), sorted."""

    @property
    def calls(self) -> int:
        return self.by_provenance + self.by_shape + self.by_model

    @property
    def blind(self) -> bool:
        """Routes were found, yet no DynamoDB access was recognised anywhere."""
        return self.routes > 0 and self.calls == 0


@dataclass(frozen=True, slots=True)
class Report:
    """Everything one run produced; the only input of the formatters."""

    findings: tuple[Finding, ...]
    """Findings after filtering, suppression and baseline."""
    warnings: tuple[ScanWarning, ...] = ()
    """Files that could not be read or parsed, probes that could not run."""
    tool_version: str = "0.1.0"
    """dynaguard version."""
    files_scanned: int = 0
    """Number of source files analysed (static)."""
    suppressed: int = 0
    """Findings hidden by inline suppressions."""
    baselined: int = 0
    """Findings hidden because their fingerprint is in the baseline."""
    target: str = ""
    """What was scanned: a path or a URL."""
    extra: dict[str, str] = field(default_factory=dict, compare=False)
    """Free-form facts for formatters (e.g. the scan's grade)."""
    coverage: Coverage | None = None
    """What a static scan recognised (``None`` for dynamic scans)."""
    hidden: tuple[Finding, ...] = ()
    """Findings present but not gated, for the formats that show them marked (SARIF): the
    suppressed ones (with ``suppression``) and, with ``--new-since``, those already at the ref
    (``baseline_state`` unchanged or updated) and those gone since (absent: the ref's finding,
    its location in the ref's tree). Every other format ignores them."""
    compared_with: str = ""
    """What ``baseline_state`` compares with (``git ref origin/main``, ``baseline b.json``)."""
    started_at: str = field(default="", compare=False)
    """When the run started, ``YYYY-MM-DDTHH:MM:SS`` in UTC (empty when unknown); the CLI sets
    it, so formatters stay pure (GitLab's report requires the time)."""
    finished_at: str = field(default="", compare=False)
    """When the run finished, as ``started_at``."""


def fingerprint(*parts: str) -> str:
    """A stable hash of the given parts; callers never pass line numbers."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:32]


def normalise_code(code: str) -> str:
    """Collapse whitespace so reformatting a line keeps its fingerprint."""
    return " ".join(code.split())
