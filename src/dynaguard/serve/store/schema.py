"""The tables of ``dynaguard serve``, as SQLAlchemy 2 declarative classes.

One project has scans (one per distinct uploaded report) and tracked findings (one per
fingerprint, across every scan); ``Sighting`` says which scans saw which finding and
``Transition`` when its state changed, which together are a finding's life. Triage marks, upload
tokens and the audit log hang off projects and findings. Times are naive UTC (SQLite keeps no
zone; PostgreSQL ``timestamp without time zone``), written by the application, never the database.

Any change here needs a migration in ``migrations/versions`` (a test compares the two).
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any, ClassVar

from sqlalchemy import JSON, ForeignKey, Index, MetaData, String, Text, UniqueConstraint, false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Constraint names fixed by convention, so migrations name them the same on every database.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON}


class State(enum.Enum):
    """Where a tracked finding is in its life."""

    NEW = "new"
    """Seen for the first time in the latest scan."""
    OPEN = "open"
    """Seen in the latest scan and in an earlier one."""
    FIXED = "fixed"
    """Not seen in the latest scan."""
    REOPENED = "reopened"
    """Seen in the latest scan after a scan that did not see it."""


class Scope(enum.Enum):
    """Which engines a scan ran: a scan fixes only the findings its engines could have seen (a
    code-only upload says nothing about the findings a scan of the running API proved)."""

    STATIC = "static"
    DYNAMIC = "dynamic"
    BOTH = "both"

    def covers(self, side: str) -> bool:
        return self is Scope.BOTH or self.value == side


class TriageKind(enum.Enum):
    """Why a finding no longer counts for the gate."""

    FALSE_POSITIVE = "false_positive"
    ACCEPTED_RISK = "accepted_risk"


class Project(Base):
    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[dt.datetime]


class Scan(Base):
    """One uploaded report; ``digest`` makes a second upload of the same report the same scan."""

    __tablename__ = "scans"
    __table_args__ = (UniqueConstraint("project_id", "digest"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]
    target: Mapped[str] = mapped_column(Text)
    tool_version: Mapped[str] = mapped_column(String(50))
    label: Mapped[str] = mapped_column(String(200))
    """What the uploader named the run (a commit, a CI run id); part of the digest."""
    score: Mapped[int]
    grade: Mapped[str] = mapped_column(String(1))
    total: Mapped[int]
    counts: Mapped[dict[str, Any]]
    """``{"severity": {"high": 3, ...}, "category": {"DG1": 2, ...}, "state": {...}}``."""
    scope: Mapped[str] = mapped_column(String(10), server_default=Scope.BOTH.value)
    """A ``Scope`` value: which engines ran, so which findings this scan could see."""


class Finding(Base):
    """A weakness tracked across scans by its fingerprint (never a line number)."""

    __tablename__ = "findings"
    __table_args__ = (
        UniqueConstraint("project_id", "fingerprint"),
        Index("ix_findings_project_state", "project_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    fingerprint: Mapped[str] = mapped_column(String(200))
    rule: Mapped[str] = mapped_column(String(10))
    severity: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(10))
    first_seen_scan_id: Mapped[int] = mapped_column(ForeignKey("scans.id"))
    last_seen_scan_id: Mapped[int] = mapped_column(ForeignKey("scans.id"))
    data: Mapped[dict[str, Any]]
    """The latest sighting as the JSON report's finding object."""
    side: Mapped[str] = mapped_column(String(10), server_default=Scope.STATIC.value)
    """``static`` (found in code, or joined with its proof in one report) or ``dynamic`` (a
    proof with no code location): which scans can see it (``Scope.covers``)."""
    joined_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("findings.id", ondelete="SET NULL"), unique=True
    )
    """On a dynamic finding: the static finding of the same weakness it is joined with while
    both are present (uploaded in separate reports; ``serve/joined.py``), else None."""


