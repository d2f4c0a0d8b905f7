"""The one settings model: every variable declared once with its bounds and words; bad values refused at start with
the variable and the bound named; the old defaults kept; the docs table generated from it."""

from __future__ import annotations

import dataclasses

import pytest

from campaigns.common.settings import Settings, SettingsError
from campaigns.common.settings_model import SECTIONS, EnvironmentSettings, env_name, extra
from gateway.cli.settings_doc import END, RUNNING_MD, START, main, settings_table, with_table
from gateway.console.catalog_tool import read_locale

FIELDS = EnvironmentSettings.model_fields


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("GRIDCAST_CALL_RING_SECONDS", "2", "GRIDCAST_CALL_RING_SECONDS='2' must be a whole number from 5 to 600"),
        ("GRIDCAST_IMPORT_MAX_ROWS", "1", "GRIDCAST_IMPORT_MAX_ROWS='1' must be a whole number from 2 to 10000000"),
        ("GRIDCAST_SMS_RATE", "0", "GRIDCAST_SMS_RATE='0' must be a number above 0"),
        ("GRIDCAST_SMS_PRICE", "-1", "GRIDCAST_SMS_PRICE='-1' must be a number, 0 or more"),
        ("GRIDCAST_SEND_BATCH", "lots", "GRIDCAST_SEND_BATCH='lots' must be a whole number above 0"),
        ("GRIDCAST_AUTO_REPLIES", "maybe", "GRIDCAST_AUTO_REPLIES='maybe' must be `on` or `off`"),
        ("GRIDCAST_AUDIO_BITRATE", "65", "GRIDCAST_AUDIO_BITRATE='65' must be one of `32`, `40`, `48`, `56`, `64`"),
        ("GRIDCAST_TIMEZONE", "Mars/Olympus", "GRIDCAST_TIMEZONE='Mars/Olympus' is not a known time zone"),
    ],
)
def test_a_value_out_of_bounds_is_refused_naming_the_variable_and_the_bound(name, value, message):
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({name: value})
    assert str(refused.value).startswith(message)


def test_every_refused_variable_is_named_at_once():
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({"GRIDCAST_CALL_PLAYS": "0", "GRIDCAST_LEASE_SECONDS": "-5"})
    assert "GRIDCAST_CALL_PLAYS='0'" in str(refused.value) and "GRIDCAST_LEASE_SECONDS='-5'" in str(refused.value)


@pytest.mark.parametrize(
    ("name", "value"), [("KANNEL_WEBHOOK_SECRET", "hunter2-short"), ("KANNEL_SENDSMS_URL", "smsbox:hunter2@host")]
)
def test_a_refused_secret_or_url_is_not_repeated_in_the_message(name, value):
    others = {
        "REDIS_URL": "redis://gc:hunter2@127.0.0.1:6379/0",
        "TWILIO_AUTH_TOKEN": "hunter2",
        "SECRET_KEY": "hunter2",
    }
    with pytest.raises(SettingsError, match=name) as refused:
        Settings.from_env({**others, name: value, "GRIDCAST_CALL_PLAYS": "0"})
    assert "hunter2" not in str(refused.value) and "GRIDCAST_CALL_PLAYS='0'" in str(refused.value)


def test_key_defaults_are_the_ones_before_the_model():
    settings = Settings.from_env({"GRIDCAST_VAR_DIR": "/srv/gridcast"})
    assert dataclasses.asdict(settings) | {"import_limits": None} == dataclasses.asdict(settings) | {
        "database_url": "sqlite:////srv/gridcast/gridcast.db", "redis_url": None, "timezone": "Asia/Shanghai",
        "public_base_url": "http://127.0.0.1:8000", "default_region": "CN", "secret_key": "",
        "sms_rate_per_second": 10.0, "sms_price_per_segment": 0.05, "currency": "CNY", "send_batch_size": 500,
        "max_attempts": 4, "lease_seconds": 120, "provider_timeout_seconds": 15.0, "send_concurrency": 8,
        "auto_replies": True, "cap_sender": "gridcast@127.0.0.1", "call_rate_per_second": 1.0,
        "call_ring_seconds": 30, "simulator_call_key": "1", "tts_engines": ("gtts", "espeak"),
        "audio_bitrate_kbps": 64, "audio_max_upload_bytes": 20 * 2**20, "secure_cookies": False,
        "approval_threshold": 1000, "kannel_dlr_mask": 31, "kannel_rate_per_second": 1.0, "sms_routes": (),
        "import_inline_max_bytes": 256 * 1024, "import_limits": None, "login_max_delay_seconds": 60,
    }  # fmt: skip
    limits = settings.import_limits
    assert (limits.max_upload_bytes, limits.max_unpacked_bytes) == (20 * 2**20, 200 * 2**20)
    assert (limits.max_compression_ratio, limits.max_rows, limits.max_columns, limits.max_cell_chars) == (
        100, 200_000, 50, 1000,
    )  # fmt: skip
    assert Settings.from_env({"PUBLIC_BASE_URL": "https://gc.example.cn/"}).secure_cookies is True


