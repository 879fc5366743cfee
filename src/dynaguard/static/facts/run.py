"""What the facts and whole-run checks may read of an analysis run (``engine.Run``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from dynaguard.model import Endpoint
from dynaguard.static.flow.analyzer import Analyzer
from dynaguard.static.flow.events import Event
from dynaguard.static.flow.values import Value
from dynaguard.static.source.cdk import Gateway
from dynaguard.static.source.project import Project


class RunView(Protocol):
    """What a whole-run check may read of an analysis run (``engine.Run``)."""

    project: Project
    analyzer: Analyzer
    routes: dict[str, list[Endpoint]]
    """Route handler function ids and their endpoints."""
    unseen_auth: set[str]
    guarded: dict[str, set[Endpoint]]
    """Routes an authorizer guards, by handler (``engine.Run.guarded``)."""
    """Entry points whose authentication dynaguard cannot see (``RouteDecl.unseen_auth``)."""

    @property
    def gateways(self) -> Mapping[tuple[str, str], Gateway]:
        """What API Gateway validates before a Lambda handler runs, by (file, function), from
        the project's CDK app."""
        ...

    def arguments(self, fn_id: str) -> list[Value]:
        """A route handler's arguments as Flask passes them (route variables are request data)."""
        ...

    def bound(self, fn_id: str) -> Sequence[Event | None]:
        """A route handler's recorded accesses (``Result.accesses``, same positions), each
        DynamoDB call's event bound to the handler's arguments; None for the guards."""
        ...

    def events(self) -> Sequence[tuple[Event, Endpoint | None]]:
        """Every sink event with request data, as the event checks see it, with its route."""
        ...

    def endpoint_of(self, fn_id: str, writes: bool = False) -> Endpoint | None:
        """The route of a function, or of the nearest route handler that calls it."""
        ...
