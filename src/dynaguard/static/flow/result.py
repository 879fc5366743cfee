"""What analysing one body tells its callers and the engine (a function's summary)."""

from __future__ import annotations

from dataclasses import dataclass

from dynaguard.static.flow import accesses
from dynaguard.static.flow.events import Event
from dynaguard.static.flow.values import EMPTY, Value


@dataclass(frozen=True, slots=True)
class RouteDecl:
    """An entry point a framework model declared: a view function or a class of method handlers."""

    target: str
    """Function id, or class id when ``is_class``."""
    rule: str
    methods: tuple[str, ...] | None
    """Upper-case methods; None: the function default (GET) or the class's method names."""
    is_class: bool = False
    mount: str = ""
    """The router (blueprint, API, namespace) the route was declared on, when a model knows it:
    the router's registration may move the route under another prefix (``Mount``)."""
    own: str = ""
    """The router's own prefix, which ``rule`` starts with."""
    bound: tuple[tuple[str, frozenset[str]], ...] = ()
    """Parameters the framework passes objects in (a Lambda handler's ``event``): name -> refs."""
    client: tuple[tuple[str, int], ...] = ()
    """Parameters the framework fills with client input (a GraphQL resolver's arguments):
    name -> ``Kind`` (``VALUE`` for one argument, ``FIELDS`` for ``**kwargs``)."""
    typed: tuple[tuple[str, str], ...] = ()
    """Client parameters whose scalar type the framework enforces: name -> ``number`` or
    ``boolean`` (a GraphQL ``Int`` argument is an integer, of any range)."""
    authenticated: bool = False
    """The framework authenticates the caller before the handler runs (an API Gateway
    authorizer or API key named where the entry point is declared)."""
    routed: bool = True
    """False for an entry point that no HTTP route names (a Lambda handler found by its shape):
    its findings name no endpoint. (An empty ``rule`` is a route: ``bp.route('')`` under a
    blueprint's prefix.)"""
    unseen_auth: bool = False
    """Whether the framework authenticates is configured where dynaguard cannot read it (a
    Lambda handler no Serverless or SAM file declares): no claim that nothing authenticates."""


@dataclass(frozen=True, slots=True)
class Mount:
    """A router's prefix: its own when made (``registered=False``), or the one it was
    registered under in ``parent`` (``None``: its own prefix stays)."""

    router: str
    prefix: str | None
    parent: str = ""
    registered: bool = False


# NOTE: made by the tens of thousands per scan, so not ``frozen`` (a frozen __init__ pays an
# ``object.__setattr__`` per field, 4x slower); nothing assigns to one after it is made.
@dataclass(slots=True, unsafe_hash=True)
class Result:
    """What analysing a function body tells its callers and the engine."""

    returns: Value
    param_events: tuple[Event, ...]
    """Sinks reached from parameters: the summary callers instantiate."""
    client_events: tuple[Event, ...]
    """Sinks reached by request data inside this function (or callees it passed data to)."""
    self_fields: dict[str, Value]
    calls: frozenset[str]
    routes: tuple[RouteDecl, ...]
    injected: tuple[tuple[str, str], ...]
    """(function id, ``FIELDS`` or ``VALUE``): handlers whose parameters a model fills with
    request data (webargs)."""
    accesses: tuple[accesses.Entry, ...] = ()
    """Every DynamoDB access, here or in callees, in order, tainted or not (``accesses.py``)."""
    mounts: tuple[Mount, ...] = ()
    """Routers made or registered here."""


EMPTY_RESULT = Result(EMPTY, (), (), {}, frozenset(), (), ())
