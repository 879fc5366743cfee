"""Objects the scan did not create but writes to (accounts it adopts, objects it finds).

Each is read as its owner before the scan's first write to it; cleanup reads it again, sends
back every attribute that changed (privileged ones first, in a step of their own) and checks
the result. What is still different, was added (an attribute cannot be removed through an API),
or was written where the API does not show it, is one line of the report each.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from dynaguard.dynamic.api import Resource
from dynaguard.dynamic.auth import Session
from dynaguard.dynamic.cleanup import Cleanup, CleanupItem, Tier
from dynaguard.dynamic.http.client import Call
from dynaguard.dynamic.privileged import is_privileged
from dynaguard.dynamic.sensitive import is_sensitive_name
from dynaguard.dynamic.spec.operations import Operation
from dynaguard.dynamic.spec.samples import properties

_SHOWN = 60
"""Characters of a value quoted in a report line."""
_DENIED = (401, 403, 404)


class Send(Protocol):
    """``ProbeContext.call``: cleanup sends through the same checks as every probe request."""

    def __call__(
        self, session: Session, op: Operation, *, path: Mapping[str, str] | None, body: Any = ...
    ) -> Call: ...


@dataclass(eq=False)
class Existing:
    """An object the scan writes to without having created it."""

    resource: Resource
    owner: Session
    values: dict[str, str]
    """Path parameters of its item path."""
    before: dict[str, Any] | None
    """The owner's read before the first write; None when the API cannot read one object."""
    written: set[str] = field(default_factory=set)
    """Top-level names of every accepted write to it."""
    actions: set[str] = field(default_factory=set)
    """Operations of accepted writes with no body to name what they change (``/increment``)."""
    restored: set[str] = field(default_factory=set)

    @property
    def label(self) -> str:
        path = self.resource.item_path or self.resource.collection
        for name, value in self.values.items():
            path = path.replace("{" + name + "}", value)
        return f"{self.resource.singular} {path} ({self.owner.name}'s, not created by the scan)"

    def addresses(self, resource: Resource | None, values: Mapping[str, str]) -> bool:
        return resource is self.resource and all(values.get(k) == v for k, v in self.values.items())


class Snapshots:
    """Every :class:`Existing` of a scan, each registered for cleanup once; thread-safe."""

    def __init__(self, cleanup: Cleanup, send: Send, sessions: Sequence[Session] = ()) -> None:
        self._cleanup = cleanup
        self._send = send
        self._sessions = sessions
        """Who else may act on an object: an owner-changing probe may have handed it over."""
        self._objects: list[Existing] = []
        self._lock = threading.Lock()

    def watch(
        self, resource: Resource, owner: Session, values: Mapping[str, str], before: Any
    ) -> None:
        """Take ``before`` (the owner's read) as the state to put back, unless already watched."""
        with self._lock:
            if any(x.addresses(resource, values) for x in self._objects):
                return
            snapshot = dict(before) if isinstance(before, dict) and resource.read else None
            x = Existing(resource, owner, dict(values), snapshot)
            self._objects.append(x)
        for tier in (Tier.PRIVILEGED, Tier.RESTORE):
            undo = functools.partial(self._put_back, x, tier)
            pending = functools.partial(_pending, x, tier)
            self._cleanup.add_item(CleanupItem(f"{x.label} not put back", undo, tier, pending))

    def wrote(
        self, resource: Resource | None, values: Mapping[str, str], body: Any, call: Call
    ) -> None:
        """Note an accepted write, if it went to a watched object."""
        if not call.ok:
            return
        with self._lock:
            for x in self._objects:
                if x.addresses(resource, values):
                    if isinstance(body, dict) and body:
                        x.written.update(str(name) for name in body)
                    else:
                        x.actions.add(call.operation)

    def restored(self) -> list[str]:
        """``user /users/alice (...): role, display_name``: what cleanup put back."""
        with self._lock:
            return [
                f"{x.label}: {', '.join(sorted(x.restored))}" for x in self._objects if x.restored
            ]

    def _put_back(self, x: Existing, tier: Tier) -> list[str]:
        last = tier is Tier.RESTORE  # object-level lines are said once, by the last step
        if x.before is None or x.resource.read is None:
            if not last:
                return []
            why = "the API has no read of one" if x.resource.read is None else "no read before"
            lines = [*_pending(x, Tier.PRIVILEGED), *_pending(x, Tier.RESTORE)]
            return [f"{line} ({why}: not checked)" for line in lines]
        current = self._read(x)
        if isinstance(current, str):
            return [f"{x.label} {current}"] if last else []
        wanted = is_privileged if tier is Tier.PRIVILEGED else _ordinary
        changed = {k: v for k, v in x.before.items() if wanted(k) and not _same(current, k, v)}
        why = "it still differs after the put-back"
        if changed:
            why = self._send_back(x, changed) or why
            after = self._read(x)
            if isinstance(after, str):
                return [f"{x.label} {after}"]
            current = after
        left = _differences(x, current, wanted, why)
        x.restored.update(k for k in changed if _same(current, k, x.before[k]))
        return [*left, *(_unseen(x, current) if last else [])]

    def _read(self, x: Existing) -> dict[str, Any] | str:
        """The owner's current view, or why there is none."""
        read = x.resource.read
        assert read is not None
        call = self._as_anyone(x, lambda session: self._send(session, read, path=x.values))
        document = call.json()
        if call.status in (404, 410):
            return "was deleted: the API cannot put it back"
        if not call.ok or not isinstance(document, dict):
            return f"could not be checked: its owner's read answered {call.status or call.error}"
        return document

    def _send_back(self, x: Existing, changed: dict[str, Any]) -> str:
        """Send the old values; returns why that failed (empty when the API accepted it)."""
        updates = x.resource.updates
        update = next(
            (op for op in updates if op.method == "PATCH"), updates[0] if updates else None
        )
        if update is None:
            return "the API has no update to put it back"
        if update.method == "PATCH":
            body = changed
        else:  # a PUT replaces the object: send all of it as it was
            assert x.before is not None
            schema = properties(update.body or {})
            body = {**{k: v for k, v in x.before.items() if k in schema}, **changed}

        def put(body: dict[str, Any]) -> Call:
            return self._as_anyone(
                x, lambda session: self._send(session, update, path=x.values, body=body)
            )

        failed = [c for c in (put(body),) if not c.ok]
        if failed and update.method == "PATCH" and len(changed) > 1:
            # One refused name (a server-set timestamp) must not keep the others from going back.
            failed = [c for c in (put({k: v}) for k, v in changed.items()) if not c.ok]
        return f"the put-back answered {failed[0].status or failed[0].error}" if failed else ""

    def _as_anyone(self, x: Existing, attempt: Callable[[Session], Call]) -> Call:
        """As the owner; if refused, as each other identity (``owner: bob`` may have stuck)."""
        call = attempt(x.owner)
        for session in self._sessions:
            if call.status not in _DENIED:
                break
            if session is not x.owner:
                call = attempt(session)
        return call


