"""Settings: read from the environment at the edge, every field documented."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from backstride.errors import ConfigError
from backstride.settings import SETTINGS_HELP, Settings


def test_every_setting_is_documented() -> None:
    fields = {f.name for f in dataclasses.fields(Settings)}
    assert fields == set(SETTINGS_HELP)
    assert all(help_text.strip() for _, help_text in SETTINGS_HELP.values())


def test_home_and_default_sqlite_url(tmp_path: Path) -> None:
    s = Settings.from_env({"BACKSTRIDE_HOME": str(tmp_path)})
    assert s.home == tmp_path
    assert s.database_url == f"sqlite:///{tmp_path / 'backstride.sqlite3'}"
    assert not (tmp_path / "backstride.sqlite3").exists()  # nothing created here


def test_database_url_override(tmp_path: Path) -> None:
    url = "postgresql+psycopg://u@localhost/db"
    s = Settings.from_env({"BACKSTRIDE_HOME": str(tmp_path), "BACKSTRIDE_DATABASE_URL": url})
    assert s.database_url == url


def test_bad_values_are_config_errors(tmp_path: Path) -> None:
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(ConfigError, match="not a directory"):
        Settings.from_env({"BACKSTRIDE_HOME": str(f)})
    with pytest.raises(ConfigError, match="not a database URL"):
        Settings.from_env({"BACKSTRIDE_HOME": str(tmp_path), "BACKSTRIDE_DATABASE_URL": "nope"})


def test_default_home_is_platform_user_data_dir() -> None:
    s = Settings.from_env({})
    assert "backstride" in str(s.home)


def test_import_workers(tmp_path: Path) -> None:
    env = {"BACKSTRIDE_HOME": str(tmp_path)}
    assert Settings.from_env(env).import_workers is None
    assert Settings.from_env({**env, "BACKSTRIDE_IMPORT_WORKERS": "1"}).import_workers == 1
    with pytest.raises(ConfigError, match="BACKSTRIDE_IMPORT_WORKERS"):
        Settings.from_env({**env, "BACKSTRIDE_IMPORT_WORKERS": "zero"})
