"""DG801: a route returns whole items of a table the project stores sensitive attributes in.

The table's sensitive attributes are what the project writes to it (puts, updates, PynamoDB
model declarations) whose names ``catalogue.dg801.is_sensitive`` recognises. A read with a
projection returns only what it names; a response built from chosen attributes, a schema dump,
or code that names the sensitive attribute (``item.pop('password_hash')``, a denylist) is not
reported.
"""

from __future__ import annotations

from collections.abc import Iterator

from dynaguard.catalogue.dg801 import RULE, is_sensitive
from dynaguard.static.facts.handlers import Handler, handlers, login_route
from dynaguard.static.facts.keys import item_fields, table_label, table_of
from dynaguard.static.facts.responses import whole_reads
from dynaguard.static.facts.run import RunView
from dynaguard.static.facts.tables import table_facts
from dynaguard.static.flow.accesses import read_param
from dynaguard.static.flow.analyzer import Analyzer
from dynaguard.static.flow.events import Event, Op
from dynaguard.static.flow.values import STORED_BASE, Step, Trace, Value
from dynaguard.static.rules.base import Found, Hit, check_run
from dynaguard.static.source import ir

_PROJECTIONS = ("ProjectionExpression", "AttributesToGet", "attributes_to_get")


@check_run(RULE)
def exposure(run: RunView) -> Iterator[Found]:
    facts = table_facts(run.analyzer)
    sensitive = {
        t: sorted(n for n in names if is_sensitive(n)) for t, names in facts.written.items()
    }
    secrets = frozenset(n for names in sensitive.values() for n in names)
    sensitive = _with_held(run.analyzer, sensitive, facts.holds)
    for handler in handlers(run):
        if not handler.returns:
            continue
        named = _strings(run.analyzer, handler.fn_id)
        removed = _strings(run.analyzer, handler.fn_id, removals=True)
        for line, value in sorted(handler.returns.items()):
            found = None
            for event in _reads(handler, value):
                # What a write returns (ALL_NEW) is what the request just set: naming an
                # attribute (an update's allowlist) does not keep it out, removing it does.
                hiding = removed if event.op.writes else named
                held = sensitive.get(table_of(event) or "", [])
                hidden = [n for n in held if n.rpartition(".")[2] not in hiding]
                if hidden:
                    found = _found(handler, line, value, event, hidden)
                    break
            found = found or _serialised(handler, line, value, secrets)
            found = found or _written(handler, line, value, removed)
            if found is not None:
                yield found


def _with_held(
    analyzer: Analyzer,
    sensitive: dict[str, list[str]],
    holds: dict[str, dict[str, set[tuple[str, Step]]]],
) -> dict[str, list[str]]:
    """A table whose attribute embeds whole items of another holds that one's sensitive
    attributes too (``author.password`` of a comment that stores its author's user item),
    unless the function that writes it removes them first."""
    out = {t: list(names) for t, names in sensitive.items()}
    for table, attributes in sorted(holds.items()):
        for name, sources in sorted(attributes.items()):
            found: set[str] = set()
            for source, site in sources:
                removed = _removed_at(analyzer, site)
                found |= {n for n in sensitive.get(source, []) if n not in removed}
            if table not in {s for s, _ in sources}:
                out.setdefault(table, []).extend(f"{name}.{n}" for n in sorted(found))
    return out


def _removed_at(analyzer: Analyzer, site: Step) -> set[str]:
    """The names removed or compared in the function that contains ``site``."""
    module = analyzer.project.at_path(site.path)
    func = module.function(site.function) if module is not None else None
    return _removed(func.body) if func is not None else set()


def _serialised(handler: Handler, line: int, value: Value, secrets: frozenset[str]) -> Found | None:
    """An explicit serialiser that copies stored data into the response under the name of a
    secret the project stores (``{'password': self.password, ...}``): choosing fields is no
    protection when the secret is one of them."""
    issued = login_route(handler)
    for name, trace in _secret_fields(value, secrets, 0):
        if issued and "token" in name.lower():
            continue  # the token a login or sign-up hands out is what the route is for
        at = Step(handler.module.path, line, 0, handler.func.qualname, f"returned as '{name}'")
        message = (
            f"returns the stored '{name}' under its own name: the response is built field by "
            "field, and the sensitive attribute is one of the fields"
        )
        return Found(Hit(RULE, at, message, (*trace, at)), handler.endpoint(), None)
    return None


def _written(handler: Handler, line: int, value: Value, removed: frozenset[str]) -> Found | None:
    """The item the handler put, returned as it was written (``put_item(Item=item); return
    item``), with a sensitive attribute in it: a mapping of the response that holds the
    sensitive name and another attribute of the put item."""
    for access in handler.accesses:
        event = access.event
        if event.op is not Op.PUT:
            continue
        names = set(item_fields(event)) - {"*"}
        secrets = sorted(n for n in names if is_sensitive(n) and n not in removed)
        if login_route(handler):  # the token a login or sign-up hands out is what it is for
            secrets = [n for n in secrets if "token" not in n.lower()]
        for mapping in _mappings(value, 0):
            shown = [n for n in secrets if n in mapping.fields]
            if shown and len(names & mapping.fields.keys()) > 1:
                at = Step(
                    handler.module.path, line, 0, handler.func.qualname, "returned as written"
                )
                listed = ", ".join(f"'{n}'" for n in shown[:3])
                message = (
                    f"returns the item {event.api} wrote to {table_label(event)} as it was "
                    f"written, {listed} included"
                )
                hit = Hit(RULE, at, message, (event.site, at))
                return Found(hit, handler.endpoint(), event)
    return None


