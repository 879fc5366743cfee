"""Models of the libraries request data passes through: builtins, json, pydantic, marshmallow,
PynamoDB, Flask's request, Flask-RESTful's reqparse. Unknown callables keep client scalars only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dynaguard.static import accesses, flask_routes, identity, inputs, ir, pynamo, secure_lib
from dynaguard.static.evaluate import subscript
from dynaguard.static.events import Event, Op
from dynaguard.static.frame import Frame
from dynaguard.static.interp import root_name, store_field
from dynaguard.static.values import (
    CONTAIN,
    ELEM,
    EMPTY,
    KEYED,
    KEYS,
    PARSE,
    SANITISE,
    SCALAR,
    STR,
    VALUES,
    Value,
    any_field,
    apply,
    join,
    join_all,
    with_step,
)

if TYPE_CHECKING:
    from dynaguard.static.calls import Args

PYNAMO_ATTRIBUTE = "pynattr"
_ALIASES = {
    "ext:flask.globals.request": "ext:flask.request",
    "ext:boto3.session.Session": "ext:boto3.Session",
    "ext:flask_restful.reqparse.RequestParser": flask_routes.REQPARSE,
    "ext:flask_restx.reqparse.RequestParser": flask_routes.REQPARSE,
    "ext:flask_restplus.reqparse.RequestParser": flask_routes.REQPARSE,
}
_PARSERS = frozenset(
    {
        "ext:json.loads",
        "ext:json.load",
        "ext:flask.json.loads",
        "ext:simplejson.loads",
        "ext:orjson.loads",
        "ext:ujson.loads",
    }
)
_COPIES = frozenset(
    {"ext:copy.copy", "ext:copy.deepcopy", "ext:dataclasses.asdict", "ext:collections.OrderedDict"}
)
_SAME = frozenset(
    {
        "list",
        "tuple",
        "set",
        "frozenset",
        "sorted",
        "reversed",
        "iter",
        "next",
        "vars",
        "zip",
        "enumerate",
        "map",
        "filter",
    }
)
_NOTHING = frozenset(
    {
        "len",
        "isinstance",
        "issubclass",
        "hasattr",
        "callable",
        "print",
        "id",
        "type",
        "bool",
        "super",
        "open",
        "hash",
    }
)
_PYNAMO_READS = frozenset(
    {"get", "get_or_none", "query", "scan", "batch_get", "from_raw_data", "from_dynamodb_dict"}
)
_PYDANTIC_PARSERS = frozenset(
    {
        "model_validate",
        "parse_obj",
        "model_validate_json",
        "parse_raw",
        "model_construct",
        "construct",
        "validate",
        "from_orm",
        "model_validate_strings",
    }
)
_DUMPS = frozenset({"model_dump", "dict", "model_dump_json", "json", "to_dict"})


def ext_name(name: str) -> str:
    return _ALIASES.get(name, name)


def declared(value: Value) -> Value:
    """A value bound to a declared schema: the keys are the server's now."""
    return apply(value, SANITISE)


def external_call(frame: Frame, name: str, args: Args) -> Value:
    if name in _PARSERS:
        return inputs.convert(frame, name, args, apply(args.first(), PARSE))
    if name == "ext:decimal.Decimal":
        return inputs.convert(frame, name, args, apply(args.all(), SCALAR))
    if name in _COPIES:
        return args.first()
    found = flask_routes.external_call(frame, name, args)
    if found is None:
        found = identity.external_call(frame, name, args)
    if found is None:
        found = accesses.fresh(name, args.site)
    if found is not None:
        return found
    if name.startswith("ext:dynaguard.secure"):
        secure_lib.call(frame, name, args)  # records the conditional write; value as usual
    if name in _RESPONSES:
        return _response(args)
    if name.endswith((".dumps", ".jsonify")):
        return apply(args.all(), STR)
    return apply(args.all(), SCALAR)


_RESPONSES = frozenset({"ext:flask.jsonify", "ext:flask.json.jsonify", "ext:flask.make_response"})


def _response(args: Args) -> Value:
    """``jsonify(item)``, ``jsonify(users=items)``: the response holds the values as they are
    (a whole item stays whole, for DG801); nothing is a sink after it."""
    keywords = Value(None, frozenset(), dict(args.keywords)) if args.keywords else EMPTY
    return join_all([args.positional[0] if args.positional else EMPTY, keywords])


