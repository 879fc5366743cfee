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


# -- [tool.dynaguard.models] (docs/models.md) ----------------------------------------------

MODELS = """\
[tool.dynaguard.models]
identity-functions = ["shop.auth.caller_id"]
ownership-checks = ["shop.auth.assert_owner"]
authentication-decorators = ["shop.auth.signed_in"]
role-decorators = ["shop.auth.clearance"]
validators = ["shop.schemas.vet"]

[[tool.dynaguard.models.wrappers]]
function = "shop.repo.OrderRepo.save"
operation = "put"
item = "order"
table = "orders"
condition = "attribute_not_exists(order_id)"

[[tool.dynaguard.models.wrappers]]
function = "shop.repo.OrderRepo.rename"
operation = "update"
key = { order_id = 0, owner = "owner" }
update-param = 2
values = "values"
table-param = "table"
"""


def test_the_models_table_is_read_into_declarations(tmp_path: Path) -> None:
    from dynaguard.static.models.declarations import Operation, Role

    cfg = _write(tmp_path / "pyproject.toml", MODELS)
    declared = load_config(cfg).models.declarations()
    assert declared.identity_functions == ("shop.auth.caller_id",)
    assert declared.role_decorators == ("shop.auth.clearance",)
    save, rename = declared.wrappers
    assert (save.operation, dict(save.params)) == (Operation.PUT, {Role.ITEM: "order"})
    assert dict(save.fixed) == {
        Role.TABLE: "orders",
        Role.CONDITION: "attribute_not_exists(order_id)",
    }
    assert dict(rename.fields) == {Role.KEY: {"order_id": 0, "owner": "owner"}}
    assert dict(rename.params) == {Role.UPDATE: 2, Role.VALUES: "values", Role.TABLE: "table"}


def test_dynaguard_toml_spells_the_table_models(tmp_path: Path) -> None:
    text = MODELS.replace("tool.dynaguard.models", "models")
    declared = load_config(_write(tmp_path / "dynaguard.toml", text)).models.declarations()
    assert len(declared.wrappers) == 2 and declared.validators == ("shop.schemas.vet",)
    assert not load_config(None).models.declarations()  # nothing declared: no model to add


_WRAPPER = '[[tool.dynaguard.models.wrappers]]\nfunction = "shop.repo.save"\n'


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        (
            "[tool.dynaguard.models]\nwrapers = []\n",
            "[tool.dynaguard.models] wrapers: unknown key",
        ),
        (
            _WRAPPER + 'operation = "put"\nitem = 0\ntabel = "orders"\n',
            "[tool.dynaguard.models] wrappers[0].tabel: unknown key",
        ),
        (
            _WRAPPER + 'operation = "insert"\n',
            "[tool.dynaguard.models] wrappers[0].operation: Input should be 'put', 'get'",
        ),
        (
            _WRAPPER + 'operation = "put"\ntable = "orders"\ntable-param = 0\n',
            "[tool.dynaguard.models] wrappers[0]: table and table-param both given",
        ),
        (
            _WRAPPER + 'operation = "update"\ncondition = "x"\ncondition-param = "c"\n',
            "wrappers[0]: condition and condition-param both given",
        ),
        (
            _WRAPPER + 'operation = "get"\nitem = 0\n',
            "wrappers[0]: item: a get wrapper has no item (it takes key, table)",
        ),
        (
            _WRAPPER + 'operation = "put"\nitem = -1\n',
            "wrappers[0].item: a parameter's position counts from 0",
        ),
        (
            _WRAPPER + 'operation = "put"\nitem = true\n',
            "wrappers[0].item: True is neither a parameter name nor a 0-based position",
        ),
        (
            _WRAPPER + 'operation = "get"\nkey = { order_id = "order id" }\n',
            "wrappers[0].key: 'order id' is neither a parameter name",
        ),
        (
            '[[tool.dynaguard.models.wrappers]]\nfunction = "shop..save"\noperation = "put"\n',
            "wrappers[0].function: 'shop..save' is not a dotted name",
        ),
        (
            '[tool.dynaguard.models]\nrole-decorators = ["admin_only"]\n',
            "role-decorators[0]: 'admin_only' is not a dotted name such as myapp.db.save_order",
        ),
        (
            '[tool.dynaguard.models]\nvalidators = ["ok.name", "shop.class.vet"]\n',
            "[tool.dynaguard.models] validators[1]: 'shop.class.vet' is not a dotted name",
        ),
        ("[tool.dynaguard]\nmodels = 3\n", "[tool.dynaguard.models] must be a table"),
    ],
)
def test_bad_models_name_the_file_and_the_key_path(tmp_path: Path, text: str, needle: str) -> None:
    cfg = _write(tmp_path / "pyproject.toml", text)
    with pytest.raises(ConfigError) as caught:
        load_config(cfg)
    assert str(caught.value).startswith(f"{cfg}: ")
    assert needle in str(caught.value)


def test_bad_models_in_dynaguard_toml_name_its_table(tmp_path: Path) -> None:
    cfg = _write(tmp_path / "dynaguard.toml", '[[models.wrappers]]\nfunction = "a.b"\n')
    with pytest.raises(ConfigError, match=r"\[models\] wrappers\[0\]\.operation: Field required"):
        load_config(cfg)
