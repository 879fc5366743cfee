"""``dynaguard rules [ID]``: the catalogue, or one rule's documentation."""

from __future__ import annotations

import click

from dynaguard.catalogue import CATALOGUE, get_rule
from dynaguard.catalogue.docs import rule_markdown
from dynaguard.cli.exits import ExitCode, die


def catalogue_table() -> str:
    """One line a rule: id, severity, CWE, OWASP, title."""
    lines = [f"{'id':<7}{'severity':<10}{'cwe':<10}{'owasp':<11}title"]
    for rule in CATALOGUE:
        cwe = ",".join(f"CWE-{n}" for n in rule.cwe)
        owasp = ",".join(o.split(":")[0] for o in rule.owasp) or "-"
        lines.append(f"{rule.id:<7}{rule.severity.value:<10}{cwe:<10}{owasp:<11}{rule.title}")
    lines.append("")
    lines.append("dynaguard rules ID shows a rule's documentation.")
    return "\n".join(lines)


@click.command("rules")
@click.argument("rule_id", required=False)
def rules_command(rule_id: str | None) -> None:
    """List the rule catalogue, or show the documentation of RULE_ID (e.g. DG101)."""
    if rule_id is None:
        click.echo(catalogue_table())
        return
    try:
        rule = get_rule(rule_id)
    except KeyError:
        known = ", ".join(CATALOGUE.keys())
        die(f"no rule {rule_id!r}; known rules: {known}", ExitCode.USAGE)
    click.echo(rule_markdown(rule))
