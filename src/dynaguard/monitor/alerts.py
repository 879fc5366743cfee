"""What a webhook receives, and how it proves it came from us (pure: no network, no clock).

Headers (README, "Monitoring"): ``X-Dynaguard-Timestamp`` (Unix seconds), ``X-Dynaguard-Signature``
(``v1=`` + hex HMAC-SHA256 of ``"<timestamp>.<body>"`` with the shared secret) and
``X-Dynaguard-Delivery`` (the run id: a receiver that sees it twice may drop the second). A
receiver rejects a timestamp more than ``REPLAY_WINDOW`` seconds from its clock, so a captured
request cannot be replayed later; the timestamp is signed, so it cannot be moved either.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from typing import Any

from dynaguard.monitor.settings import WebhookFormat

REPLAY_WINDOW = 300
"""Seconds a receiver accepts between the signed timestamp and its own clock."""
TIMESTAMP = "X-Dynaguard-Timestamp"
SIGNATURE = "X-Dynaguard-Signature"
DELIVERY = "X-Dynaguard-Delivery"


def body(
    fmt: WebhookFormat,
    *,
    project: str,
    target: str,
    run_id: str,
    findings: Sequence[Mapping[str, Any]],
    dashboard: str,
) -> bytes:
    """The request body: dynaguard's JSON, or a Slack-compatible ``{"text", "blocks"}``."""
    link = f"{dashboard}/projects/{project}" if dashboard else ""
    if fmt is WebhookFormat.SLACK:
        return _dump(_slack(project, target, findings, link))
    document = {
        "version": 1,
        "event": "new_findings",
        "project": project,
        "target": target,
        "run": run_id,
        "dashboard": link,
        "findings": list(findings),
    }
    return _dump(document)


SLACK_SECTION = 3000
"""Characters a Slack section block's text may hold; a longer one makes Slack refuse the whole
message (https://api.slack.com/reference/block-kit/blocks#section)."""
_LINE = 300


def _slack(
    project: str, target: str, findings: Sequence[Mapping[str, Any]], link: str
) -> dict[str, Any]:
    title = f"dynaguard: {len(findings)} new finding(s) in {project} ({target})"
    lines = [
        _shorten(f"- [{f.get('severity', '?')}] {f.get('rule', '?')} {f.get('message', '')}")
        for f in findings
    ]
    head, tail = _mrkdwn(title), [_mrkdwn(link)] if link else []
    room = SLACK_SECTION - len(head) - sum(len(t) + 1 for t in tail)
    text = "\n".join([head, *_fit([_mrkdwn(line) for line in lines], room), *tail])
    return {"text": text, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]}


def _mrkdwn(text: str) -> str:
    # NOTE: Slack reads <...> as links and mentions (<!channel>); a finding's message can quote
    # a scanned API's paths, so the three control characters are escaped as Slack documents.
    # https://api.slack.com/reference/surfaces/formatting#escaping
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _shorten(line: str) -> str:
    return line if len(line) <= _LINE else line[: _LINE - 1] + "\u2026"


def _fit(lines: list[str], room: int) -> list[str]:
    """The lines that fit in ``room`` characters (each with its newline), keeping 40 for a last
    line that counts the rest."""
    kept: list[str] = []
    used = 0
    for n, line in enumerate(lines):
        if used + len(line) + 1 > room - 40:
            return [*kept, f"- ... and {len(lines) - n} more"]
        kept.append(line)
        used += len(line) + 1
    return kept


def _dump(document: Mapping[str, Any]) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def sign(secret: str, timestamp: int, payload: bytes) -> str:
    """The ``X-Dynaguard-Signature`` value."""
    message = str(timestamp).encode() + b"." + payload
    return "v1=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def headers(secret: str, timestamp: int, payload: bytes, delivery: str) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        TIMESTAMP: str(timestamp),
        SIGNATURE: sign(secret, timestamp, payload),
        DELIVERY: delivery,
    }


def verify(secret: str, timestamp: str, payload: bytes, signature: str, now: float) -> bool:
    """What a receiver does: a good signature over a timestamp inside the replay window."""
    if not timestamp.isdigit() or abs(now - int(timestamp)) > REPLAY_WINDOW:
        return False
    return hmac.compare_digest(sign(secret, int(timestamp), payload), signature)