def builtin_call(frame: Frame, call: ir.Call, name: str, args: Args) -> Value:
    if name == "dict":
        return _dict_call(frame, args)
    if name in _SAME:
        return join_all(args.positional)
    if name in {"str", "repr", "format", "ascii"}:
        return apply(args.all(), STR)
    if name in _NOTHING:
        return EMPTY
    if name == "getattr" and len(args.positional) >= 2:
        return _getattr(frame, args)
    if name == "setattr" and len(args.positional) == 3:
        _setattr(frame, call, args)
        return EMPTY
    if name in {"int", "float"}:
        return inputs.convert(frame, name, args, apply(args.all(), SCALAR))
    return apply(args.all(), SCALAR)


def _dict_call(frame: Frame, args: Args) -> Value:
    site = args.site
    out = join_all([*args.positional, *args.spread])
    for key, value in args.keywords.items():
        stepped = with_step(value, frame.step(site.line, site.col, f"dict({key}=...)"))
        out = Value(
            {**apply(stepped, CONTAIN).labels, **out.labels}, out.refs, {**out.fields, key: stepped}
        )
    return out


def _getattr(frame: Frame, args: Args) -> Value:
    from dynaguard.static.calls import attribute

    obj, name = args.positional[0], args.positional[1]
    default = args.positional[2] if len(args.positional) > 2 else EMPTY
    if name.text is not None:
        return join(attribute(frame, obj, name.text, 0, 0), default)
    if any(_kinds(frame, r[4:]) & {"pynamo"} for r in obj.refs if r.startswith("cls:")):
        return Value(apply(name, KEYED).labels, frozenset({PYNAMO_ATTRIBUTE}))
    return join(apply(obj, ELEM), default)


def _setattr(frame: Frame, call: ir.Call, args: Args) -> None:
    site = args.site
    obj, name, value = args.positional
    target = call.args[0]
    if name.text is not None:
        store_field(
            frame, target, name.text, value, at=(site.line, site.col), spelling=f".{name.text}"
        )
        return
    if any(_kinds(frame, r[5:]) & {"pynamo"} for r in obj.refs if r.startswith("inst:")):
        frame.emit(Event(Op.SETATTR, "setattr", site, {"Name": name}))


def _kinds(frame: Frame, cls_id: str) -> frozenset[str]:
    facts = frame.analyzer.class_facts(cls_id)
    return facts.kinds if facts else frozenset()


def _keeps_unknown(frame: Frame, cls_id: str) -> bool:
    facts = frame.analyzer.class_facts(cls_id)
    return bool(facts and any(f.info.keeps_unknown for f in frame.analyzer.mro(cls_id)))


def model_instance(frame: Frame, cls_id: str, kinds: frozenset[str], args: Args) -> Value:
    site = args.site
    """``Model(...)`` for PynamoDB, pydantic and marshmallow classes."""
    refs = frozenset({f"inst:{cls_id}"})
    if "pynamo" in kinds:
        class_name = cls_id.rpartition(".")[2].rpartition(":")[2]
        spread = with_step(
            join_all(args.spread), frame.step(site.line, site.col, f"{class_name}(**...)")
        )
        out = Value(spread.labels, refs, dict(spread.fields))
        for key, value in args.keywords.items():
            stepped = with_step(value, frame.step(site.line, site.col, f"{class_name}({key}=...)"))
            out = Value(
                {**out.labels, **apply(stepped, CONTAIN).labels}, refs, {**out.fields, key: stepped}
            )
        keys = pynamo.positional_keys(frame.analyzer, cls_id, args.positional)
        out = Value(out.labels, refs, {**keys, **out.fields}) if keys else out
        return join(out, Value(apply(join_all(args.positional), CONTAIN).labels))
    if "pydantic" in kinds:
        data = args.all()
        checked = data if _keeps_unknown(frame, cls_id) else declared(data)
        name = cls_id.rpartition(":")[2]
        return Value(inputs.validated(frame, args, checked, f"{name}(...)").labels, refs)
    unknown = args.keywords.get("unknown", EMPTY)
    include = (unknown.text or "").lower() == "include" or any(
        r.endswith(".INCLUDE") for r in unknown.refs
    )
    return Value(None, refs | ({"schema:include"} if include else set()))


def instance_method(
    frame: Frame, cls_id: str, receiver: Value, name: str, args: Args
) -> Value | None:
    site = args.site
    kinds = _kinds(frame, cls_id)
    if "pynamo" in kinds and name in {"save", "update", "delete"}:
        extra = pynamo.write_args(cls_id, args)  # condition and table, for DG401-DG404
        if name == "save":
            frame.emit(Event(Op.PUT, "Model.save", site, {"Item": receiver, **extra}))
        elif name == "update":
            actions = {"actions": args.first("actions"), "@item": receiver}
            frame.emit(Event(Op.UPDATE, "Model.update", site, {**actions, **extra}))
        else:
            frame.emit(Event(Op.READ, "Model.delete", site, {"@item": receiver, **extra}))
        return EMPTY
    if "pydantic" in kinds and name in _DUMPS:
        return Value(receiver.labels)
    if "schema" in kinds and name in {"load", "loads"}:
        data = args.first("data")
        unknown = args.keywords.get("unknown", EMPTY)
        keeps = (
            "schema:include" in receiver.refs
            or _keeps_unknown(frame, cls_id)
            or (unknown.text or "").lower() == "include"
            or any(r.endswith(".INCLUDE") for r in unknown.refs)
        )
        note = f"{cls_id.rpartition(':')[2]}.{name}(...)"
        return inputs.validated(frame, args, data if keeps else declared(data), note)
    if "schema" in kinds and name in {"dump", "dumps"}:
        return declared(args.first())  # only the declared fields are dumped
    return None


