"""The marshmallow model: ``Schema`` subclasses; ``load`` validates and keeps the declared
fields (unless ``unknown=INCLUDE``), ``dump`` returns only the declared fields."""

from __future__ import annotations

from dynaguard.static.flow import inputs
from dynaguard.static.flow.builtins import declared
from dynaguard.static.flow.frame import Args, Frame, Model
from dynaguard.static.flow.values import EMPTY, Value

_KIND = "schema"
_INCLUDE = "schema:include"
"""Ref of a schema instance made with ``unknown=INCLUDE``."""


def _includes(unknown: Value) -> bool:
    return (unknown.text or "").lower() == "include" or any(
        r.endswith(".INCLUDE") for r in unknown.refs
    )


class Marshmallow(Model):
    name = "marshmallow"
    packages = frozenset({"marshmallow", "flask_marshmallow"})
    kinds = frozenset({_KIND})

    def kind_of(self, base: str) -> str | None:
        if base.startswith(("ext:marshmallow", "ext:flask_marshmallow")) and base.endswith(
            "Schema"
        ):
            return _KIND
        return None

    def instantiate(self, frame: Frame, cls_id: str, args: Args) -> Value | None:
        refs = frozenset({f"inst:{cls_id}"})
        include = _includes(args.keywords.get("unknown", EMPTY))
        return Value(None, refs | ({_INCLUDE} if include else set()))

    def instance_method(
        self,
        frame: Frame,
        cls_id: str,
        receiver: Value,
        name: str,
        args: Args,
    ) -> Value | None:
        if name in {"load", "loads"}:
            data = args.first("data")
            keeps = (
                _INCLUDE in receiver.refs
                or frame.analyzer.keeps_unknown(cls_id)
                or _includes(args.keywords.get("unknown", EMPTY))
            )
            note = f"{cls_id.rpartition(':')[2]}.{name}(...)"
            return inputs.validated(frame, args, data if keeps else declared(data), note)
        if name in {"dump", "dumps"}:
            return declared(args.first())  # only the declared fields are dumped
        return None


MODEL = Marshmallow()