def _mappings(value: Value, depth: int) -> Iterator[Value]:
    """The mappings of a response; an object (a model instance) is not one: what the client
    gets of it is what its serialiser makes, and a framework cannot send it as it is."""
    if value.fields and depth <= _MAX_DEPTH and not any(r.startswith("inst:") for r in value.refs):
        yield value
        for field in value.fields.values():
            yield from _mappings(field, depth + 1)


def _secret_fields(
    value: Value, secrets: frozenset[str], depth: int
) -> Iterator[tuple[str, Trace]]:
    if depth > _MAX_DEPTH:
        return
    for name, field in sorted(value.fields.items()):
        if name in secrets:
            stored = [t for (param, _), t in field.labels.items() if param <= STORED_BASE]
            if stored:
                yield name, stored[0]
        yield from _secret_fields(field, secrets, depth + 1)


_MAX_DEPTH = 3


def _reads(handler: Handler, value: Value) -> list[Event]:
    sites = whole_reads(value)
    return [
        a.event
        for a in handler.accesses
        if read_param(a.event.site) in sites and not _projected(a.event)
    ]


def _projected(event: Event) -> bool:
    select = event.args.get("Select")
    if select is not None and select.text == "SPECIFIC_ATTRIBUTES":
        return True
    return any(event.args.get(p) is not None for p in _PROJECTIONS)


def _found(handler: Handler, line: int, value: Value, event: Event, hidden: list[str]) -> Found:
    at = Step(handler.module.path, line, 0, handler.func.qualname, "returned whole")
    trace: Trace = (*_read_trace(value, event), at)
    listed = ", ".join(f"'{n}'" for n in hidden[:3])
    got = "the whole item returned by" if event.op.writes else "whole items read by"
    message = (
        f"returns {got} {event.api} from {table_label(event)}, which holds {listed}; "
        "no projection or field selection keeps them out of the response"
    )
    hit = Hit(RULE, at, message, trace)
    return Found(hit, handler.endpoint(), None)


def _read_trace(value: Value, event: Event) -> Trace:
    for (param, _), trace in value.labels.items():
        if param <= STORED_BASE and trace and trace[0].line == event.site.line:
            return trace
    for field in value.fields.values():
        found = _read_trace(field, event)
        if found:
            return found
    return ()


def _strings(analyzer: Analyzer, fn_id: str, removals: bool = False) -> frozenset[str]:
    """String constants of the handler and the project functions it calls (a denylist, a pop, a
    ``del``), leaving out names it only reads a field by (``body['password']``); with
    ``removals``, only those that remove or test a name (a pop, a ``del``, a comparison)."""
    out: set[str] = set()
    pending, seen = [fn_id], {fn_id}
    while pending and len(seen) < 50:
        current = pending.pop()
        located = analyzer.project.function(current)
        if located is not None:
            body = located[1].body
            out |= _removed(body) if removals else _texts(body)
        for callee in analyzer.function_result(current).calls:
            if callee not in seen:
                seen.add(callee)
                pending.append(callee)
    return frozenset(out)


def _texts(node: object) -> set[str]:
    """Every string literal below an IR node (statements and expressions alike).

    NOTE: IR nodes are slotted dataclasses whose children are nodes or tuples of them, so one
    walk over ``__slots__`` covers every node type without a visitor per type.
    """
    if isinstance(node, ir.Const):
        return {node.text} if node.text else set()
    if isinstance(node, ir.Sub):  # ``body['password']`` reads the name, it keeps nothing out
        return _texts(node.obj) | (
            set() if isinstance(node.index, ir.Const) else _texts(node.index)
        )
    if isinstance(node, ir.Dict):  # ``{'password': digest}`` sets the field, it hides nothing
        return _texts(node.values) | _texts(
            tuple(k for k in node.keys if not isinstance(k, ir.Const))
        )
    if _reads_field(node):
        assert isinstance(node, ir.Call) and isinstance(node.func, ir.Attr)
        return _texts(node.func.obj) | _texts(node.args[1:]) | _texts(node.kwargs)
    if isinstance(node, tuple):
        return set().union(*(_texts(n) for n in node))
    out: set[str] = set()
    for slot in getattr(type(node), "__slots__", ()) if not isinstance(node, str) else ():
        out |= _texts(getattr(node, slot, None))
    return out


def _removed(node: object) -> set[str]:
    """String literals that remove a name or are compared (``item.pop('password')``, ``del``,
    ``k != 'password'``, ``k not in ('salt', 'hash')``), not those merely listed."""
    if isinstance(node, (ir.Pure, ir.TextTest)):
        return _texts(node)
    if (
        isinstance(node, ir.Call)
        and isinstance(node.func, ir.Attr)
        and node.func.attr == "pop"
        and node.args
    ):
        return _texts(node.args[0]) | _removed(node.func.obj)
    if isinstance(node, tuple):
        return set().union(*(_removed(n) for n in node))
    if isinstance(node, (str, ir.Const)) or node is None:
        return set()
    out: set[str] = set()
    for slot in getattr(type(node), "__slots__", ()):
        out |= _removed(getattr(node, slot, None))
    return out


def _reads_field(node: object) -> bool:
    """``d.get('password')``: a read by name, not a removal."""
    return (
        isinstance(node, ir.Call)
        and isinstance(node.func, ir.Attr)
        and node.func.attr == "get"
        and bool(node.args)
        and isinstance(node.args[0], ir.Const)
    )
