"""What a function body checks about its values, read from the ``ast`` while it is lowered.

The facts are flow-insensitive strings kept on ``ir.Function.checked`` (DG301, DG302 read them):

- ``x``: the variable ``x`` is type-, range-, format- or allowlist-checked (``isinstance(x, int)``,
  ``0 < x <= 100``, ``len(x) > 64``, ``x.isdigit()``, ``PATTERN.match(x)``, ``x in ALLOWED``);
- ``d.f``: the field ``f`` of the mapping ``d`` is checked that way (``isinstance(d.get('f'), int)``);
- ``d[f]``: the field is only known to be present (``'f' in d``, ``d.get('f') is None``);
- ``d.*`` / ``d[*]``: every field is checked / present (a validator call such as
  ``validate(d)`` or ``schema.validate(d)``; a ``k in d`` test over a list of required names).

- ``x#`` / ``d.f#``: only known to be a number (``isinstance(x, int)``): its type is checked but
  not its range, which is what a number needs (DG301), so it makes no ``x`` fact;
- ``x!``: the variable is only known to be there and not empty (``if not x``, ``x == ''``,
  ``x is None``): that checks no type, so it makes no ``x`` fact, but DynamoDB accepts it as
  a key (a form or query value is a string).
"""

from __future__ import annotations

import ast
import functools
import re

_VALIDATOR = re.compile(r"valid|check|verif|saniti[sz]|ensure", re.IGNORECASE)
"""Callee names of project or library validators (``validate_record``, ``check_values``)."""
_STRING_CHECKS = frozenset(
    {"isdigit", "isdecimal", "isnumeric", "isalnum", "isalpha", "isascii", "isidentifier"}
)
_PATTERN_CALLS = frozenset({"match", "fullmatch", "search"})
_RANGE = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)
_PRESENCE = (ast.Is, ast.IsNot)
_NUMBERS = frozenset({"int", "float", "Decimal", "decimal.Decimal", "Number", "numbers.Number",
                      "Real", "numbers.Real", "Integral", "numbers.Integral"})  # fmt: skip


def test_facts(test: ast.expr, ranges: bool = True) -> set[str]:
    """The facts a condition (``if``, ``while``, comprehension filter) establishes; with
    ``ranges=False``, none from an order comparison (``_branch_facts``).

    NOTE: only the condition's boolean structure is followed (``and``/``or``/``not`` over
    comparisons and calls), not every sub-expression: this runs on every ``if`` while lowering.
    """
    if isinstance(test, ast.BoolOp):
        return {f for value in test.values for f in test_facts(value, ranges)}
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return test_facts(test.operand, ranges) | _presence(test.operand)
    if isinstance(test, ast.Compare):
        return _compare(test, ranges)
    if isinstance(test, ast.Call):
        return _call(test) | _presence(test)
    if isinstance(test, ast.NamedExpr):  # ``if m := PATTERN.match(x)``: m is a checked match
        value = test.value
        matched = (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Attribute)
            and value.func.attr in _PATTERN_CALLS
        )
        return test_facts(test.value) | ({test.target.id} if matched else set())
    return _presence(test)


def call_facts(value: ast.expr) -> set[str]:
    """Facts of a statement's top-level call (``validate(d)``, ``ok, err = check(x)``)."""
    if type(value) is ast.Await:
        value = value.value
    return _call(value) if type(value) is ast.Call else set()


def _subject(node: ast.expr) -> tuple[str, str | None] | None:
    """``x`` -> (x, None); ``d.get('f')`` / ``d['f']`` -> (d, f); else None. The mapping may be
    a dotted name (``request.json.get('f')``, ``request.json['f']``)."""
    if isinstance(node, ast.Name):
        return node.id, None
    if isinstance(node, ast.Subscript):
        root = _dotted(node.value)
        return (root, _key(node.slice)) if root is not None else None
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get"
        and node.args
    ):
        root = _dotted(node.func.value)
        return (root, _key(node.args[0])) if root is not None else None
    return None


