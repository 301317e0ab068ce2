"""Settings: every contract knob read from the environment, bad values named clearly."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from pydantic import ValidationError
from typer.testing import CliRunner

from worker.cli import app
from worker.settings import Settings, get_settings

pytestmark = pytest.mark.usefixtures("clean_settings")


def test_defaults_are_the_documented_ones() -> None:
    s = Settings()
    assert s.snapchat_ads_live_mode is False
    assert s.snapchat_ads_api_base_url == "https://adsapi.snapchat.com/v1"
    assert s.snapchat_ads_oauth_url == "https://accounts.snapchat.com/login/oauth2"
    assert (s.snapchat_ads_rate_limit_rps, s.snapchat_ads_app_rps, s.snapchat_ads_token_rps) == (
        50,
        20,
        10,
    )
    assert s.embedded
    assert s.database.startswith("sqlite:///")


def test_contract_names_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    key = Fernet.generate_key().decode()
    monkeypatch.setenv("SNAPCHAT_ADS_LIVE_MODE", "true")
    monkeypatch.setenv("SNAPCHAT_ADS_CLIENT_ID", "cid")
    monkeypatch.setenv("SNAPCHAT_ADS_CLIENT_SECRET", "shh")
    monkeypatch.setenv("SNAPCHAT_ADS_RATE_LIMIT_RPS", "7")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@h/db")
    monkeypatch.setenv("SNAPFLEET_ENCRYPTION_KEY", key)
    s = Settings()
    assert s.snapchat_ads_live_mode is True
    assert s.snapchat_ads_rate_limit_rps == 7
    assert not s.embedded
    assert s.database == "postgresql+psycopg://u@h/db"
    assert s.encryption_keys == [key]
    assert "shh" not in repr(s) and key not in repr(s)


@pytest.mark.parametrize(
    ("name", "value", "field"),
    [
        ("SNAPCHAT_ADS_RATE_LIMIT_RPS", "0", "snapchat_ads_rate_limit_rps"),
        ("REDIS_URL", "http://nope", "redis_url"),
        ("DATABASE_URL", "mysql://x/y", "database_url"),
        ("SNAPFLEET_ENCRYPTION_KEY", "not-a-key", "snapfleet_encryption_key"),
        ("SNAPCHAT_ADS_API_BASE_URL", "adsapi.snapchat.com", "snapchat_ads_api_base_url"),
        ("SNAPFLEET_FX_RATES", "{broken", "snapfleet_fx_rates"),
    ],
)
def test_a_bad_value_names_its_field(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, field: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as info:
        Settings()
    assert [e["loc"][0] for e in info.value.errors()] == [field]


def test_live_mode_without_credentials_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SNAPCHAT_ADS_LIVE_MODE", "true")
    with pytest.raises(ValidationError, match="SNAPCHAT_ADS_CLIENT_ID"):
        Settings()


def test_cli_reports_bad_settings_with_exit_code_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SNAPCHAT_ADS_TOKEN_RPS", "-1")
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["settings"])
    assert result.exit_code == 2
    assert "SNAPCHAT_ADS_TOKEN_RPS" in result.output


def test_cli_masks_the_client_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SNAPCHAT_ADS_CLIENT_SECRET", "very-secret-value")
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["settings"])
    assert result.exit_code == 0
    assert "very-secret-value" not in result.output


def test_cli_masks_passwords_in_service_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://fleet:db-pass-123@db:5432/fleet")
    monkeypatch.setenv("REDIS_URL", "redis://:redis-pass-456@cache:6379/0")
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["settings"])
    assert result.exit_code == 0
    assert "db-pass-123" not in result.output and "redis-pass-456" not in result.output
    assert "DATABASE_URL=postgresql+psycopg://fleet:***@db:5432/fleet" in result.output
    assert "REDIS_URL=redis://:***@cache:6379/0" in result.output


def test_a_journal_lease_may_be_shorter_than_an_attempt_its_heartbeat_renews_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 60 s of client retries, then 2 x (30 s request + 2 s gate wait): 124 s; the live
    # attempt renews its lease every third of it, so a short lease is safe and fast.
    assert Settings().snapfleet_journal_lease_s == 30
    monkeypatch.setenv("SNAPFLEET_JOURNAL_LEASE_S", "6")
    assert Settings().snapfleet_journal_lease_s == 6
    monkeypatch.setenv("SNAPFLEET_JOURNAL_LEASE_S", "2")
    with pytest.raises(ValidationError, match="snapfleet_journal_lease_s"):
        Settings()
