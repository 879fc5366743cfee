"""The command line: the only layer that reads config, touches files and sets exit codes."""

from __future__ import annotations

import importlib

import click

from dynaguard import __version__

# NOTE: each subcommand is imported when it runs, not up front: ``scan`` pulls in httpx, moto and
# the twins, ``code`` the analyser, and a pre-commit hook or an editor calling ``dynaguard code``
# on one file must not wait for all of them (docs/benchmarks.md, start-up).
_COMMANDS: dict[str, tuple[str, str]] = {
    "code": ("dynaguard.cli.code", "code_command"),
    "rules": ("dynaguard.cli.rules", "rules_command"),
    "scan": ("dynaguard.cli.scan", "scan_command"),
    "demo": ("dynaguard.cli.demo", "demo_command"),
    "serve": ("dynaguard.cli.serve", "serve_command"),
    "push": ("dynaguard.cli.push", "push_command"),
    "monitor": ("dynaguard.cli.monitor", "monitor_group"),
    "github-action": ("dynaguard.ci.github", "github_command"),
    "pre-commit": ("dynaguard.ci.precommit", "precommit_command"),
}
"""Subcommand -> (module, attribute) of its click command, in the order ``--help`` lists them."""


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*_COMMANDS, *super().list_commands(ctx)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = _COMMANDS.get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        module, attribute = target
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dynaguard")
def main() -> None:
    """dynaguard: find and fix integrity failures and mass assignment in Flask + DynamoDB APIs."""


__all__ = ["main"]
