"""``dynaguard code --new-since REF``: gate only on findings that are not at the git ref.

The tree at REF is analysed in a temporary worktree (``gitref.checkout``) with the same
settings as the working tree (the config, rules and models of the working tree, so a config
change never shows as a flood of new findings), through the analysis cache: REF's files have the
same relative paths and contents on every run, so its analysis is read back, not redone.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from dynaguard.cli.exits import ExitCode, die
from dynaguard.cli.gitref import Checkout, GitRefError, checkout
from dynaguard.cli.settings import CodeSettings
from dynaguard.history.compare import compare, mark
from dynaguard.model import BaselineState, Finding, Persona
from dynaguard.static import Analysis

Analyse = Callable[[CodeSettings], Analysis]
NEW, UNCHANGED = BaselineState.NEW, BaselineState.UNCHANGED


@dataclass(frozen=True, slots=True)
class Gated:
    """What a run reports once compared with REF or a baseline."""

    shown: tuple[Finding, ...]
    """The gated findings (with REF, the new ones): what every format lists."""
    hidden: tuple[Finding, ...]
    """The rest, for SARIF: at REF already (unchanged, updated), gone since (absent), and the
    suppressed and baselined ones."""
    compared_with: str
    """``git ref REF (commit)``, for the report; empty without REF."""


@dataclass(frozen=True, slots=True)
class Previous:
    """REF's findings."""

    ref: str
    commit: str
    findings: tuple[Finding, ...]
    """What REF reports."""
    suppressed: tuple[Finding, ...]
    """What inline suppressions hide at REF."""


def visible(
    findings: Iterable[Finding], persona: Persona, only: Collection[str] | None = None
) -> tuple[Finding, ...]:
    """The findings this persona sees, in the ``--only`` files when some are named (a finding
    with no file is in none)."""
    return tuple(
        f
        for f in findings
        if f.effective_persona <= persona
        and (only is None or (f.location is not None and f.location.path in only))
    )


def at_ref(settings: CodeSettings, analyse: Analyse) -> Previous | None:
    """REF's findings (``None`` without ``--new-since``); a bad ref ends the run with exit 2,
    before the working tree is analysed, so there is never a partial report."""
    ref = settings.new_since
    if ref is None:
        return None
    try:
        with checkout(settings.root, ref) as tree:
            mirrored = _mirrored(settings, tree)
            if not mirrored.paths:
                return Previous(ref, tree.commit, (), ())
            found = analyse(mirrored)
            persona, only = settings.persona, settings.only
            return Previous(
                ref,
                tree.commit,
                visible(found.findings, persona, only),
                visible(found.hidden, persona, only),
            )
    except GitRefError as exc:
        die(str(exc), ExitCode.USAGE)


def against(
    findings: tuple[Finding, ...],
    suppressed: tuple[Finding, ...],
    baselined: tuple[Finding, ...],
    previous: Previous | None,
) -> Gated:
    """Every finding with its ``baseline_state`` when there is something to compare with: REF
    (then the new ones alone are shown), else the baseline file (``baselined`` are the ones in
    it; an inline-suppressed finding is in it only if its fingerprint is)."""
    if previous is None:
        if not baselined:
            return Gated(findings, suppressed, "")
        known = {f.fingerprint for f in baselined}
        marked = tuple(
            replace(f, baseline_state=UNCHANGED if f.fingerprint in known else NEW)
            for f in suppressed
        )
        return Gated(mark(findings, NEW), (*marked, *baselined), "")
    result = compare(findings, previous.findings)
    quiet = compare(suppressed, previous.suppressed)
    label = f"git ref {previous.ref} ({previous.commit[:12]})"
    hidden = (*result.existing, *result.absent, *quiet.new, *quiet.existing, *baselined)
    return Gated(result.new, hidden, label)


def _mirrored(settings: CodeSettings, tree: Checkout) -> CodeSettings:
    """The settings, pointed at the same places in REF's tree; a path REF does not have yet
    (a folder added since) is left out: everything in it is new."""
    root = _inside(settings.root, tree)
    paths = tuple(m for m in (_inside(p, tree) for p in settings.paths) if m.exists())
    return replace(
        settings, paths=paths, root=root, baseline=None, write_baseline=None, new_since=None
    )


def _inside(path: Path, tree: Checkout) -> Path:
    try:
        return tree.mirror(path)
    except ValueError:
        raise GitRefError(
            f"--new-since: {path.resolve()} is outside the git repository at {tree.top}; "
            "run dynaguard from inside the repository"
        ) from None


def utc_now() -> str:
    """The time for ``Report.started_at`` and ``finished_at``."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")
