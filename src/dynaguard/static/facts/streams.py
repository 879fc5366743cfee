"""DynamoDB Streams consumers (DG601, DG602): functions that process ``event['Records']``.

Read from the ``ast`` of the modules whose source mentions ``Records`` (re-parsed on demand, so
scans without a consumer pay nothing). A consumer is a function that iterates
``X['Records']`` / ``X.get('Records')`` (directly or through a variable) or reads one fixed
``Records[0]``, and that reads stream record fields (``eventName``, ``dynamodb``, ``NewImage``,
``OldImage``) itself or in the project functions it calls, as keys or as attributes (an event
wrapped in an object: ``event.Records``, ``record.dynamodb.NewImage``). Kinesis and SQS batches
have ``Records`` too; without those fields they are not DynamoDB Streams consumers. A Chalice
``@app.on_dynamodb_record(...)`` function is one by its decorator: it iterates its event, or
hands it to a project function that does (``return triggers.handle(event)``), which is then the
consumer (``Consumer.entry`` keeps the decorated one: the flow starts there).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from dynaguard.static.flow.analyzer import Analyzer
from dynaguard.static.flow.values import Step
from dynaguard.static.source import ir

STREAM_FIELDS = frozenset({"eventName", "dynamodb", "NewImage", "OldImage"})
_STREAM_ATTRIBUTES = STREAM_FIELDS - {"dynamodb"}
"""Read as attributes of a wrapped record; ``x.dynamodb`` is also ``boto3.dynamodb``."""
_FUNCTION = (ast.FunctionDef, ast.AsyncFunctionDef)
_DEPTH = 3


@dataclass(frozen=True, slots=True)
class Function:
    """A project function's ``ast`` with where it lives."""

    module: ir.Module
    qualname: str
    node: ast.FunctionDef | ast.AsyncFunctionDef

    @property
    def fn_id(self) -> str:
        return f"{self.module.name}:{self.qualname}"


@dataclass(frozen=True, slots=True)
class Consumer:
    function: Function
    loops: tuple[ast.For | ast.AsyncFor, ...]
    """``for record in event['Records']`` loops."""
    fixed: tuple[ast.Subscript, ...]
    """``event['Records'][0]``: one record of the batch, by position."""
    entry: Function | None = None
    """The Chalice consumer that handed its batch to ``function`` (``return handle(event)``)."""

    def entry_steps(self) -> tuple[Step, ...]:
        """The first step of a finding's flow when the batch came from another function."""
        if self.entry is None:
            return ()
        note = f"hands the batch to {self.function.qualname}"
        return (step_at(self.entry, self.entry.node, note),)

    @property
    def entry_id(self) -> str:
        """The function the platform calls: where the finding's endpoint comes from."""
        return (self.entry or self.function).fn_id


def step_at(function: Function, node: ast.AST, note: str) -> Step:
    line, col = getattr(node, "lineno", function.node.lineno), getattr(node, "col_offset", 0)
    return Step(function.module.path, line, col, function.qualname, note)


Via = tuple[tuple[Function, ast.Call], ...]
"""The calls (and the functions they are in) from a consumer down to a function it reaches."""