class Sighting(Base):
    """A scan saw a finding."""

    __tablename__ = "sightings"

    scan_id: Mapped[int] = mapped_column(
        ForeignKey("scans.id", ondelete="CASCADE"), primary_key=True
    )
    finding_id: Mapped[int] = mapped_column(
        ForeignKey("findings.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Transition(Base):
    """A finding's state changed with a scan (new, fixed, reopened; open is not recorded)."""

    __tablename__ = "transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(
        ForeignKey("findings.id", ondelete="CASCADE"), index=True
    )
    scan_id: Mapped[int] = mapped_column(ForeignKey("scans.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(10))


class TriageMark(Base):
    """A person's decision about a finding; the latest unrevoked, unexpired one applies."""

    __tablename__ = "triage_marks"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(
        ForeignKey("findings.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]


class UploadToken(Base):
    """A project's upload token: only its SHA-256 is kept (the token has 256 random bits)."""

    __tablename__ = "upload_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(200), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime]
    admin: Mapped[bool] = mapped_column(server_default=false())
    """May create users and reset their passwords."""
    disabled_at: Mapped[dt.datetime | None]
    """Set when an admin disables the account: it can no longer log in (its marks stay)."""


class AuditEntry(Base):
    """Who did what, when: triage, tokens, logins, uploads. Never updated or deleted."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime]
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(50))
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("projects.id", ondelete="SET NULL"), index=True
    )
    detail: Mapped[dict[str, Any]]


class Setting(Base):
    """Server state kept in the database: the session signing key."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


def utc_now() -> dt.datetime:
    """Now, naive UTC, to the second (what every column holds)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


class RunState(enum.Enum):
    """Where a ``MonitorRun`` is."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    DEAD = "dead"
    """A dead letter: every attempt failed; ``error`` says why the last one did."""


class MonitorRun(Base):
    """One scheduled (or requested) run of a ``dynaguard monitor`` target.

    The id is the target and the minute it was due, so two schedulers on one queue make one run.
    ``lease_until`` is how long the worker that claimed it may take before another may retry it
    (a worker killed mid-run holds no lease that outlives it). ``state`` is queued, running,
    done or dead (a dead-letter record: ``error`` says why the last attempt failed).
    """

    __tablename__ = "monitor_runs"
    __table_args__ = (Index("ix_monitor_runs_target_due", "target", "due_at"),)

    id: Mapped[str] = mapped_column(String(250), primary_key=True)
    target: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(10))
    due_at: Mapped[dt.datetime]
    attempts: Mapped[int]
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
    lease_until: Mapped[dt.datetime | None]
    worker: Mapped[str] = mapped_column(String(200))
    scan_id: Mapped[int | None] = mapped_column(ForeignKey("scans.id", ondelete="SET NULL"))
    new_findings: Mapped[int]
    error: Mapped[str] = mapped_column(Text)


class MonitorAlert(Base):
    """A new finding of a run that must be announced once: the key is (run, fingerprint), so a
    retried run finds the rows its first attempt committed and sends nothing twice."""

    __tablename__ = "monitor_alerts"

    run_id: Mapped[str] = mapped_column(
        ForeignKey("monitor_runs.id", ondelete="CASCADE"), primary_key=True
    )
    fingerprint: Mapped[str] = mapped_column(String(200), primary_key=True)
    severity: Mapped[str] = mapped_column(String(10))
    data: Mapped[dict[str, Any]]
    """The finding as the JSON report's finding object (what the webhook body carries)."""
    sent_at: Mapped[dt.datetime | None]
    claim: Mapped[str] = mapped_column(String(64))
    """The sender holding this unsent alert (random per attempt), until ``claimed_until``."""
    claimed_until: Mapped[dt.datetime | None]


class MonitorTarget(Base):
    """A ``dynaguard monitor`` target added through the API rather than ``dynaguard.toml``.

    ``definition`` is the target as a ``[[monitor.targets]]`` table would hold it (JSON);
    the monitor reads and validates it with the rest of its configuration, so both kinds of
    target are one thing to it. A target named in ``dynaguard.toml`` wins over one of the same
    name here.
    """

    __tablename__ = "monitor_targets"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    definition: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime]
    created_by: Mapped[str] = mapped_column(String(200))
