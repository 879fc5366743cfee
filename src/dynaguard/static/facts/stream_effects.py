"""What a Streams consumer does per record that a redelivery would do twice (DG601).

Streams deliver at least once, so each record's effect must not change when it is applied again:
``ADD`` and ``SET n = n + :d`` add again, a put keyed by ``uuid4()`` or the clock makes a second
item, and an SNS/SES/SQS message or an HTTP call goes out again. A consumer deduplicates on the
record's ``eventID`` with a conditional put (``attribute_not_exists``) or a transaction that
includes it, with Powertools ``@idempotent`` / ``idempotent_function``, or with
``dynaguard.secure`` (``idempotent_stream_handler``, ``write_once``, ``dedupe_put``).
"""

from __future__ import annotations

import ast
import re

from dynaguard.static.facts.streams import Function, Streams, own_nodes

_INCREMENT = re.compile(
    r"\bADD\b|\blist_append\s*\(|if_not_exists\s*\([^)]*\)\s*[-+]|([#\w.]+)\s*=\s*\1\s*[-+]",
    re.IGNORECASE,
)
"""``ADD n :d``, ``SET l = list_append(l, :x)``, ``SET n = n + :d`` (or ``if_not_exists(...) +``)."""
_MESSAGES = {
    "publish": "an SNS message",
    "publish_batch": "SNS messages",
    "send_email": "an e-mail (SES)",
    "send_raw_email": "an e-mail (SES)",
    "send_templated_email": "an e-mail (SES)",
    "send_bulk_templated_email": "e-mails (SES)",
    "send_message": "an SQS message",
    "send_message_batch": "SQS messages",
    "put_events": "EventBridge events",
    "put_record": "a Kinesis/Firehose record",
    "put_records": "Kinesis records",
    "put_record_batch": "Firehose records",
    "start_execution": "a Step Functions execution",
    "sendmail": "an e-mail (SMTP)",
}
_HTTP = frozenset({"post", "put", "patch", "delete", "request", "urlopen"})
_HTTP_MODULES = ("ext:requests", "ext:httpx", "ext:urllib", "ext:aiohttp")
_DEDUPE = ("idempotent", "write_once", "dedupe_put")
_DEDUPE_MODULES = ("ext:aws_lambda_powertools", "ext:dynaguard.secure", "fn:dynaguard.secure")
_GENERATED = frozenset({"uuid1", "uuid4", "time", "time_ns", "now", "utcnow", "token_hex"})
_KEY_NAMES = re.compile(r"(^|_)(id|pk|sk|key|ts|timestamp|time)$|Id$|Key$", re.IGNORECASE)


def effect(streams: Streams, function: Function, call: ast.Call) -> str | None:
    """What the call does that a redelivered record would do again (None: nothing)."""
    func = call.func
    method = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    keywords = {k.arg: k.value for k in call.keywords if k.arg}
    if method == "update_item" and _increments(streams, function, keywords.get("UpdateExpression")):
        return "update_item adds to a stored value (ADD / SET n = n + :d)"
    if method in ("put_item", "put") and _generated_key(keywords.get("Item") or _first(call)):
        return f"{method} stores a new item under a generated key (uuid4 or the clock)"
    if method == "save" and _new_model(func):
        return "a PynamoDB save stores a new item under a generated key (uuid4 or the clock)"
    if method == "transact_write_items" and _transaction_effect(streams, function, call):
        return "transact_write_items adds to a stored value or creates a generated item"
    if method == "update" and _pynamo_add(call):
        return "a PynamoDB update adds to a stored value (.add())"
    if method in _MESSAGES and "MessageDeduplicationId" not in keywords:
        return f"{method} sends {_MESSAGES[method]}"
    if method in _HTTP and _is_http(streams, function, func):
        return f"an HTTP {method.upper() if method != 'urlopen' else 'request'} goes out"
    return None


_WRITES = frozenset(
    {"put_item", "update_item", "delete_item", "batch_write_item", "transact_write_items"}
)


def acts(streams: Streams, function: Function, call: ast.Call) -> bool:
    """The call changes something outside the handler: a DynamoDB write, a message or an HTTP
    call (DG602: a failure of it that is swallowed is a change lost)."""
    func = call.func
    method = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if method in _WRITES or method in _MESSAGES:
        return True
    return method in _HTTP and _is_http(streams, function, func)


def deduplicates(streams: Streams, function: Function, call: ast.Call) -> bool:
    """A call that records or checks the record's eventID atomically with its effect."""
    if _is_dedupe_helper(streams, function, call.func):
        return True
    func = call.func
    method = func.attr if isinstance(func, ast.Attribute) else ""
    if method == "transact_write_items":
        return mentions_event_id(function, call)
    if method in ("put_item", "update_item", "save"):
        return _not_exists(streams, function, call) and mentions_event_id(function, call)
    return False