class Streams:
    """The consumers of one analysis run, and resolution of the calls they make."""

    def __init__(self, analyzer: Analyzer) -> None:
        self.analyzer = analyzer
        self._trees: dict[str, dict[str, Function]] = {}

    def consumers(self) -> list[Consumer]:
        out: list[Consumer] = []
        for name in sorted(self.analyzer.project.modules):
            module = self.analyzer.project.modules[name]
            if "Records" not in module.source and _CHALICE not in module.source:
                continue
            for function in self.functions(name).values():
                chalice = _chalice_consumer(function)
                if chalice is not None and not chalice.loops:
                    chalice = self._delegated(chalice) or chalice
                found = _consumer(function) if is_entry(function.node) else None
                if chalice is not None:
                    out.append(chalice)
                elif found is not None and self.reads_stream_fields(found):
                    out.append(found)
        return out

    def _delegated(self, consumer: Consumer) -> Consumer | None:
        """``return handle(event)`` in a Chalice consumer: the project function it hands the
        batch to, when that function loops over it, is the consumer."""
        node = consumer.function.node
        params = [a.arg for a in (*node.args.posonlyargs, *node.args.args)]
        for call in calls_in(node):
            at = next(
                (
                    i
                    for i, a in enumerate(call.args)
                    if isinstance(a, ast.Name) and a.id == params[0]
                ),
                None,
            )
            callee = self.resolve(consumer.function, call.func) if at is not None else None
            if callee is None or at is None:
                continue
            inner = callee.node
            names = [a.arg for a in (*inner.args.posonlyargs, *inner.args.args)]
            if at >= len(names):
                continue
            loops = [
                n
                for n in own_nodes(inner)
                if isinstance(n, (ast.For, ast.AsyncFor)) and _iterates(n.iter, names[at])
            ]
            if loops:
                return Consumer(callee, tuple(sorted(loops, key=_position)), (), consumer.function)
        return None

    def functions(self, module_name: str) -> dict[str, Function]:
        """Every function of a module by qualname (the module parsed once per run)."""
        found = self._trees.get(module_name)
        if found is None:
            module = self.analyzer.project.modules[module_name]
            try:
                tree = ast.parse(module.source)
            except (SyntaxError, ValueError, RecursionError):
                tree = ast.Module(body=[], type_ignores=[])
            found = self._trees[module_name] = {}
            _collect(module, tree.body, "", found)
        return found

    def reads_stream_fields(self, consumer: Consumer) -> bool:
        roots: list[ast.AST] = [*consumer.loops] or [consumer.function.node]
        return any(
            _mentions(function.node if depth else root, STREAM_FIELDS)
            for root in roots
            for function, depth, _ in self.reach(consumer.function, root)
        )

    def reach(self, function: Function, root: ast.AST) -> Iterator[tuple[Function, int, Via]]:
        """``function`` (depth 0, limited to ``root``) and the project functions its calls there
        reach, with the chain of calls that leads to each."""
        seen = {function.fn_id}
        pending: list[tuple[Function, ast.AST, int, Via]] = [(function, root, 0, ())]
        while pending:
            current, node, depth, via = pending.pop(0)
            yield current, depth, via
            if depth >= _DEPTH:
                continue
            for call in calls_in(node):
                for callee in self.callees(current, call.func):
                    if callee.fn_id not in seen:
                        seen.add(callee.fn_id)
                        pending.append((callee, callee.node, depth + 1, (*via, (current, call))))

    def callees(self, caller: Function, func: ast.expr) -> list[Function]:
        """The project functions a call may run: the one it names, or each entry of a dispatch
        table it indexes (``HANDLERS[kind](record)``, a module-level dict of functions)."""
        if isinstance(func, ast.Subscript) and isinstance(func.value, ast.Name):
            table = self.analyzer.global_value(caller.module.name, func.value.id)
            entries = [self._by_ref(v.refs) for _, v in sorted(table.fields.items())]
            return [f for f in entries if f is not None]
        found = self.resolve(caller, func)
        return [found] if found is not None else []

    def resolve(self, caller: Function, func: ast.expr) -> Function | None:
        """The project function a call names: nested, module-level, imported, ``self.m``."""
        module = caller.module
        if isinstance(func, ast.Name):
            scope = caller.qualname
            local = self.functions(module.name)
            while scope:
                if f"{scope}.{func.id}" in local:
                    return local[f"{scope}.{func.id}"]
                scope = scope.rpartition(".")[0]
            return self._by_ref(self.analyzer.global_value(module.name, func.id).refs)
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            if func.value.id in ("self", "cls"):
                owner = caller.qualname.rpartition(".")[0]
                return self.functions(module.name).get(f"{owner}.{func.attr}")
            value = self.analyzer.global_value(module.name, func.value.id)
            mods = [r[4:] for r in value.refs if r.startswith("mod:")]
            for mod in mods:
                found = self._by_ref(self.analyzer.module_attr(mod, func.attr).refs)
                if found is not None:
                    return found
        return None

    def _by_ref(self, refs: frozenset[str]) -> Function | None:
        for ref in sorted(refs):
            if ref.startswith("fn:"):
                module, _, qualname = ref[3:].partition(":")
                if module in self.analyzer.project.modules:
                    return self.functions(module).get(qualname)
        return None


def streams_of(analyzer: Analyzer) -> Streams:
    """One ``Streams`` per analysis run (DG601 and DG602 share the parsed modules)."""
    return analyzer.memo("streams", lambda: Streams(analyzer))


def _collect(module: ir.Module, body: list[ast.stmt], scope: str, out: dict[str, Function]) -> None:
    for node in body:
        if isinstance(node, _FUNCTION):
            qualname = f"{scope}.{node.name}" if scope else node.name
            out[qualname] = Function(module, qualname, node)
            _collect(module, node.body, qualname, out)
        elif isinstance(node, ast.ClassDef):
            _collect(module, node.body, f"{scope}.{node.name}" if scope else node.name, out)
        elif isinstance(node, (ast.If, ast.Try, ast.With)):
            _collect(
                module,
                [n for n in ast.iter_child_nodes(node) if isinstance(n, ast.stmt)],
                scope,
                out,
            )