def _dotted(node: ast.expr) -> str | None:
    """``body`` or ``request.json``: a name, or attributes of one."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner is not None else None
    return None


def _key(node: ast.expr) -> str:
    """A constant field name, or ``*`` for a key in a variable (a loop over required names)."""
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else "*"


def _checked(node: ast.expr) -> set[str]:
    if _wraps(node):  # len(x) > 64, str(x).isdigit()
        assert isinstance(node, ast.Call)
        return _checked(node.args[0])
    found = _subject(node)
    if found is None:
        return set()
    name, field = found
    return {name} if field is None else {f"{name}.{field}", f"{name}[{field}]"}


def _wraps(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("len", "str", "int", "float")
        and len(node.args) == 1
    )


def _presence(node: ast.expr) -> set[str]:
    if isinstance(node, ast.Attribute) and (dotted := _dotted(node)) is not None:
        return {f"{dotted}!"}  # ``if request.json_body:`` / ``... is None``: the attribute is there
    found = _subject(node)
    if found is None:
        return set()
    return {f"{found[0]}!"} if found[1] is None else {f"{found[0]}[{found[1]}]"}


def _compare(node: ast.Compare, ranges: bool = True) -> set[str]:
    facts: set[str] = set()
    operands = [node.left, *node.comparators]
    for op, left, right in zip(node.ops, operands, operands[1:], strict=False):
        if isinstance(op, _RANGE):
            if not ranges:
                continue
            # A bound is the API's limit (``0 < q <= MAX``), not other data: ``stock < q``
            # refuses too much but lets a negative quantity through.
            if _bound(right):
                facts |= _checked(left)
            if _bound(left):
                facts |= _checked(right)
        elif isinstance(op, (ast.Eq, ast.NotEq)):
            if _empty(left) or _empty(right):
                facts |= _presence(left) | _presence(right)  # ``x == ''``: only there or not
            elif isinstance(right, ast.Constant) or isinstance(left, ast.Constant):
                facts |= _checked(left) | _checked(right)
        elif isinstance(op, _PRESENCE):
            facts |= _presence(left)
        elif isinstance(op, (ast.In, ast.NotIn)):
            facts |= _membership(left, right)
    return facts


def _bound(node: ast.expr) -> bool:
    """A limit the code states: a number, a name (``MAX_QTY``, ``limit``), a setting
    (``config.MAX``), ``-1``, ``len(x)``; not a field of some data (``item['stock']``)."""
    if isinstance(node, ast.UnaryOp):
        node = node.operand
    if isinstance(node, (ast.Constant, ast.Name)):
        return True
    if isinstance(node, ast.Attribute):
        return node.attr.isupper()
    return _wraps(node)


def _empty(node: ast.expr) -> bool:
    """``''``, ``None``, ``0``, ``False``: a comparison with it tests presence, not a value."""
    return isinstance(node, ast.Constant) and not node.value


def _membership(left: ast.expr, right: ast.expr) -> set[str]:
    if isinstance(right, ast.Name):
        if isinstance(left, ast.Constant) and isinstance(left.value, str):
            return {f"{right.id}[{left.value}]"}  # 'f' in d: the field is present
        if isinstance(left, ast.Name):
            return {f"{right.id}[*]", *_checked(left)}  # k in d over required names / x in ALLOWED
    return _checked(left)  # x in ('a', 'b'), x in ALLOWED.keys(), d.get('f') in ALLOWED


def _call(node: ast.Call) -> set[str]:
    func = node.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
    if name == "isinstance" and node.args:
        if len(node.args) == 2 and _numeric(node.args[1]):
            # a field stays known present (``d[f]``, DG302's); its value is still unbounded
            return {fact if "[" in fact else f"{fact}#" for fact in _checked(node.args[0])}
        return _checked(node.args[0])
    if isinstance(func, ast.Attribute) and name in _STRING_CHECKS:
        return _checked(func.value)
    if isinstance(func, ast.Attribute) and name in _PATTERN_CALLS and node.args:
        return _checked(node.args[-1]) if len(node.args) <= 2 else set()
    if _is_validator(name):
        facts: set[str] = set()
        for arg in [*node.args, *(k.value for k in node.keywords)]:
            found = _subject(arg)
            if found is not None and found[1] is None:
                facts |= {found[0], f"{found[0]}.*", f"{found[0]}[*]"}
            elif found is not None:
                facts |= _checked(arg)
        return facts
    return set()


def _numeric(types: ast.expr) -> bool:
    """``int``, ``(int, float)``, ``Decimal``: an ``isinstance`` that makes a value a number."""
    every = types.elts if isinstance(types, ast.Tuple) else [types]
    names = {ast.unparse(t) for t in every if isinstance(t, (ast.Name, ast.Attribute))}
    return len(names) == len(every) and names <= _NUMBERS


@functools.lru_cache(maxsize=4096)
def _is_validator(name: str) -> bool:
    return _VALIDATOR.search(name) is not None


_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)
_VALUED = (ast.Assign, ast.AnnAssign, ast.Expr, ast.Return)
NOTED = (ast.If, ast.While, *_VALUED)
"""The statements ``note`` reads (the lowering calls it for these only)."""


def note(facts: dict[str, set[str]], node: ast.stmt, scope: str) -> None:
    """Add the facts of one statement to its function's (``scope``) set, while lowering."""
    kind = type(node)  # exact types: this runs on most statements of every lowered body
    if kind is ast.If:
        found = _branch_facts(node)  # type: ignore[arg-type]
    elif kind is ast.While:
        found = test_facts(node.test)  # type: ignore[attr-defined]
    else:
        value = node.value  # type: ignore[attr-defined]
        if value is None:
            return
        found = call_facts(value)
        value_kind = type(value)
        if value_kind in _COMPREHENSION_TYPES:  # missing = [f for f in REQUIRED if f not in d]
            for generator in value.generators:
                for condition in generator.ifs:
                    found |= test_facts(condition)
        elif value_kind is ast.IfExp:  # d['q'] if 'q' in d else None
            found |= test_facts(value.test)
        elif value_kind is ast.BoolOp:  # 'q' in d and d['q']
            found |= test_facts(value)
    if found:
        facts.setdefault(scope, set()).update(found)


