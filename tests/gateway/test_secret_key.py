"""SECRET_KEY: the app refuses to start without one; only `gridcast up` makes one, and keeps it in var/."""

from __future__ import annotations

import subprocess
import sys

import pytest

from campaigns.common.settings import Settings, SettingsError
from gateway.app import create_app
from gateway.up import SECRET_KEY_FILE, embedded_secret_key
from tests.servers import subprocess_env


def test_the_app_refuses_to_start_without_a_secret_key(tmp_path):
    settings = Settings.from_env({"GRIDCAST_VAR_DIR": str(tmp_path)})

    with pytest.raises(SettingsError, match="SECRET_KEY"):
        create_app(settings)


def test_the_app_takes_the_secret_key_it_is_given(tmp_path):
    settings = Settings.from_env({"GRIDCAST_VAR_DIR": str(tmp_path), "SECRET_KEY": "k" * 40})

    assert create_app(settings).config["SECRET_KEY"] == "k" * 40


def test_up_makes_a_secret_key_once_and_keeps_it_readable_by_its_owner_only(tmp_path):
    first = embedded_secret_key(tmp_path / "var")
    again = embedded_secret_key(tmp_path / "var")

    path = tmp_path / "var" / SECRET_KEY_FILE
    assert first == again == path.read_text().strip()
    assert len(first) >= 43 and path.stat().st_mode & 0o777 == 0o600
    assert embedded_secret_key(tmp_path / "other") != first


def test_a_gridcast_command_that_needs_the_app_names_the_missing_setting_without_a_traceback(tmp_path):
    env = subprocess_env(GRIDCAST_VAR_DIR=str(tmp_path))
    env.pop("SECRET_KEY", None)

    result = subprocess.run(
        [sys.executable, "-m", "gateway.cli", "db", "upgrade"], env=env, capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 1
    assert result.stderr.startswith("Error: SECRET_KEY is not set") and "Traceback" not in result.stderr


def test_gridcast_commands_use_the_key_up_keeps_when_no_secret_key_is_set(tmp_path):
    embedded_secret_key(tmp_path)  # as a first `gridcast up` left it
    env = subprocess_env(GRIDCAST_VAR_DIR=str(tmp_path))
    env.pop("SECRET_KEY", None)

    result = subprocess.run(
        [sys.executable, "-m", "gateway.cli", "db", "upgrade"], env=env, capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("database at revision") and (tmp_path / "gridcast.db").exists()