def own_nodes(root: ast.AST) -> Iterator[ast.AST]:
    """The nodes under ``root`` that run when it runs (not those of nested functions or lambdas)."""
    pending = [root]
    while pending:
        node = pending.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, (*_FUNCTION, ast.Lambda, ast.ClassDef)):
                pending.append(child)


def calls_in(root: ast.AST) -> list[ast.Call]:
    calls = [n for n in own_nodes(root) if isinstance(n, ast.Call)]
    return sorted(calls, key=lambda c: (c.lineno, c.col_offset))


def _mentions(root: ast.AST, words: frozenset[str]) -> bool:
    return any(
        (isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value in words)
        or (isinstance(n, ast.Attribute) and n.attr in words & _STREAM_ATTRIBUTES)
        for n in own_nodes(root)
    )


def is_records(node: ast.expr, aliases: set[str]) -> bool:
    """``X['Records']``, ``X.get('Records', [])``, ``X.Records`` (an event wrapped in an object),
    or a variable assigned one of them."""
    if isinstance(node, ast.Name):
        return node.id in aliases
    if isinstance(node, ast.Attribute):
        return node.attr == "Records"
    if isinstance(node, ast.Subscript):
        index = node.slice
        return isinstance(index, ast.Constant) and index.value == "Records"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        args = node.args
        return node.func.attr == "get" and bool(args) and _is_text(args[0], "Records")
    return False


def _is_text(node: ast.expr, text: str) -> bool:
    return isinstance(node, ast.Constant) and node.value == text


def _consumer(function: Function) -> Consumer | None:
    aliases: set[str] = set()
    loops: list[ast.For | ast.AsyncFor] = []
    fixed: list[ast.Subscript] = []
    for node in sorted(own_nodes(function.node), key=_position):
        if isinstance(node, ast.Assign) and is_records(node.value, aliases):
            aliases |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, (ast.For, ast.AsyncFor)) and _iterates_records(node.iter, aliases):
            loops.append(node)
        elif isinstance(node, ast.Subscript) and _fixed_record(node, aliases):
            fixed.append(node)
    if not loops and not fixed:
        return None
    return Consumer(function, tuple(loops), tuple(fixed))


_CHALICE = "on_dynamodb_record"


def _chalice_consumer(function: Function) -> Consumer | None:
    """``@app.on_dynamodb_record(stream_arn=...)`` over ``def handle(event)``: ``for record in
    event`` is the loop over the batch."""
    node = function.node
    decorated = any(
        isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.func.attr == _CHALICE
        for d in node.decorator_list
    )
    params = [a.arg for a in (*node.args.posonlyargs, *node.args.args)]
    if not decorated or not params:
        return None
    loops = [
        n
        for n in own_nodes(node)
        if isinstance(n, (ast.For, ast.AsyncFor)) and _iterates(n.iter, params[0])
    ]
    return Consumer(function, tuple(sorted(loops, key=_position)), ())


def _iterates(node: ast.expr, name: str) -> bool:
    if isinstance(node, ast.Call) and node.args:  # enumerate(event), list(event)
        node = node.args[0]
    return isinstance(node, ast.Name) and node.id == name


def is_entry(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A Lambda entry point, ``handler(event, context)``: it receives the whole batch.

    NOTE: helpers that walk a batch for bookkeeping (a poller's checkpoint) are not consumers;
    Lambda always passes the context as the second argument.
    """
    params = [a.arg for a in (*node.args.posonlyargs, *node.args.args)]
    if params and params[0] in ("self", "cls"):
        params = params[1:]
    return len(params) == 2 and (
        params[1].lstrip("_") == "" or "context" in params[1] or params[1] == "ctx"
    )


def _fixed_record(node: ast.Subscript, aliases: set[str]) -> bool:
    """``event['Records'][0]``: one record by its position."""
    index = node.slice
    return (
        isinstance(index, ast.Constant)
        and isinstance(index.value, int)
        and is_records(node.value, aliases)
    )


def _iterates_records(node: ast.expr, aliases: set[str]) -> bool:
    wrapped = (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("enumerate", "reversed", "sorted", "list", "iter")
        and bool(node.args)
    )
    if wrapped:
        assert isinstance(node, ast.Call)
        return is_records(node.args[0], aliases)
    return is_records(node, aliases)


def _position(node: ast.AST) -> tuple[int, int]:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))
