"""The registered models as one: asks them in order, and answers with the first answer.

``Models`` is itself a ``Model`` (``frame.models``), so the interpreter asks one object; which
models can answer a question is indexed once (by package, builtin, ref kind, class kind, method
name, and whether a model implements the question at all), so a question costs a dict lookup and
the models that care, not a walk over every model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from dynaguard.static.flow.frame import ANY_PACKAGE, Args, Frame, Model
from dynaguard.static.flow.values import Value, join_all
from dynaguard.static.source import ir
from dynaguard.static.source.project import Project

M = TypeVar("M", bound=Model)
T = TypeVar("T")


def _overrides(model: Model, hook: str) -> bool:
    return getattr(type(model), hook) is not getattr(Model, hook)


def _kind_of_ref(name: str) -> str:
    return name.partition(":")[0]


class Models(Model):
    """An ordered set of models; its answers are the first of theirs."""

    name = "models"

    def __init__(self, models: Iterable[Model]) -> None:
        self.members: tuple[Model, ...] = tuple(models)
        members = self.members
        self.packages = frozenset(p for m in members for p in m.packages) - {ANY_PACKAGE}
        self.relevant_names = frozenset(n for m in members for n in m.relevant_names)
        self.aliases = {k: v for m in members for k, v in m.aliases.items()}
        self.ref_kinds = frozenset(k for m in members for k in m.ref_kinds)
        self.subscripted_kinds = frozenset(k for m in members for k in m.subscripted_kinds)
        self._any = [m for m in members if ANY_PACKAGE in m.packages]
        self._by_package: dict[str, list[Model]] = {}
        self._by_builtin = _index(members, lambda m: m.builtins)
        self._by_ref_kind = _index(members, lambda m: m.ref_kinds)
        self._by_class_kind = _index(members, lambda m: m.kinds)
        self._by_method = _index(members, lambda m: m.method_names)
        self._imports = [m for m in members if _overrides(m, "imported")]
        self._returns = [m for m in members if _overrides(m, "returned")]
        self._combines = [m for m in members if _overrides(m, "combine")]
        self._kind_ofs = [m for m in members if m.class_kinds or _overrides(m, "kind_of")]
        self._decorates = [m for m in members if _overrides(m, "decorate")]
        self._tests = [m for m in members if _overrides(m, "on_test")]
        self._calls = [m for m in members if _overrides(m, "on_call")]
        self._project_calls = [m for m in members if _overrides(m, "project_call")]
        self.answers_project_calls = bool(self._project_calls)
        self._bare = [m for m in members if _overrides(m, "on_bare_call")]
        self._shapes = [m for m in members if _overrides(m, "shaped")]
        self._subscripts = [m for m in members if _overrides(m, "subscript")]

    def _for_package(self, name: str) -> list[Model]:
        top = name[4:].partition(".")[0]  # "ext:flask.request" -> "flask"
        found = self._by_package.get(top)
        if found is None:
            found = self._by_package[top] = [
                m for m in self.members if top in m.packages or ANY_PACKAGE in m.packages
            ]
        return found

    def _for_refs(self, refs: frozenset[str]) -> list[Model]:
        if len(refs) == 1:
            return self._by_ref_kind.get(_kind_of_ref(next(iter(refs))), [])
        found: list[Model] = []
        for name in sorted(refs):
            for model in self._by_ref_kind.get(_kind_of_ref(name), ()):
                if model not in found:
                    found.append(model)
        return found

    def _for_kinds(self, kinds: frozenset[str]) -> list[Model]:
        found: list[Model] = []
        for model in self.members:
            if not model.kinds.isdisjoint(kinds):
                found.append(model)
        return found

    # -- calls and attributes ----------------------------------------------------------------

    def call(self, frame: Frame, name: str, args: Args) -> Value | None:
        if name.startswith("builtin:"):
            candidates: Sequence[Model] = self._by_builtin.get(name[8:], ())
        else:
            candidates = self._for_package(name)
        for model in candidates:
            found = model.call(frame, name, args)
            if found is not None:
                return found
        return None

    def named_method(self, frame: Frame, receiver: Value, name: str, args: Args) -> Value | None:
        return _first(
            self._by_method.get(name, ()), lambda m: m.named_method(frame, receiver, name, args)
        )

    def method(self, frame: Frame, receiver: Value, name: str, args: Args) -> Value | None:
        # A receiver may be several objects: every model that knows one of them answers.
        return _joined(
            self._for_refs(receiver.refs), lambda m: m.method(frame, receiver, name, args)
        )

    def attribute(self, frame: Frame, obj: Value, name: str, line: int, col: int) -> Value | None:
        return _joined(self._for_refs(obj.refs), lambda m: m.attribute(frame, obj, name, line, col))

    def subscript(
        self, frame: Frame, container: Value, key: Value, at: tuple[int, int]
    ) -> Value | None:
        return _first(self._subscripts, lambda m: m.subscript(frame, container, key, at))

    def shaped(self, frame: Frame, name: str, args: Args) -> Value | None:
        for model in self._shapes:  # asked for most unexplained calls: no closure per call
            found = model.shaped(frame, name, args)
            if found is not None:
                return found
        return None

    def ext_attribute(
        self, frame: Frame, ref_name: str, name: str, line: int, col: int
    ) -> Value | None:
        return _first(
            self._for_package(ref_name),
            lambda m: m.ext_attribute(frame, ref_name, name, line, col),
        )

    def imported(self, path: str, name: str) -> Value | None:
        return _first(self._imports, lambda m: m.imported(path, name))

    def returned(self, value: Value, args: Args) -> Value:
        for model in self._returns:
            value = model.returned(value, args)
        return value

    def combine(self, parts: list[Value]) -> frozenset[str] | None:
        return _first(self._combines, lambda m: m.combine(parts))

    # -- classes -----------------------------------------------------------------------------

    def kind_of(self, base: str) -> str | None:
        return _first(self._kind_ofs, lambda m: m.kind_of(base))

    def instantiate(self, frame: Frame, cls_id: str, args: Args) -> Value | None:
        models = self._for_kinds(frame.analyzer.kinds(cls_id))
        return _first(models, lambda m: m.instantiate(frame, cls_id, args))

    def instance_method(
        self,
        frame: Frame,
        cls_id: str,
        receiver: Value,
        name: str,
        args: Args,
    ) -> Value | None:
        models = self._for_kinds(frame.analyzer.kinds(cls_id))
        return _first(models, lambda m: m.instance_method(frame, cls_id, receiver, name, args))

    def class_method(self, frame: Frame, cls_id: str, name: str, args: Args) -> Value | None:
        models = self._for_kinds(frame.analyzer.kinds(cls_id))
        return _first(models, lambda m: m.class_method(frame, cls_id, name, args))

    def class_attribute(self, frame: Frame, cls_id: str, name: str, value: Value) -> Value | None:
        models = self._for_kinds(frame.analyzer.kinds(cls_id))
        return _first(models, lambda m: m.class_attribute(frame, cls_id, name, value))

    # -- what the code does around the calls ---------------------------------------------------

    def decorate(self, frame: Frame, target: str, decorator: ir.Expr, is_class: bool) -> bool:
        return any(m.decorate(frame, target, decorator, is_class) for m in self._decorates)

    def on_test(self, frame: Frame, stmt: ir.If) -> None:
        for model in self._tests:
            model.on_test(frame, stmt)

    def limit_to(self, project: Project) -> None:
        """Ask ``project_call`` only of the models that may answer for this project."""
        self._project_calls = [m for m in self._project_calls if m.answers_in(project)]
        self.answers_project_calls = bool(self._project_calls)

    def project_call(
        self, frame: Frame, fn_id: str, args: Args, summary: Callable[[], Value]
    ) -> Value | None:
        return _first(self._project_calls, lambda m: m.project_call(frame, fn_id, args, summary))

    def on_call(self, frame: Frame, fn_id: str, params: list[Value]) -> None:
        for model in self._calls:
            model.on_call(frame, fn_id, params)

    def on_bare_call(self, frame: Frame, call: ir.Call) -> None:
        for model in self._bare:
            model.on_bare_call(frame, call)


def _index(models: Sequence[M], keys: Callable[[M], Iterable[str]]) -> dict[str, list[M]]:
    out: dict[str, list[M]] = {}
    for model in models:
        for key in keys(model):
            out.setdefault(key, []).append(model)
    return out


def _first(models: Iterable[M], ask: Callable[[M], T | None]) -> T | None:
    for model in models:
        found = ask(model)
        if found is not None:
            return found
    return None


def _joined(models: Iterable[M], ask: Callable[[M], Value | None]) -> Value | None:
    answers = [a for a in (ask(m) for m in models) if a is not None]
    return join_all(answers) if answers else None
