"""Reports for the server tests, built with the real catalogue and rendered by the real
formatters (so what is uploaded is what ``dynaguard code`` / ``scan`` write)."""

from __future__ import annotations

from dynaguard.catalogue import get_rule
from dynaguard.model import Endpoint, Engine, Exchange, Finding, Location, Report, fingerprint
from dynaguard.report import json as json_report
from dynaguard.report import sarif


def static(rule: str, path: str, function: str, code: str, line: int = 10) -> Finding:
    """A static finding whose fingerprint, like the engine's, leaves the line out."""
    return Finding(
        rule=get_rule(rule),
        engine=Engine.STATIC,
        message=f"{code} in {function}",
        fingerprint=fingerprint(rule, path, function, code),
        location=Location(path, line, 5, function, code),
        endpoint=Endpoint("POST", f"/{function}"),
    )


def dynamic(rule: str, method: str, path: str) -> Finding:
    exchange = Exchange(method=method, url=f"http://127.0.0.1:5000{path}", status=200)
    return Finding(
        rule=get_rule(rule),
        engine=Engine.DYNAMIC,
        message=f"proven on {method} {path}",
        fingerprint=fingerprint(rule, method, path),
        endpoint=Endpoint(method, path),
        evidence=(exchange,),
    )


def as_json(*findings: Finding, target: str = "app") -> str:
    return json_report.render(Report(findings=findings, target=target))


def as_sarif(*findings: Finding, target: str = "app") -> str:
    return sarif.render(Report(findings=findings, target=target))


def many(count: int, prefix: str = "f") -> list[Finding]:
    """``count`` distinct static findings."""
    return [
        static("DG101", f"app/{prefix}{n % 50}.py", f"{prefix}{n}", "put_item")
        for n in range(count)
    ]
