"""Config files are found by walking up, validated up front, and errors name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from dynaguard.config import ConfigError, FailOn, find_config, load_config
from dynaguard.model import Persona


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_pyproject_table_is_found_walking_up(tmp_path: Path) -> None:
    cfg = _write(tmp_path / "pyproject.toml", '[tool.dynaguard]\nfail-on = "medium"\n')
    nested = tmp_path / "app" / "api"
    nested.mkdir(parents=True)
    assert find_config(nested) == cfg
    loaded = load_config(cfg)
    assert loaded.code.fail_on is FailOn.MEDIUM


def test_pyproject_without_our_table_is_skipped(tmp_path: Path) -> None:
    _write(tmp_path / "pyproject.toml", "[tool.ruff]\nline-length = 90\n")
    inner = _write(tmp_path / "svc" / "pyproject.toml", "[tool.dynaguard]\njobs = 2\n")
    assert find_config(tmp_path / "svc") == inner
    assert find_config(tmp_path) is None


def test_dynaguard_toml_wins_in_the_same_directory(tmp_path: Path) -> None:
    _write(tmp_path / "pyproject.toml", "[tool.dynaguard]\njobs = 2\n")
    own = _write(tmp_path / "dynaguard.toml", 'persona = "pedantic"\nselect = ["dg1", "DG701"]\n')
    assert find_config(tmp_path) == own
    loaded = load_config(own)
    assert loaded.code.persona is Persona.PEDANTIC
    assert loaded.code.select == ("DG1", "DG701")


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('fail-onn = "high"\n', "unknown key 'fail-onn'"),
        ('fail-on = "severe"\n', "key 'fail-on'"),
        ("jobs = 0\n", "key 'jobs'"),
        ('select = ["B101"]\n', "key 'select'"),
        ("[typo]\nx = 1\n", "unknown key 'typo'"),
        ("fail-on = \n", "invalid TOML"),
    ],
)
def test_bad_config_names_file_and_key(tmp_path: Path, text: str, needle: str) -> None:
    cfg = _write(tmp_path / "dynaguard.toml", text)
    with pytest.raises(ConfigError) as caught:
        load_config(cfg)
    assert str(cfg) in str(caught.value)
    assert needle in str(caught.value)


def test_non_utf8_config_is_a_config_error(tmp_path: Path) -> None:
    cfg = tmp_path / "dynaguard.toml"
    cfg.write_bytes(b"jobs = 2 # \xff\n")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(cfg)


def test_defaults_without_a_file() -> None:
    loaded = load_config(None)
    assert loaded.source is None
    assert loaded.code.fail_on is FailOn.HIGH
    assert loaded.code.jobs == 1


def test_scan_root_is_the_working_directory_when_scanning_below_it(tmp_path: Path) -> None:
    from dynaguard.cli.settings import scan_root

    (tmp_path / "app" / "api").mkdir(parents=True)
    (tmp_path / "other").mkdir()
    assert scan_root([tmp_path / "app" / "api"], cwd=tmp_path) == tmp_path.resolve()
    outside = tmp_path / "other"
    assert (
        scan_root([tmp_path / "app", tmp_path / "app" / "api"], cwd=outside)
        == (tmp_path / "app").resolve()
    )


def test_bad_format_in_the_config_file_names_the_key(tmp_path: Path) -> None:
    cfg = _write(tmp_path / "dynaguard.toml", 'format = "pdf"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(cfg)
    assert str(cfg) in str(caught.value)
    assert "key 'format'" in str(caught.value)
