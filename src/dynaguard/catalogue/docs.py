"""A rule's documentation page, rendered from its metadata (docs/rules/DGxxx.md is generated)."""

from __future__ import annotations

from dynaguard.model import Rule

SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead", "References")


def _code(block: str) -> str:
    return f"```python\n{block.rstrip()}\n```"


def rule_markdown(rule: Rule, example_output: str | None = None) -> str:
    """The page: the same headings for every rule (What it does / Why is this bad? / ...)."""
    doc = rule.doc
    cwe = ", ".join(f"[CWE-{n}](https://cwe.mitre.org/data/definitions/{n}.html)" for n in rule.cwe)
    owasp = ", ".join(rule.owasp) or "none"
    parts = [
        f"# {rule.id}: {rule.title}",
        f"`{rule.name}` · severity **{rule.severity.value}** · confidence "
        f"**{rule.confidence.value}** · persona {rule.persona.value} · {cwe} · OWASP API {owasp}",
        f"## {SECTIONS[0]}\n\n{doc.what}",
        f"## {SECTIONS[1]}\n\n{doc.why}",
        f"## {SECTIONS[2]}\n\n{_code(doc.example)}",
        f"## {SECTIONS[3]}\n\nWith plain boto3:\n\n{_code(doc.fix)}",
    ]
    if doc.fix_secure:
        parts.append(f"With `dynaguard.secure`:\n\n{_code(doc.fix_secure)}")
    if example_output is not None:
        parts.append(
            "## Example output\n\n`dynaguard code` on the example above:\n\n"
            f"```text\n{example_output.rstrip()}\n```"
        )
    for variant in doc.variants:
        note = f"{variant.note}\n\n" if variant.note else ""
        parts.append(
            f"## In {variant.framework}\n\n{note}{_code(variant.example)}\n\n"
            f"Use instead:\n\n{_code(variant.fix)}"
        )
    refs = "\n".join(f"- <{url}>" for url in doc.references) or "- none"
    parts.append(f"## {SECTIONS[4]}\n\n{refs}")
    parts.append(f"Fix hint: {rule.hint}")
    return "\n\n".join(parts) + "\n"
