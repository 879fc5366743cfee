"""Baselines: written sorted and readable, read back strictly, applied by fingerprint."""

from __future__ import annotations

import json

import pytest

from dynaguard.catalogue import get_rule
from dynaguard.history import BaselineError, apply_baseline, dump_baseline, parse_baseline
from dynaguard.model import Endpoint, Engine, Finding, Location

SOURCE = ".dynaguard-baseline.json"


def finding(fingerprint: str, path: str | None = "app/routes.py", line: int = 1) -> Finding:
    location = Location(path, line, 1, "create_user") if path else None
    return Finding(
        rule=get_rule("DG101"),
        engine=Engine.STATIC if path else Engine.DYNAMIC,
        message="m",
        fingerprint=fingerprint,
        location=location,
        endpoint=Endpoint("POST", "/users"),
    )


def test_dump_writes_readable_sorted_entries() -> None:
    text = dump_baseline([finding("b", "app/z.py"), finding("a", None), finding("c", "app/a.py")])
    document = json.loads(text)
    assert list(document) == ["version", "tool", "fingerprints"]
    assert (document["version"], document["tool"]) == (1, "dynaguard")
    assert [e["fingerprint"] for e in document["fingerprints"]] == ["a", "c", "b"]
    assert document["fingerprints"][1] == {
        "fingerprint": "c",
        "rule": "DG101",
        "path": "app/a.py",
        "function": "create_user",
        "endpoint": "POST /users",
    }
    assert document["fingerprints"][0]["path"] is None
    assert text.endswith("}\n")


def test_dump_is_independent_of_finding_order_and_deduplicates() -> None:
    findings = [finding("b", "app/z.py"), finding("a", "app/a.py"), finding("a", "app/a.py", 9)]
    assert dump_baseline(findings) == dump_baseline(reversed(findings))
    assert len(json.loads(dump_baseline(findings))["fingerprints"]) == 2


def test_parse_reads_what_dump_wrote() -> None:
    findings = [finding("a"), finding("b", None)]
    assert parse_baseline(dump_baseline(findings), SOURCE) == frozenset({"a", "b"})


def test_parse_accepts_an_empty_baseline_and_a_byte_order_mark() -> None:
    text = "\ufeff" + dump_baseline([])
    assert parse_baseline(text, SOURCE) == frozenset()


def test_parse_accepts_a_baseline_without_tool() -> None:
    text = '{"version": 1, "fingerprints": [{"fingerprint": "a"}]}'
    assert parse_baseline(text, SOURCE) == frozenset({"a"})


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "invalid JSON (Expecting value at line 1, column 1)"),
        ('{"version": 1,', "invalid JSON"),
        ("[]", "expected a JSON object, found an array"),
        ('"baseline"', "expected a JSON object, found a string"),
        ('{"fingerprints": []}', "missing key 'version'"),
        ('{"version": 1}', "missing key 'fingerprints'"),
        ('{"version": 2, "fingerprints": []}', "version 2 is not supported"),
        ('{"version": "1", "fingerprints": []}', "version '1' is not supported"),
        ('{"version": true, "fingerprints": []}', "version True is not supported"),
        ('{"version": 1, "tool": "bandit", "fingerprints": []}', "'tool' is 'bandit'"),
        ('{"version": 1, "fingerprints": {}}', "'fingerprints' must be a list, found an object"),
        ('{"version": 1, "fingerprints": ["a"]}', "fingerprints[0] must be an object"),
        (
            '{"version": 1, "fingerprints": [{"fingerprint": "a"}, {}]}',
            "fingerprints[1]: missing key 'fingerprint'",
        ),
        (
            '{"version": 1, "fingerprints": [{"fingerprint": 7}]}',
            "fingerprints[0]: 'fingerprint' must be a non-empty string",
        ),
        (
            '{"version": 1, "fingerprints": [{"fingerprint": ""}]}',
            "fingerprints[0]: 'fingerprint' must be a non-empty string",
        ),
    ],
)
def test_parse_rejects_malformed_files_naming_file_and_problem(text: str, problem: str) -> None:
    with pytest.raises(BaselineError) as caught:
        parse_baseline(text, SOURCE)
    message = str(caught.value)
    assert message.startswith(SOURCE + ": ")
    assert problem in message
    # The CLI prints the message alone; no chained exception should leak a traceback's context.
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__


def test_apply_hides_baselined_findings_and_counts_them() -> None:
    findings = [finding("a"), finding("b"), finding("a", line=40), finding("c")]
    kept, hidden = apply_baseline(findings, frozenset({"a", "z"}))
    assert [f.fingerprint for f in kept] == ["b", "c"]
    assert hidden == 2


def test_apply_accepts_a_generator_and_an_empty_baseline() -> None:
    findings = [finding("a"), finding("b")]
    kept, hidden = apply_baseline((f for f in findings), frozenset())
    assert list(kept) == findings
    assert hidden == 0
