"""A report whose every untrusted field is hostile, for the HTML structure and browser tests.

Each payload that would run script sets ``data-pwned`` on an element, so a browser test can
tell whether anything ran by looking for that attribute in the DOM it dumps.
"""

from __future__ import annotations

from dataclasses import replace

from dynaguard.catalogue import get_rule
from dynaguard.model import (
    Endpoint,
    Engine,
    Exchange,
    Finding,
    FlowStep,
    Location,
    Report,
    RuleDoc,
    ScanWarning,
    Severity,
)

PWN = "document.body.setAttribute('data-pwned','1')"

PAYLOADS: tuple[str, ...] = (
    f"<script>{PWN}</script>",
    f"</textarea></pre></code></details></main><script>{PWN}</script>",
    f'"><img src=x onerror="{PWN}">',
    f"'><svg onload={PWN}>",
    f"javascript:{PWN}",
    "{{ 7*7 }} {% raw %} {{ config.items() }}",
    "\u202egnp.exe\u202c \u2066isolate\u2069 \u200f",
    "<style>body{display:none}</style>",
    "<a href=https://evil.example/x>click</a> <iframe src=https://evil.example></iframe>",
    "<meta http-equiv=refresh content='0;url=https://evil.example'> <base href=https://evil.example/>",
    "<!-- unclosed comment &lt;pre-escaped&gt; &amp; \x1b[31mred\x00",
)
"""What a hostile source file or server could put in any text field."""

HOSTILE = "\n".join(PAYLOADS)
"""All payloads in one multi-line string."""

ONE_LINE = " ".join(PAYLOADS)
"""All payloads on one line (for fields shown on one line)."""


def hostile_report() -> Report:
    """Static, dynamic and joined findings, a rogue rule, warnings and a target, all hostile."""
    rule = get_rule("DG101")
    location = Location(f"app/{ONE_LINE}.py", 18, 5, ONE_LINE, HOSTILE)
    flow = (FlowStep(location, HOSTILE), FlowStep(location, ONE_LINE))
    exchange = Exchange(
        method="POST",
        url=f"javascript:{PWN}//{ONE_LINE}",
        request_headers=(("X-Evil", ONE_LINE), (ONE_LINE, "v")),
        request_body=HOSTILE,
        status=500,
        response_body=HOSTILE,
        identity=ONE_LINE,
        note=HOSTILE,
        curl=f"curl '{HOSTILE}'",
    )
    endpoint = Endpoint("POST", f"/users/{ONE_LINE}")
    common = {"rule": rule, "message": HOSTILE, "endpoint": endpoint}
    static = Finding(
        engine=Engine.STATIC, fingerprint="1" * 32, location=location, flow=flow, **common
    )
    dynamic = Finding(
        engine=Engine.DYNAMIC,
        fingerprint="2" * 32,
        evidence=(exchange,),
        severity=Severity.CRITICAL,
        **common,
    )
    joined = Finding(
        engine=Engine.DYNAMIC,
        fingerprint="3" * 32,
        location=location,
        flow=flow,
        evidence=(exchange,),
        **common,
    )
    # Rules come from the catalogue, but the page must not trust them either.
    doc = RuleDoc(HOSTILE, HOSTILE, HOSTILE, HOSTILE, HOSTILE, (f"javascript:{PWN}",))
    rogue = replace(rule, id=ONE_LINE, title=ONE_LINE, hint=HOSTILE, owasp=(ONE_LINE,), doc=doc)
    unknown = replace(static, rule=rogue, fingerprint="4" * 32)
    return Report(
        findings=(static, dynamic, joined, unknown),
        warnings=(ScanWarning(HOSTILE, ONE_LINE, 3), ScanWarning(HOSTILE)),
        target=ONE_LINE,
        tool_version=ONE_LINE,
        extra={ONE_LINE: HOSTILE, "grade": ONE_LINE, "score": ONE_LINE},
    )
