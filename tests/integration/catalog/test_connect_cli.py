"""`snapfleet connect` / `disconnect`: the functions on the fleet's runtime, and the command
against a real `snapfleet sandbox` server process."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from typer.testing import CliRunner

from snap import oauth
from snap.errors import Unauthorized
from snap.sandbox import EUR_AD_ACCOUNT_ID, USD_AD_ACCOUNT_ID
from storage import connections as connection_repo
from tests.fleet import CLIENT_ID, CLIENT_SECRET, ENCRYPTION_KEY, REDIRECT_URI, Fleet
from tests.processes import listening_sandbox
from worker.cli import app as cli
from worker.connections import connect as onboarding
from worker.connections.tokens import REAUTH_MESSAGE
from worker.errors import TaskFailed


def _state(fleet: Fleet, connection_id: int) -> tuple[str, str | None, bool]:
    with fleet.runtime.session() as session:
        row = connection_repo.get(session, connection_id)
        return row.state, row.reauth_reason, row.refresh_token_ciphertext is not None


def test_connect_with_tokens_obtained_elsewhere_captures_the_accounts(fleet: Fleet) -> None:
    code = fleet.sandbox.state.tokens.authorize(CLIENT_ID, REDIRECT_URI)
    tokens = oauth.exchange_code(
        fleet.sandbox.oauth_url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
        code=code, redirect_uri=REDIRECT_URI, http=fleet.runtime.oauth_http,
    )  # fmt: skip

    connected = onboarding.connect(
        fleet.runtime,
        tenant_id="tenant-elsewhere",
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token,
        expires_in_s=1800,
    )

    accounts = onboarding.captured_accounts(fleet.runtime, connected.connection_id)
    assert {USD_AD_ACCOUNT_ID, EUR_AD_ACCOUNT_ID} <= {a.id for a in accounts}
    assert {a.currency for a in accounts} >= {"USD", "EUR"}
    assert _state(fleet, connected.connection_id) == ("active", None, True)


def test_a_refused_probe_marks_the_stored_connection_needs_reauth(fleet: Fleet) -> None:
    with pytest.raises(Unauthorized) as caught:
        onboarding.connect(
            fleet.runtime, tenant_id="tenant-revoked", access_token="not-a-token",
            refresh_token="not-a-refresh-token",
        )  # fmt: skip

    assert caught.value.message.startswith("Snapchat Ads /me")
    assert caught.value.message.endswith("returned 401")
    with fleet.runtime.session() as session:
        row = connection_repo.for_tenant(session, "tenant-revoked", CLIENT_ID)
        assert row is not None
        assert (row.state, row.reauth_reason) == ("needs_reauth", REAUTH_MESSAGE)


def test_a_refused_code_flags_nothing(fleet: Fleet) -> None:
    with pytest.raises(TaskFailed, match="refused the authorization code") as caught:
        onboarding.connect(
            fleet.runtime, tenant_id="tenant-bad-code", code="used", redirect_uri=REDIRECT_URI
        )
    assert caught.value.code == "unauthorized"
    with fleet.runtime.session() as session:
        assert connection_repo.for_tenant(session, "tenant-bad-code", CLIENT_ID) is None


def test_disconnect_deletes_the_refresh_token(fleet: Fleet) -> None:
    connection_id = fleet.connected.connection_id

    onboarding.disconnect(fleet.runtime, connection_id)

    assert _state(fleet, connection_id) == ("disconnected", None, False)


# --- The command, against a real sandbox server ----------------------------------------


@pytest.fixture
def sandbox_server() -> Iterator[str]:
    args = ["--seed", "empty", "--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET]
    with listening_sandbox(args) as (base, _):
        yield base


@pytest.fixture
def cli_env(
    sandbox_server: str,
    migrated_database: str,
    redis_url: str | None,
    clean_settings: None,
    monkeypatch: pytest.MonkeyPatch,
) -> dict[str, Any]:
    from worker.settings import get_settings

    env = {
        "DATABASE_URL": migrated_database,
        "SNAPFLEET_ENCRYPTION_KEY": ENCRYPTION_KEY,
        "SNAPCHAT_ADS_CLIENT_ID": CLIENT_ID,
        "SNAPCHAT_ADS_CLIENT_SECRET": CLIENT_SECRET,
        "SNAPCHAT_ADS_API_BASE_URL": f"{sandbox_server}/v1",
        "SNAPCHAT_ADS_OAUTH_URL": f"{sandbox_server}/login/oauth2",
        **({"REDIS_URL": redis_url} if redis_url else {}),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    return {"base": sandbox_server}


def _authorize(base: str) -> str:
    """The code the sandbox's /authorize hands back on the redirect, as a browser sees it."""
    answer = httpx.get(
        f"{base}/login/oauth2/authorize",
        params={"client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI, "response_type": "code"},
    )
    assert answer.status_code == 302
    return parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]


def test_cli_connect_with_a_code_prints_the_accounts_then_disconnects(
    cli_env: dict[str, Any],
) -> None:
    runner = CliRunner()
    code = _authorize(cli_env["base"])

    connected = runner.invoke(
        cli, ["connect", "--tenant", "cli-tenant", "--code", code, "--redirect-uri", REDIRECT_URI]
    )

    assert connected.exit_code == 0, connected.output
    assert USD_AD_ACCOUNT_ID in connected.stdout and EUR_AD_ACCOUNT_ID in connected.stdout
    assert code not in connected.output
    connection_id = connected.stdout.split("connection ", 1)[1].split(":", 1)[0]
    gone = runner.invoke(cli, ["disconnect", "--connection", connection_id])
    assert gone.exit_code == 0, gone.output
    assert "refresh token deleted" in gone.stdout


def test_cli_connect_with_refused_tokens_exits_non_zero_with_the_seed_message(
    cli_env: dict[str, Any],
) -> None:
    result = CliRunner().invoke(
        cli,
        ["connect", "--tenant", "cli-401", "--access-token", "revoked-access",
         "--refresh-token", "revoked-refresh"],
    )  # fmt: skip

    assert result.exit_code == 1
    assert "returned 401" in result.stderr and "Snapchat Ads /me" in result.stderr
    assert "revoked-refresh" not in result.output


def test_cli_connect_needs_exactly_one_way_in(cli_env: dict[str, Any]) -> None:
    result = CliRunner().invoke(cli, ["connect", "--tenant", "t"])
    assert result.exit_code == 2


def test_cli_connect_takes_tokens_from_the_environment(
    cli_env: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tokens on the command line show in `ps` and shell history; the env vars don't."""
    monkeypatch.setenv("SNAPFLEET_CONNECT_ACCESS_TOKEN", "revoked-access")
    monkeypatch.setenv("SNAPFLEET_CONNECT_REFRESH_TOKEN", "revoked-refresh")
    result = CliRunner().invoke(cli, ["connect", "--tenant", "cli-env"])
    # The tokens were read (and refused by the sandbox), not missing (exit 2).
    assert result.exit_code == 1
    assert "returned 401" in result.stderr
    assert "revoked-refresh" not in result.output
