"""Allowlisted update expressions (DG102, DG103, DG701, DG702).

Attribute names only ever reach DynamoDB as ``ExpressionAttributeNames`` placeholders and values
only as ``ExpressionAttributeValues``, so no client string is ever parsed as expression syntax.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from dynaguard.secure.errors import BadRequest
from dynaguard.secure.values import is_absent, to_dynamo


@dataclass(frozen=True, slots=True)
class UpdateSpec:
    """The parts of an ``update_item`` call; ``kwargs()`` spreads them into the call."""

    update_expression: str
    """e.g. ``SET #n0 = :v0, #n1 = :v1 REMOVE #n2``."""
    names: Mapping[str, str]
    """Placeholder to attribute name, ``#n0 -> "status"``."""
    values: Mapping[str, Any]
    """Placeholder to value, ``:v0 -> "shipped"``; never holds an attribute name."""
    condition_expression: str | None = None
    """Optional ``ConditionExpression`` whose placeholders are also in ``names`` / ``values``."""

    def kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``Table.update_item`` (add ``Key`` and ``ReturnValues``)."""
        kwargs: dict[str, Any] = {
            "UpdateExpression": self.update_expression,
            "ExpressionAttributeNames": dict(self.names),
        }
        if self.values:  # DynamoDB rejects an empty ExpressionAttributeValues map.
            kwargs["ExpressionAttributeValues"] = dict(self.values)
        if self.condition_expression:
            kwargs["ConditionExpression"] = self.condition_expression
        return kwargs

    def with_condition(
        self,
        expression: str,
        names: Mapping[str, str],
        values: Mapping[str, Any] | None = None,
    ) -> UpdateSpec:
        """A copy guarded by ``expression``; use ``#c``/``:c`` placeholders, never ``#n``/``:v``."""
        clash = (set(names) & set(self.names)) | (set(values or {}) & set(self.values))
        if clash:
            raise ValueError(f"condition placeholders clash with the update's: {sorted(clash)}")
        return UpdateSpec(
            update_expression=self.update_expression,
            names=MappingProxyType({**self.names, **names}),
            values=MappingProxyType({**self.values, **(values or {})}),
            condition_expression=expression,
        )


@dataclass(slots=True)
class _Builder:
    names: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    sets: list[str] = field(default_factory=list)
    removes: list[str] = field(default_factory=list)

    def add(self, name: str, value: Any) -> None:
        name_ph = f"#n{len(self.names)}"
        self.names[name_ph] = name
        if is_absent(value):
            # None means "clear this field": REMOVE, rather than storing a NULL.
            self.removes.append(name_ph)
            return
        value_ph = f":v{len(self.values)}"
        try:
            self.values[value_ph] = to_dynamo(value, path=name)
        except ValueError as exc:
            raise BadRequest(str(exc), details={"fields": [name]}) from None
        self.sets.append(f"{name_ph} = {value_ph}")

    def spec(self) -> UpdateSpec:
        clauses = []
        if self.sets:
            clauses.append("SET " + ", ".join(self.sets))
        if self.removes:
            clauses.append("REMOVE " + ", ".join(self.removes))
        return UpdateSpec(
            " ".join(clauses), MappingProxyType(self.names), MappingProxyType(self.values)
        )


def build_update(
    fields: Mapping[str, Any],
    *,
    allowed: Collection[str],
    key_attributes: Collection[str] = (),
    extra_set: Mapping[str, Any] | None = None,
) -> UpdateSpec:
    """An update of ``fields`` (client data) plus ``extra_set`` (server data, wins on overlap).

    A field outside ``allowed``, a key attribute, or an empty ``fields`` is a ``BadRequest``;
    a None value removes the attribute.
    """
    if not fields:
        raise BadRequest("there are no fields to update")
    keys = set(key_attributes)
    refused = sorted((n for n in fields if n not in allowed or n in keys or not n), key=str)
    if refused:
        raise BadRequest(
            "these fields cannot be updated: " + ", ".join(map(repr, refused)),
            details={"fields": refused},
        )
    server = dict(extra_set or {})
    if keys & set(server):
        raise ValueError(f"extra_set may not change key attributes: {sorted(keys & set(server))}")
    builder = _Builder()
    for name, value in fields.items():
        if name not in server:
            builder.add(name, value)
    for name, value in server.items():
        builder.add(name, value)
    return builder.spec()