def _branch_facts(node: ast.If) -> set[str]:
    """An ``if`` on a number's order checks its range only when a branch refuses (returns,
    raises, skips) or clamps the value; ``if q < 0: <remove> else: <add>`` only picks what to
    do with any number, and ``if a > b`` of two client values bounds neither."""
    if not _orders(node.test):
        return test_facts(node.test)  # no order comparison: what the branches do is moot
    decides = any(_refuses(branch, node.test) for branch in (node.body, node.orelse))
    return test_facts(node.test, ranges=decides)


def _orders(test: ast.expr) -> bool:
    """The test compares an order somewhere ``test_facts`` looks (most ``if``s do not)."""
    if isinstance(test, ast.BoolOp):
        return any(_orders(value) for value in test.values)
    if isinstance(test, ast.UnaryOp):
        return _orders(test.operand)
    return isinstance(test, ast.Compare) and any(isinstance(op, _RANGE) for op in test.ops)


_REFUSALS = (ast.Return, ast.Raise, ast.Continue, ast.Break)


def _refuses(body: list[ast.stmt], test: ast.expr) -> bool:
    tested: set[str] | None = None
    for stmt in body:
        if isinstance(stmt, _REFUSALS):
            return True
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            func = stmt.value.func
            if (func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")) == "abort":
                return True
        elif isinstance(stmt, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            if tested is None:  # ``if q > 100: q = 100``: a clamp of the tested value
                tested = {n.id for n in ast.walk(test) if isinstance(n, ast.Name)}
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            if any(isinstance(t, ast.Name) and t.id in tested for t in targets):
                return True
    return False


_COMPREHENSION_TYPES = frozenset(_COMPREHENSIONS)
NOTED_TYPES = frozenset(NOTED)
"""``NOTED`` as exact types, for a set lookup instead of an ``isinstance`` chain."""