def _pending(x: Existing, tier: Tier) -> list[str]:
    """What cleanup would have put back, as far as the scan knows without reading."""
    privileged = tier is Tier.PRIVILEGED
    names = sorted(n for n in x.written if is_privileged(n) == privileged)
    lines = [f"{x.label} not put back: the scan wrote {', '.join(map(repr, names))} there"]
    if not privileged and x.actions:
        lines.append(f"{x.label} not put back: the scan sent {', '.join(sorted(x.actions))} to it")
    return lines[0 if names else 1 :]


def _ordinary(name: str) -> bool:
    return not is_privileged(name)


def _same(document: Mapping[str, Any], name: str, value: Any) -> bool:
    # JSON text, not ==: True == 1 and 1 == 1.0 would hide a changed type.
    return name in document and json.dumps(document[name]) == json.dumps(value)


def _differences(
    x: Existing, current: Mapping[str, Any], wanted: Callable[[str], bool], why: str
) -> list[str]:
    assert x.before is not None
    lines = []
    for name, value in x.before.items():
        if not wanted(name) or _same(current, name, value):
            continue
        what = _attribute(name)
        if name not in current:
            lines.append(f"{what} removed from {x.label} (was {_show(name, value)}): {why}")
        else:
            now = _show(name, current[name])
            lines.append(f"{what} of {x.label} is {now}, was {_show(name, value)}: {why}")
    for name, value in current.items():
        if name not in x.before and wanted(name):
            lines.append(
                f"{_attribute(name)} added to {x.label}: {_show(name, value)} "
                "(an attribute cannot be removed through the API)"
            )
    return lines


def _unseen(x: Existing, current: Mapping[str, Any]) -> list[str]:
    assert x.before is not None
    hidden = sorted(x.written - set(x.before) - set(current))
    if not hidden:
        return []
    names = ", ".join(map(repr, hidden))
    return [f"{x.label}: the scan wrote {names} there; the API does not show them: not checked"]


def _attribute(name: str) -> str:
    return f"attribute {name!r}" + (" (privileged)" if is_privileged(name) else "")


def _show(name: str, value: Any) -> str:
    if is_sensitive_name(name):
        return "<redacted>"
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"
