"""The pydantic model: ``BaseModel`` subclasses validate what they are built from.

``Model(**data)`` / ``Model.model_validate(data)`` declare the keys (unless the class keeps
unknown fields) and check types and ranges: a validation step in the flow (DG301, DG302).
"""

from __future__ import annotations

from types import MappingProxyType

from dynaguard.static.flow import inputs
from dynaguard.static.flow.builtins import declared
from dynaguard.static.flow.frame import Args, Frame, Model
from dynaguard.static.flow.values import Value

_KIND = "pydantic"
_PARSERS = frozenset(
    {"model_validate", "parse_obj", "model_validate_json", "parse_raw", "model_construct",
     "construct", "validate", "from_orm", "model_validate_strings"}
)  # fmt: skip
_DUMPS = frozenset({"model_dump", "dict", "model_dump_json", "json", "to_dict"})


class Pydantic(Model):
    name = "pydantic"
    packages = frozenset({"pydantic"})
    class_kinds = MappingProxyType(
        {"ext:pydantic.BaseModel": _KIND, "ext:pydantic.main.BaseModel": _KIND}
    )
    kinds = frozenset({_KIND})

    def instantiate(self, frame: Frame, cls_id: str, args: Args) -> Value | None:
        data = args.all()
        checked = data if frame.analyzer.keeps_unknown(cls_id) else declared(data)
        name = cls_id.rpartition(":")[2]
        refs = frozenset({f"inst:{cls_id}"})
        return Value(inputs.validated(frame, args, checked, f"{name}(...)").labels, refs)

    def instance_method(
        self,
        frame: Frame,
        cls_id: str,
        receiver: Value,
        name: str,
        args: Args,
    ) -> Value | None:
        if name in _DUMPS:
            return Value(receiver.labels)
        return None

    def class_method(self, frame: Frame, cls_id: str, name: str, args: Args) -> Value | None:
        if name in _PARSERS:
            return self.instantiate(frame, cls_id, args)
        return None


MODEL = Pydantic()
