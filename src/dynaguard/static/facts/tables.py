"""Project-wide facts about tables: which attributes the project writes, which hold the identity.

Built once per run from every function's accesses (``Result.accesses``, untainted ones too) and
the attributes PynamoDB models declare. A table is named as the access's ``@table`` says:
``Table('users')``, a handle made by a factory called with ``'users'``, or ``model:<class>``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dynaguard.catalogue.dg103 import normalise
from dynaguard.static.facts.keys import OWNER_NAMES, item_fields, key_fields, table_of
from dynaguard.static.flow.accesses import Access, read_param
from dynaguard.static.flow.events import Event, Op
from dynaguard.static.flow.values import EMPTY, STORED_BASE, Kind, Step, Value, join_all
from dynaguard.static.models.expressions import parse_update
from dynaguard.static.models.identity import mentions_identity

if TYPE_CHECKING:
    from dynaguard.static.flow.analyzer import Analyzer


@dataclass(slots=True)
class TableFacts:
    written: dict[str, set[str]] = field(default_factory=dict)
    """Table -> attribute names the project writes (puts, updates, model declarations)."""
    identity_keys: dict[str, set[str]] = field(default_factory=dict)
    """Table -> key attributes some access fills with the identity."""
    identity_values: dict[str, set[str]] = field(default_factory=dict)
    """Table -> written attributes that receive the identity (``owner``, also ``modified_by``)."""
    holds: dict[str, dict[str, set[tuple[str, Step]]]] = field(default_factory=dict)
    """Table -> attribute -> (table, write) for each table whose whole items the project
    writes into it (a comment that embeds its author's user item), and the write that does."""
    keys: dict[str, set[str]] = field(default_factory=dict)
    """Table -> attribute names that select its items somewhere in the project."""

    @property
    def owner_names(self) -> frozenset[str]:
        """Attributes that name whose an item is: the usual names, and the project's identity
        keys (normalised)."""
        found = {normalise(n) for names in self.identity_keys.values() for n in names}
        return OWNER_NAMES | found

    def owned(self, table: str | None) -> bool:
        """Items of the table belong to users: the identity is in its key, or stored in an owner
        attribute (an audit attribute such as ``modified_by`` does not make items anyone's)."""
        if table is None:
            return False
        if self.identity_keys.get(table):
            return True
        return any(normalise(n) in OWNER_NAMES for n in self.identity_values.get(table, ()))

    def records_owner(self, table: str | None) -> bool:
        """Items of a PynamoDB model name their owner in an attribute that is not their key (a
        song's ``owner``), whatever the project writes there: each item is someone's. Only a
        model declares one kind of item; a boto3 table may hold many (single-table designs)."""
        if table is None or not table.startswith("model:"):
            return False
        keys = {normalise(n) for n in self.keys.get(table, ())}
        written = {normalise(n) for n in self.written.get(table, ())}
        return bool((written - keys) & RECORDED_OWNERS)


def table_facts(analyzer: Analyzer) -> TableFacts:
    return analyzer.memo("tables", lambda: _collect(analyzer))


def _collect(analyzer: Analyzer) -> TableFacts:
    facts = TableFacts()
    read_tables: dict[int, str] = {}  # stored param (a read site) -> the table it reads
    held: _Held = {}
    for result in list(analyzer.results.values()):
        for entry in result.accesses:
            if isinstance(entry, Access):
                _note(facts, entry.event, read_tables, held)
    for table, attributes in held.items():
        for name, params in attributes.items():
            sources = {(read_tables[p], site) for p, site in params if p in read_tables}
            if sources:
                facts.holds.setdefault(table, {})[name] = sources
    for cls_id, class_facts in list(analyzer.classes.items()):
        if "pynamo" in class_facts.kinds:
            names = {n for n, v in class_facts.env.items() if not v.refs and n != "Meta"}
            facts.written.setdefault(f"model:{cls_id}", set()).update(names)
    return facts


_Held = dict[str, dict[str, set[tuple[int, Step]]]]
"""Table -> attribute -> (stored param, write) of whole items written into it."""


def _note(facts: TableFacts, event: Event, read_tables: dict[int, str], held: _Held) -> None:
    table = table_of(event)
    if not table:
        return
    for name, value in key_fields(event).items():
        if name != "*":
            facts.keys.setdefault(table, set()).add(name)
        if name != "*" and mentions_identity(value):
            facts.identity_keys.setdefault(table, set()).add(name)
    if event.op not in (Op.PUT, Op.UPDATE):
        param = read_param(event.site)
        if param is not None:
            read_tables[param] = table
        return
    written = written_values(event)
    facts.written.setdefault(table, set()).update(n for n in written if n != "*")
    for name, value in written.items():
        if name != "*" and mentions_identity(value):
            facts.identity_values.setdefault(table, set()).add(name)
        items = {p for p, k in value.labels if p <= STORED_BASE and k == Kind.BODY}
        if name != "*" and items:
            into = held.setdefault(table, {}).setdefault(name, set())
            into.update((p, event.site) for p in items)


RECORDED_OWNERS = frozenset(
    normalise(n)
    for n in ("owner", "owner_id", "owner_email", "owner_username", "user_id", "author_id",
              "created_by", "creator", "customer_id", "member_id", "account_id")
)  # fmt: skip
"""Owner attributes an item records besides its key (not ``email`` or ``username``, which a
user item holds as its own)."""


ROLE_ATTRIBUTES = frozenset(
    normalise(n)
    for n in ("role", "roles", "is_admin", "admin", "permissions", "scopes", "groups",
              "is_superuser", "is_staff", "user_type", "access_level")
)  # fmt: skip
"""Attributes that grant privileges: writing them for another user is an admin operation."""


def role_writes(event: Event) -> list[str]:
    """The role or permission attributes an update writes."""
    if event.op is not Op.UPDATE:
        return []
    return [n for n in written_values(event) if normalise(n) in ROLE_ATTRIBUTES]


def written_values(event: Event) -> dict[str, Value]:
    """Attribute -> value a put or update writes (what the mass-assignment rules read too)."""
    out = item_fields(event)
    for name in ("AttributeUpdates", "actions"):
        part = event.args.get(name)
        if part is not None:
            out.update(part.fields)
    text = (event.args.get("UpdateExpression") or EMPTY).text
    if text:
        values = event.args.get("ExpressionAttributeValues") or EMPTY
        for assignment in parse_update(text, event.attribute_names):
            if assignment.clause in ("SET", "ADD"):
                found = [values.fields.get(p, EMPTY) for p in assignment.placeholders]
                out[assignment.attribute] = join_all(found)
    return out
