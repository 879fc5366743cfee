"""Bad ``[monitor]`` tables: ``dynaguard monitor`` exits 2 with one line naming file and key,
before it opens a queue or a database."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from dynaguard.cli import main
from dynaguard.monitor.settings import WebhookFormat, parse_monitor

API = 'name = "a"\nurl = "http://127.0.0.1:9/"\nevery = "1h"\n'
HOOK = '[monitor.webhook]\nurl = "http://127.0.0.1:9/hook"\n'


def _target(extra: str, base: str = API) -> str:
    return f"[[monitor.targets]]\n{base}{extra}"


@pytest.mark.parametrize(
    ("text", "key", "says"),
    [
        (_target("", 'name = "a"\nevery = "1h"\n'), "monitor.targets[0]", "either url"),
        (_target('path = "."\n'), "monitor.targets[0]", "either url"),
        (_target("", 'name = "a"\nurl = ""\nevery = "1h"\n'), "monitor.targets[0].url", "http"),
        (_target("", 'name = "a"\nurl = "ftp://h/"\nevery = "1h"\n'), "targets[0].url", "http"),
        (_target("", 'name = "a"\nurl = 5\nevery = "1h"\n'), "targets[0].url", "string"),
        (_target("", 'name = "a"\npath = ""\nevery = "1h"\n'), "targets[0].path", "path"),
        (_target("", 'name = "a"\npath = ["."]\nevery = "1h"\n'), "targets[0].path", "string"),
        (_target("", 'url = "http://h/"\nevery = "1h"\n'), "targets[0].name", "name"),
        (_target("", 'name = "a b"\nurl = "http://h/"\nevery = "1h"\n'), "targets[0].name", "name"),
        (_target('schedule = "* * * * *"\n'), "monitor.targets[0]", "either schedule"),
        (_target("", 'name = "a"\nurl = "http://h/"\n'), "monitor.targets[0]", "either schedule"),
        (
            _target("", 'name = "a"\nurl = "http://h/"\nschedule = "61 * * * *"\n'),
            "monitor.targets[0].schedule",
            "cron",
        ),
        (
            _target("", 'name = "a"\nurl = "http://h/"\nschedule = "0 * * * * *"\n'),
            "monitor.targets[0].schedule",
            "five-field",
        ),
        (
            _target("", 'name = "a"\nurl = "http://h/"\nschedule = "@hourly"\n'),
            "monitor.targets[0].schedule",
            "five-field",
        ),
        (_target("", 'name = "a"\nurl = "http://h/"\nevery = "90s"\n'), "targets[0].every", "15m"),
        (_target("", 'name = "a"\nurl = "http://h/"\nevery = "0m"\n'), "targets[0].every", "15m"),
        (
            _target("", 'name = "a"\nurl = "http://h/"\nevery = "367d"\n'),
            "targets[0].every",
            "366d",
        ),
        (
            _target("", 'name = "a"\nurl = "http://h/"\nevery = "99999999999999d"\n'),
            "monitor.targets[0].every",
            "366d",
        ),
        (_target("", 'name = "a"\nurl = "http://h/"\nevery = 15\n'), "targets[0].every", "string"),
        (_target("bogus = 1\n"), "monitor.targets[0].bogus", "unknown key"),
        (_target('active = "yes"\n'), "monitor.targets[0].active", "boolean"),
        (_target("rate = -1\n"), "monitor.targets[0].rate", "greater than"),
        (_target('timeout = "60"\n'), "monitor.targets[0].timeout", "seconds"),
        (_target("timeout = 0\n"), "monitor.targets[0].timeout", "seconds"),
        (_target('threshold = "severe"\n'), "monitor.targets[0].threshold", "one of"),
        (_target("threshold = 3\n"), "monitor.targets[0].threshold", "one of"),
        (_target("project = 1\n"), "monitor.targets[0].project", "string"),
        (_target("") + _target(""), "monitor.targets", "unique"),
        ("[monitor]\ntargets = [1]\n", "monitor.targets[0]", "table"),
        ('[monitor]\ntargets = "x"\n', "monitor.targets", "must be a list"),
        ("jobs = 2\n", "monitor", "table"),
        ("[monitor]\nworkers = 2\n" + _target(""), "monitor.workers", "unknown key"),
        ("[monitor]\nretries = true\n" + _target(""), "monitor.retries", "integer"),
        ("[monitor]\nhost-rate = 0\n" + _target(""), "monitor.host-rate", "integer"),
        ("[monitor]\nqueue = 3\n" + _target(""), "monitor.queue", "string"),
        (HOOK + _target(""), "monitor.webhook.secret", "${ENV_VAR}"),
        (HOOK + 'secret = "hunter2"\n' + _target(""), "monitor.webhook.secret", "${ENV_VAR}"),
        (HOOK + 'secret = "${}"\n' + _target(""), "monitor.webhook.secret", "${ENV_VAR}"),
        (HOOK + 'secret = "${A}${B}"\n' + _target(""), "monitor.webhook.secret", "${ENV_VAR}"),
        (HOOK + 'secret = "${A-B}"\n' + _target(""), "monitor.webhook.secret", "${ENV_VAR}"),
        (
            '[monitor.webhook]\nurl = "ftp://h/"\nsecret = "${S}"\n' + _target(""),
            "monitor.webhook.url",
            "http",
        ),
        (HOOK + 'secret = "${S}"\nformat = "teams"\n' + _target(""), "webhook.format", "slack"),
        (HOOK + 'secret = "${S}"\ncolour = 1\n' + _target(""), "webhook.colour", "unknown key"),
        (HOOK + 'secret = "${S}"\nretries = 99\n' + _target(""), "webhook.retries", "integer"),
    ],
)
def test_a_bad_monitor_table_exits_2_naming_file_and_key(
    tmp_path: Path, text: str, key: str, says: str
) -> None:
    config = tmp_path / "dynaguard.toml"
    config.write_text(text, encoding="utf-8")
    queue, db = f"sqlite:///{tmp_path / 'queue.db'}", f"sqlite:///{tmp_path / 'history.db'}"
    args = ["monitor", "status", "--config", str(config), "--queue", queue, "--database", db]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"dynaguard: error: {config}: ")
    assert f"{key}'" in line and says in line
    assert result.stdout == ""
    assert not (tmp_path / "queue.db").exists() and not (tmp_path / "history.db").exists()


def test_an_unknown_key_of_a_repository_target_is_named(tmp_path: Path) -> None:
    config = tmp_path / "dynaguard.toml"
    text = _target("bogus = 1\n", 'name = "r"\npath = "."\nevery = "1d"\n')
    config.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["monitor", "status", "--config", str(config)])
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert str(config) in line and "'bogus'" in line and "monitor.targets[0]" in line


def test_a_good_table_keeps_its_values(tmp_path: Path) -> None:
    source = tmp_path / "dynaguard.toml"
    raw = {
        "threshold": "medium",
        "timeout": 30,
        "host-rate": 7,
        "dashboard": "http://127.0.0.1:8000/",
        "webhook": {"url": "https://h/x", "secret": "${HOOK_SECRET}", "format": "slack"},
        "targets": [
            {"name": "api", "url": "http://h:1/", "schedule": "*/5 * * * *", "active": True},
            {"name": "repo", "path": "src", "every": "2h", "threshold": "low", "timeout": 9},
        ],
    }
    settings = parse_monitor(raw, source)
    api, repo = settings.targets
    assert (api.host, api.threshold.value, api.timeout, api.project) == ("h:1", "medium", 30, "api")
    assert api.options == {"active": True} and api.schedule.cron == "*/5 * * * *"
    assert repo.path == str((tmp_path / "src").resolve()) and repo.host == "localhost"
    assert (repo.schedule.minutes, repo.threshold.value, repo.timeout) == (120, "low", 9)
    assert settings.host_rate == 7 and settings.dashboard == "http://127.0.0.1:8000"
    assert settings.webhook is not None and settings.webhook.format is WebhookFormat.SLACK
