"""What a condition or update expression says, in its string form or built with ``Attr(...)``.

``boto3.dynamodb.conditions`` objects (and PynamoDB attribute conditions) are modelled as values
whose refs carry the equivalent expression text (``COND`` + ``attribute_exists(pk)``), so one
parser reads both forms. ``a & b`` and ``a | b`` look alike in the IR; both become ``(a) AND (b)``,
which can only make a condition look stronger than written (a missed finding, never a false one).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from enum import Enum

COND = "ddb:cond:"
"""Ref prefix of a condition object's text."""
PATH = "ddb:path:"
"""Ref prefix of an ``Attr('name')`` / ``Key('name')`` object's attribute path."""

_COMPARE_METHODS = {"eq": "=", "ne": "<>", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}
_CALL_METHODS = {
    "begins_with": "begins_with",
    "startswith": "begins_with",
    "contains": "contains",
    "attribute_type": "attribute_type",
    "is_type": "attribute_type",
}


class Kind(Enum):
    EXISTS = "exists"
    """The item (attribute) must exist: ``attribute_exists(a)``."""
    NOT_EXISTS = "not_exists"
    """The attribute must be absent: ``attribute_not_exists(a)``."""
    COMPARE = "compare"
    """A comparison or function of the stored value; false when the attribute is missing."""
    OTHER = "other"
    """A negated comparison: says nothing about existence."""


@dataclass(frozen=True, slots=True)
class Test:
    attribute: str
    kind: Kind
    op: str
    """``=``, ``<>``, ``<``, ..., ``begins_with``, ``between``, ``in``, ``exists``."""
    placeholders: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Condition:
    """A write's condition: alternatives (top-level ``OR``) of tests that must all hold."""

    disjuncts: tuple[tuple[Test, ...], ...] = ()
    opaque: bool = False
    """A condition we cannot read (built at run time, a PynamoDB comparison, ``Expected``):
    taken as guarding whatever a rule asks about."""

    @property
    def present(self) -> bool:
        return self.opaque or bool(self.disjuncts)

    def tests(self) -> list[Test]:
        return [t for d in self.disjuncts for t in d]

    def requires_existence(self) -> bool:
        """It fails when the item is missing (every alternative tests a stored value)."""
        if self.opaque:
            return True
        return bool(self.disjuncts) and all(
            any(t.kind in (Kind.EXISTS, Kind.COMPARE) for t in d) for d in self.disjuncts
        )

    def compares(self, attributes: set[str] | frozenset[str]) -> list[Test]:
        """The comparisons of a stored value of one of ``attributes``."""
        return [t for t in self.tests() if t.kind is Kind.COMPARE and t.attribute in attributes]


NONE = Condition()
OPAQUE = Condition(opaque=True)


# -- the Attr(...) form ------------------------------------------------------------------------


def method_text(path: str, method: str) -> str | None:
    """The expression text of ``Attr(path).method(...)`` (or a PynamoDB attribute's method)."""
    if method in _COMPARE_METHODS:
        return f"{path} {_COMPARE_METHODS[method]} :?"
    if method == "exists":
        return f"attribute_exists({path})"
    if method in {"not_exists", "does_not_exist"}:
        return f"attribute_not_exists({path})"
    if method in _CALL_METHODS:
        return f"{_CALL_METHODS[method]}({path}, :?)"
    if method == "between":
        return f"{path} BETWEEN :? AND :?"
    if method == "is_in":
        return f"{path} IN (:?)"
    return None


def combine(texts: list[str]) -> str:
    """``a & b`` / ``a | b`` (two parts) or ``~a`` (one part) as one text (see the module note)."""
    if len(texts) == 1:
        return f"NOT ({texts[0]})"
    return " AND ".join(f"({t})" for t in texts)


def texts(refs: frozenset[str]) -> list[str]:
    return sorted(r[len(COND) :] for r in refs if r.startswith(COND))


# -- condition expressions ---------------------------------------------------------------------

_NAME = r"[A-Za-z_#][\w#]*(?:\.[\w#]+|\[\d+\])*"
_OPERAND = rf"(?:size\s*\(\s*{_NAME}\s*\)|{_NAME}|:[\w?]+)"
_EXISTS = re.compile(
    rf"(NOT\s+)?(attribute_exists|attribute_not_exists)\s*\(\s*({_NAME})\s*\)", re.I
)
_FUNCTION = re.compile(
    rf"(NOT\s+)?(begins_with|contains|attribute_type)\s*\(\s*({_NAME})\s*,\s*([^)]*)\)", re.I
)
_COMPARISON = re.compile(rf"({_OPERAND})\s*(<>|<=|>=|=|<|>)\s*({_OPERAND})")
_RANGE = re.compile(rf"({_OPERAND})\s+(BETWEEN|IN)\b([^)]*(?:\)|$))", re.I)
_PLACEHOLDER = re.compile(r":[\w?]+")
_OR = re.compile(r"\bOR\b", re.I)


def parse_condition(text: str, names: dict[str, str]) -> Condition:
    """Tests of a condition expression; ``names`` resolves ``#placeholders``."""
    return _parse_condition(text, tuple(sorted(names.items())))


def created(text: str, names: dict[str, str]) -> frozenset[str]:
    """The attributes a condition requires absent whichever alternative holds
    (``attribute_not_exists(pk)``): a put under it only creates the item they key."""
    disjuncts = parse_condition(text, names).disjuncts
    sets = [frozenset(t.attribute for t in d if t.kind is Kind.NOT_EXISTS) for d in disjuncts]
    return frozenset.intersection(*sets) if sets else frozenset()


