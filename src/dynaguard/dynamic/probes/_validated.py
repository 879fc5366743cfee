"""What the validation probe writes to and reads back: the object an update changes, the objects
a create makes, or the objects an operation such as ``POST /transfers`` acts on."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dynaguard.dynamic.auth import Session
from dynaguard.dynamic.context import ProbeContext, is_identity_param
from dynaguard.dynamic.http.client import Call
from dynaguard.dynamic.objects import (
    Planted,
    own,
    plant,
    read,
    register_created,
    send_create,
)
from dynaguard.dynamic.outcomes import Blocked, Skip
from dynaguard.dynamic.probes._registry import Target
from dynaguard.dynamic.probes._support import changed, identity_keyed
from dynaguard.dynamic.spec.samples import properties, sample


@dataclass
class Subject:
    """How to send one variant and see what it did."""

    ctx: ProbeContext
    target: Target
    owner: Session
    valid: Any
    client_key: str | None = None
    planted: Planted | None = None
    """The object an update targets (None for creates and unattached operations)."""
    watched: list[tuple[Planted, Any, Any]] = field(default_factory=list)
    """Objects an unattached operation acts on, with two reads taken before (drift control)."""
    known: set[str] = field(default_factory=set)
    """Attributes a valid object's read-back shows."""

    def send(self, body: Any, query: dict[str, Any] | None) -> Call:
        op, resource = self.target.operation, self.target.resource
        if resource is not None and op is resource.create:
            key = self.client_key
            if key and isinstance(body, dict) and body.get(key) == self.valid.get(key):
                body[key] = (
                    self.ctx.markers.new()
                )  # each create its own key, unless that is the fault
            return send_create(self.ctx, resource, self.owner, body)
        values = self.planted.values if self.planted else self.ctx.path_values(op, self.owner)
        return self.ctx.call(self.owner, op, path=values, body=body, query=query)

    def read_back(self, call: Call, body: Any) -> Call | None:
        resource = self.target.resource
        if resource is None:
            return None
        try:
            planted = self.planted or register_created(self.ctx, resource, self.owner, call, body)
            return read(self.ctx, planted, self.owner)
        except (Skip, Blocked):
            return None

    def moved(self) -> tuple[str, Call] | None:
        """The first watched object that changed since the last look, and its read."""
        for index, (planted, before, control) in enumerate(self.watched):
            after = read(self.ctx, planted, self.owner)
            fields = changed(before, control, after.json())
            if fields:
                self.watched[index] = (planted, after.json(), after.json())
                return f"{planted.resource.singular} {', '.join(fields)} changed", after
        return None


def subject_for(ctx: ProbeContext, target: Target) -> Subject:
    resource, op = target.resource, target.operation
    owner = ctx.sessions.owner()
    valid = sample(op.body, ctx.markers) if op.body else {}
    subject = Subject(ctx, target, owner, valid)
    if resource is not None and op is resource.create:
        subject.client_key = resource.client_key
        reference = own(ctx, resource, owner)
        subject.known = set(reference.readback.json() or {}) if reference.readback else set()
    elif resource is not None:
        existing = resource.singleton or identity_keyed(resource)
        subject.planted = own(ctx, resource, owner) if existing else plant(ctx, resource, owner)
        readback = subject.planted.readback
        subject.known = set(readback.json() or {}) if readback else set()
    else:
        _attach(ctx, subject)
    return subject


def _attach(ctx: ProbeContext, subject: Subject) -> None:
    """Fill the body's references with the owner's objects (a second one for each further field)
    and watch them: the operation's effects show on them, not on an object of its own."""
    op = subject.target.operation
    for prop in properties(op.body or {}):
        if is_identity_param(prop) or prop.endswith(("_owner", "_user", "_username")):
            subject.valid[prop] = subject.owner.subject
    used: set[str] = set()
    for name, resource in ctx.api.references(op):
        if name not in properties(op.body or {}):
            continue
        planted = own(ctx, resource, subject.owner)
        if planted.key in used:
            planted = plant(ctx, resource, subject.owner)
        used.add(str(planted.key))
        subject.valid[name] = planted.key
        before = read(ctx, planted, subject.owner).json()
        subject.watched.append((planted, before, read(ctx, planted, subject.owner).json()))