def dedupe_decorator(streams: Streams, function: Function) -> bool:
    """``@idempotent`` / ``@idempotent_function`` / ``@idempotent_stream_handler(...)``."""
    for decorator in function.node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if _is_dedupe_helper(streams, function, target):
            return True
    return False


def mentions_event_id(function: Function, node: ast.AST) -> bool:
    """``record['eventID']`` in the node, or a variable the function assigned from it."""
    assigned = {
        t.id
        for n in own_nodes(function.node)
        if isinstance(n, ast.Assign) and _has_event_id(n.value)
        for t in n.targets
        if isinstance(t, ast.Name)
    }
    return _has_event_id(node) or any(
        isinstance(n, ast.Name) and n.id in assigned for n in ast.walk(node)
    )


def _has_event_id(node: ast.AST) -> bool:
    """``record['eventID']``, or Chalice's ``record.event_id``."""
    return any(
        (isinstance(n, ast.Constant) and n.value == "eventID")
        or (isinstance(n, ast.Attribute) and n.attr == "event_id")
        for n in ast.walk(node)
    )


def _first(call: ast.Call) -> ast.expr | None:
    return call.args[0] if call.args else None


def _text(streams: Streams, function: Function, node: ast.expr | None) -> str:
    """A string argument's text: a literal, or a name bound to one (local or module constant)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(str(v.value) for v in node.values if isinstance(v, ast.Constant))
    if isinstance(node, ast.Name):
        for sub in own_nodes(function.node):
            if isinstance(sub, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == node.id for t in sub.targets
            ):
                return _text(streams, function, sub.value)
        return streams.analyzer.global_value(function.module.name, node.id).text or ""
    return ""


def _increments(streams: Streams, function: Function, node: ast.expr | None) -> bool:
    return bool(_INCREMENT.search(_text(streams, function, node)))


def _generated_key(item: ast.expr | None) -> bool:
    if not isinstance(item, ast.Dict):
        return False
    return any(
        _KEY_NAMES.search(name) is not None and _generated(value) for name, value in _entries(item)
    )


def _entries(node: ast.Dict) -> list[tuple[str, ast.expr]]:
    """The constant-key entries of a dict display."""
    return [
        (key.value, value)
        for key, value in zip(node.keys, node.values, strict=True)
        if isinstance(key, ast.Constant) and isinstance(key.value, str)
    ]


def _new_model(func: ast.expr) -> bool:
    """``Model(id=str(uuid4()), ...).save()``: an instance made with a generated key."""
    made = func.value if isinstance(func, ast.Attribute) else None
    return isinstance(made, ast.Call) and any(
        k.arg is not None and _KEY_NAMES.search(k.arg) is not None and _generated(k.value)
        for k in made.keywords
    )


def _generated(node: ast.AST) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            name = sub.func.attr if isinstance(sub.func, ast.Attribute) else ""
            name = name or getattr(sub.func, "id", "")
            if name in _GENERATED:
                return True
    return False


def _transaction_effect(streams: Streams, function: Function, call: ast.Call) -> bool:
    if mentions_event_id(function, call):
        return False  # the eventID marker commits with the effect: deduplicated
    for node in ast.walk(call):
        for name, value in _entries(node) if isinstance(node, ast.Dict) else ():
            if name == "UpdateExpression" and _increments(streams, function, value):
                return True
            if name == "Item" and _generated_key(value):
                return True
    return False


def _pynamo_add(call: ast.Call) -> bool:
    actions = next((k.value for k in call.keywords if k.arg == "actions"), _first(call))
    return actions is not None and any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "add"
        for n in ast.walk(actions)
    )


def _not_exists(streams: Streams, function: Function, call: ast.Call) -> bool:
    for keyword in call.keywords:
        if keyword.arg in ("ConditionExpression", "condition"):
            text = _text(streams, function, keyword.value) or ast.unparse(keyword.value)
            if "not_exists" in text or "does_not_exist" in text:
                return True
    return False


def _refs(streams: Streams, function: Function, node: ast.expr) -> frozenset[str]:
    root = node
    while isinstance(root, ast.Attribute):
        root = root.value
    if not isinstance(root, ast.Name):
        return frozenset()
    refs = streams.analyzer.global_value(function.module.name, root.id).refs
    if isinstance(node, ast.Attribute):
        return frozenset(f"{r}.{node.attr}" for r in refs)
    return refs


def _is_http(streams: Streams, function: Function, func: ast.expr) -> bool:
    return any(r.startswith(_HTTP_MODULES) for r in _refs(streams, function, func))


def _is_dedupe_helper(streams: Streams, function: Function, func: ast.expr) -> bool:
    return any(
        r.startswith(_DEDUPE_MODULES) and any(d in r.rpartition(".")[2] for d in _DEDUPE)
        for r in _refs(streams, function, func)
    )
