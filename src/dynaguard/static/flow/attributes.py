"""Attribute loads: ``obj.name`` of project modules, classes and instances, and of what models
made (request objects, DynamoDB handles...)."""

from __future__ import annotations

from dynaguard.static.flow.frame import Frame
from dynaguard.static.flow.values import (
    ELEM,
    NAMED_ELEM,
    Transform,
    Value,
    apply,
    attributes_of,
    join_all,
    ref,
)


def attribute(frame: Frame, obj: Value, name: str, line: int, col: int) -> Value:
    """``obj.name``."""
    if name == "__dict__":
        # An object's attributes as a mapping: the object's own data, not one of its values.
        return attributes_of(obj)
    parts: list[Value] = []
    held: Transform | None = None
    if name in obj.fields:
        parts.append(obj.fields[name])
    elif obj.labels:
        held = _held(frame, obj, name)
        parts.append(apply(obj, held))
    for ref_name in sorted(obj.refs):
        found = _ref_attribute(frame, ref_name, name, line, col)
        if found is not None:
            parts.append(found)
    modelled = frame.models.attribute(frame, obj, name, line, col) if obj.refs else None
    if modelled is not None:
        parts.append(modelled)
    elif not parts:
        objects = frozenset(r for r in obj.refs if r.partition(":")[0] in frame.models.ref_kinds)
        if objects:
            # ``table.put_item`` not called here (``getattr(table, op)``, ``f = table.put_item``):
            # a method of a library object, called later as the model says (``calls.py``).
            return Value(None, objects | {f"{METHOD}{name}"}, None, None)
    out = join_all(parts)
    if held is NAMED_ELEM and out.text is None:
        return _constant(out, parts)
    return out


def _constant(out: Value, parts: list[Value]) -> Value:
    """``self.pk`` of a class constant ``pk = 'orders_{company_id}'``: the constant's text,
    which only a name the client chose could have replaced (those stay the labels)."""
    texts = {p.text for p in parts if p.text is not None}
    if len(texts) != 1 or any(p.text is None and (p.fields or p.refs) for p in parts):
        return out
    return Value(out.labels, out.refs, out.fields, texts.pop())


def _held(frame: Frame, obj: Value, name: str) -> Transform:
    """What of an object's data its attribute ``name`` can hold: any of it (the constructor
    stored its arguments under names the code chose), except a constant of its class (a class
    body binding no method sets on ``self``), which only a name the client chose could replace
    (``setattr(obj, body['k'], v)``)."""
    analyzer = frame.analyzer
    if any(r.startswith("inst:") and analyzer.class_level(r[5:], name) for r in obj.refs):
        return NAMED_ELEM
    return ELEM


METHOD = "meth:"
"""Ref of a library object's method taken without calling it; the object's refs travel with it."""


def external_name(frame: Frame, name: str) -> str:
    """The canonical spelling of an external dotted name (``flask.globals.request``)."""
    return frame.models.aliases.get(name, name)


def _ref_attribute(frame: Frame, ref_name: str, name: str, line: int, col: int) -> Value | None:
    kind, _, target = ref_name.partition(":")
    analyzer = frame.analyzer
    if kind == "mod":
        return analyzer.module_attr(target, name)
    if kind == "ext":
        found = frame.models.ext_attribute(frame, ref_name, name, line, col)
        return found if found is not None else ref(external_name(frame, f"{ref_name}.{name}"))
    if kind == "cls":
        return class_attribute(frame, target, name)
    if kind == "inst":
        if analyzer.find_method(target, name) is not None:
            return ref(f"bound:{target}.{name}")
        return analyzer.instance_attr(target, name)
    return None


def class_attribute(frame: Frame, cls_id: str, name: str) -> Value:
    value = frame.analyzer.class_attr(cls_id, name)
    kinds = frame.analyzer.kinds(cls_id)
    if kinds:
        found = frame.models.class_attribute(frame, cls_id, name, value)
        if found is not None:
            return found
    return value