def class_method(frame: Frame, cls_id: str, name: str, args: Args) -> Value | None:
    kinds = _kinds(frame, cls_id)
    if "pynamo" in kinds and name in _PYNAMO_READS:
        found, event = pynamo.read(frame.analyzer, cls_id, name, args)
        if event is not None:
            frame.emit(event)
        return found
    if "pydantic" in kinds and name in _PYDANTIC_PARSERS:
        return model_instance(frame, cls_id, kinds, args)
    return None


def class_attribute(frame: Frame, cls_id: str, name: str) -> Value:
    value = frame.analyzer.class_attr(cls_id, name)
    if "pynamo" in _kinds(frame, cls_id) and not any(r.startswith("fn:") for r in value.refs):
        return Value(refs=frozenset({PYNAMO_ATTRIBUTE}), text=name)
    return value


def other_method(
    frame: Frame, ref_name: str, receiver: Value, name: str, args: Args
) -> Value | None:
    site = args.site
    if ref_name == PYNAMO_ATTRIBUTE and name in {
        "set",
        "add",
        "remove",
        "append",
        "prepend",
        "delete",
    }:
        value = with_step(
            args.first(), frame.step(site.line, site.col, f"{receiver.text or '?'}.{name}(...)")
        )
        labels = {**apply(value, CONTAIN).labels, **receiver.labels}
        return Value(labels, frozenset(), {receiver.text: value} if receiver.text else None)
    if ref_name == identity.OWNED:
        secure_lib.owned_call(frame, receiver, name, args)
        return identity.owned_method(frame, receiver, name, args)
    return flask_routes.other_method(frame, ref_name, receiver, name, args)


def other_attribute(frame: Frame, ref_name: str, name: str, line: int, col: int) -> Value | None:
    return flask_routes.other_attribute(frame, ref_name, name, line, col)


def request_attribute(frame: Frame, ref_name: str, name: str, line: int, col: int) -> Value | None:
    found = flask_routes.request_attribute(frame, ref_name, name, line, col)
    return found if found is not None else identity.attribute(frame, ref_name, name, line, col)


def mapping_method(
    frame: Frame, obj: ir.Expr, receiver: Value, name: str, args: Args
) -> Value | None:
    site = args.site
    """Methods of dicts and werkzeug MultiDicts on request data (or on known dict literals)."""
    if name == "update":
        root = root_name(obj)
        if root is not None:
            added = join_all([*args.positional, *args.spread])
            for keyword, value in args.keywords.items():
                added = Value(
                    {**added.labels, **apply(value, CONTAIN).labels},
                    added.refs,
                    {**added.fields, keyword: value},
                )
            frame.env[root] = join(frame.lookup(root), added)
        return EMPTY
    if not receiver.labels and not receiver.fields:
        return None
    if name in {
        "get",
        "pop",
        "getlist",
        "get_all",
        "getone",
        "__getitem__",
        "setdefault",
        "popitem",
    }:
        key = args.first()
        found = subscript(receiver, key)
        if len(args.positional) > 1:
            found = join(found, args.positional[1])
        if name in ("get", "pop") and receiver.labels:  # a field step; pop('f') raises KeyError
            raises = name == "pop" and len(args.positional) == 1 and not args.keywords
            at = (site.line, site.col)
            found = inputs.lookup(
                frame, obj, receiver, key, found, at=at, method=name, raises=raises
            )
        if name == "setdefault" and key.text is not None and len(args.positional) > 1:
            store_field(
                frame,
                obj,
                key.text,
                args.positional[1],
                at=(site.line, site.col),
                spelling=f"[{key.text!r}]",
            )
        return found
    if name in {"copy", "to_dict", "dict", "deepcopy"}:
        return receiver
    if name in {"keys", "values", "items"}:
        keys, values = apply(receiver, KEYS), join(apply(receiver, VALUES), any_field(receiver))
        return {"keys": keys, "values": values, "items": join(keys, values)}[name]
    return None