def test_the_process_environment_is_read_only_without_a_mapping(monkeypatch):
    monkeypatch.setenv("GRIDCAST_CALL_PLAYS", "4")
    assert Settings.from_env().call_announcement_plays == 4
    assert Settings.from_env({}).call_announcement_plays == 2


def test_every_setting_is_declared_once_with_its_words():
    chinese = {message.id: message.string for message in read_locale("zh_Hans") if message.id and not message.context}
    names = [env_name(info) for info in FIELDS.values()]
    assert len(names) == len(set(names)) and all(name.isupper() for name in names)
    for name, info in FIELDS.items():
        assert info.description and info.title and extra(info)["section"] in SECTIONS, name
        assert chinese.get(info.title) and chinese.get(extra(info)["section"]), name
    secrets = {env_name(info) for info in FIELDS.values() if extra(info)["show"] == "secret"}
    assert secrets == {"TWILIO_AUTH_TOKEN", "KANNEL_PASSWORD", "KANNEL_WEBHOOK_SECRET", "SECRET_KEY",
                       "GRIDCAST_SPEAKER_SIGNING_KEY"}  # fmt: skip


def test_environment_values_give_back_the_same_settings():
    env = {
        "GRIDCAST_AUDIO_MAX_UPLOAD_MB": "5", "GRIDCAST_IMPORT_MAX_ROWS": "77", "GRIDCAST_IMPORT_INLINE_MAX_KB": "0",
        "GRIDCAST_SIMULATOR_CALL_KEY": "none", "GRIDCAST_TTS_ENGINES": "espeak", "GRIDCAST_VAR_DIR": "/srv/gc",
        "KANNEL_SENDSMS_URL": "http://127.0.0.1:13013/cgi-bin/sendsms", "KANNEL_USERNAME": "gc",
        "KANNEL_PASSWORD": "pw", "KANNEL_ALLOWED_IPS": "127.0.0.1", "GRIDCAST_SMS_ROUTES": "+86=kannel,*=simulator",
    }  # fmt: skip
    settings = Settings.from_env(env)
    values = settings.environment_values()
    assert set(values) == set(FIELDS)
    again = {}
    for name, value in values.items():
        if value is None or value == ():
            continue
        if isinstance(value, tuple):
            value = ",".join("=".join(item) if isinstance(item, tuple) else item for item in value)
        again[env_name(FIELDS[name])] = "on" if value is True else "off" if value is False else str(value)
    assert Settings.from_env(again) == settings


def test_the_docs_table_is_the_generated_one():
    document = RUNNING_MD.read_text(encoding="utf-8")
    assert START in document and END in document
    assert with_table(document) == document, "run: python -m gateway.cli.settings_doc"
    assert document.count("\n| `") >= len(FIELDS)


def test_the_docs_script_checks_and_rewrites(tmp_path, capsys):
    stale = tmp_path / "running.md"
    stale.write_text(f"# Running\n\n{START}\n| old | table |\n{END}\n\nAfter.\n", encoding="utf-8")
    assert main(["--check", "--path", str(stale)]) == 1
    assert main(["--path", str(stale)]) == 0
    assert stale.read_text(encoding="utf-8") == f"# Running\n\n{START}\n{settings_table()}\n{END}\n\nAfter.\n"
    assert main(["--check", "--path", str(stale)]) == 0
    assert "GRIDCAST_CALL_RING_SECONDS` | `30` | a whole number from 5 to 600 |" in settings_table()


def test_spaces_around_a_value_are_ignored_as_before():
    settings = Settings.from_env({"GRIDCAST_AUTO_REPLIES": " off ", "GRIDCAST_CALL_MAX_TRIES": "   ", "TZ": "x"})
    assert settings.auto_replies is False and settings.call_max_tries == 3
    assert Settings.from_env({"KANNEL_SMSC": " modem1 ", "GRIDCAST_CURRENCY": " EUR"}).kannel_smsc == "modem1"
    blank = Settings.from_env({"GRIDCAST_TTS_ENGINES": "  ", "GRIDCAST_AUDIO_BITRATE": " ", "GRIDCAST_SMS_ROUTES": " "})
    assert (blank.tts_engines, blank.audio_bitrate_kbps, blank.sms_routes) == (("gtts", "espeak"), 64, ())