@functools.lru_cache(maxsize=4096)
def _parse_condition(text: str, names: tuple[tuple[str, str], ...]) -> Condition:
    # NOTE: memoised: the same few condition texts are asked about by four rules per write.
    mapping = dict(names)
    return Condition(tuple(_tests(part, mapping) for part in _top_level(text, _OR)))


def _tests(text: str, names: dict[str, str]) -> tuple[Test, ...]:
    found: list[Test] = []
    for negated, function, path in _EXISTS.findall(text):
        exists = (function.lower() == "attribute_exists") != bool(negated)
        kind = Kind.EXISTS if exists else Kind.NOT_EXISTS
        found.append(Test(_attribute(path, names), kind, "exists"))
    for negated, function, path, rest in _FUNCTION.findall(text):
        kind = Kind.OTHER if negated else Kind.COMPARE
        found.append(
            Test(_attribute(path, names), kind, function.lower(), tuple(_PLACEHOLDER.findall(rest)))
        )
    stripped = _FUNCTION.sub(" ", _EXISTS.sub(" ", text))
    for left, op, right in _COMPARISON.findall(stripped):
        path, value = (right, left) if left.startswith(":") else (left, right)
        if not path.startswith(":"):
            values = tuple(_PLACEHOLDER.findall(value))
            found.append(Test(_attribute(path, names), Kind.COMPARE, op, values))
    for path, op, rest in _RANGE.findall(stripped):
        found.append(
            Test(
                _attribute(path, names), Kind.COMPARE, op.lower(), tuple(_PLACEHOLDER.findall(rest))
            )
        )
    return tuple(found)


def _attribute(path: str, names: dict[str, str]) -> str:
    inner = re.fullmatch(r"size\s*\(\s*(.+?)\s*\)", path)
    head = re.split(r"[.\[]", inner.group(1) if inner else path)[0]
    return names.get(head, head)


def _top_level(text: str, separator: re.Pattern[str]) -> list[str]:
    """Split on ``separator`` outside parentheses."""
    parts, depth, start = [], 0, 0
    depths = []
    for char in text:
        depth += (char == "(") - (char == ")")
        depths.append(depth)
    for match in separator.finditer(text):
        if depths[match.start()] == 0:
            parts.append(text[start : match.start()])
            start = match.end()
    parts.append(text[start:])
    return [p for p in parts if p.strip()]


# -- update expressions ------------------------------------------------------------------------

_CLAUSE = re.compile(r"\b(SET|ADD|REMOVE|DELETE)\b", re.I)
_COMMA = re.compile(",")


@dataclass(frozen=True, slots=True)
class Assignment:
    attribute: str
    clause: str
    """``SET``, ``ADD``, ``REMOVE`` or ``DELETE``."""
    atomic: bool
    """DynamoDB computes the new value from the stored one (``ADD``, ``SET n = n + :d``,
    ``if_not_exists``, ``list_append(n, :l)``): no read in Python is involved."""
    placeholders: tuple[str, ...]
    needs_item: bool = False
    """The new value reads a stored attribute outside ``if_not_exists`` (``SET n = n + :d``,
    ``list_append(l, :x)``): DynamoDB refuses the update when the item does not exist."""
    arithmetic: bool = False
    """A number the client chooses is added to the stored one (``ADD n :d``, ``SET n = n + :d``);
    not ``list_append`` nor ``DELETE`` from a set, which change no amount."""
    initialises: bool = False
    """The value is whole ``if_not_exists(a, :v)``: a default for an item that lacks the
    attribute, which says the update expects to create the item."""


def parse_update(text: str, names: dict[str, str]) -> list[Assignment]:
    out: list[Assignment] = []
    pieces = _CLAUSE.split(text)
    for clause, body in zip(pieces[1::2], pieces[2::2], strict=False):
        for action in _top_level(body, _COMMA):
            out.append(_assignment(clause.upper(), action.strip(), names))
    return out


def _assignment(clause: str, action: str, names: dict[str, str]) -> Assignment:
    if clause == "SET" and "=" in action:
        target, value = (s.strip() for s in action.split("=", 1))
    else:
        target, _, value = action.partition(" ")
    attribute = _attribute(target, names)
    operands = {_attribute(w, names) for w in re.findall(_NAME, _PLACEHOLDER.sub(" ", value))}
    atomic = clause in {"ADD", "DELETE"} or (clause == "SET" and attribute in operands)
    placeholders = tuple(_PLACEHOLDER.findall(value))
    guarded = _IF_NOT_EXISTS.sub(" ", value)
    read = {w for w in re.findall(_NAME, _PLACEHOLDER.sub(" ", guarded)) if w not in _FUNCTIONS}
    arithmetic = clause == "ADD" or (
        clause == "SET" and attribute in operands and _ARITHMETIC.search(value) is not None
    )
    needs_item = clause == "SET" and bool(read)
    initialises = clause == "SET" and _IF_NOT_EXISTS.fullmatch(value.strip()) is not None
    return Assignment(attribute, clause, atomic, placeholders, needs_item, arithmetic, initialises)


_ARITHMETIC = re.compile(r"[+-]")
_IF_NOT_EXISTS = re.compile(r"if_not_exists\s*\([^()]*\)")
_FUNCTIONS = frozenset({"list_append", "if_not_exists", "size"})
