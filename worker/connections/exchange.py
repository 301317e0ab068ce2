"""The OAuth code exchange, journaled like a write: a code is spent at most once.

Snap's authorization code is single use (Snap docs: FAQ), so the exchange is the
foreign call of the connect flow and gets the mutation journal's treatment
(`storage.journal`): its key is `uuid5(task_id, "oauth_exchange")`, stable across
retries of the task, and

    claim(key)
      succeeded        -> the stored connection; the code is not sent again
      failed           -> the recorded failure
      in_flight, held  -> busy: the other attempt decides
      won, reconcile   -> an earlier attempt may have sent the code and lost the answer:
                          fail with `code_spent`, never send it a second time
      won              -> send; the tokens and `succeeded` commit in one transaction

A token endpoint that did not answer (read timeout, 5xx) may have spent the code, so that
too ends as `code_spent`; only a connection refused before sending is released for a
retry. The code and the tokens are never journaled, logged or put in a result.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, NoReturn

from snap import oauth
from snap.errors import ConnectError, SnapError, Unauthorized
from storage import connections as connection_repo
from storage import journal
from storage.models.journal import JournalState
from worker.errors import TaskFailed
from worker.mutations.writes import idempotency_key, request_digest
from worker.results import failed, from_error
from worker.runtime import Runtime

logger = logging.getLogger("snapfleet.connect")

EXCHANGE_STEP = "oauth_exchange"
CODE_SPENT_MESSAGE = (
    "the authorization code may have been spent by an earlier attempt whose answer was "
    "lost; a code is single use and is never sent twice: start the connection again "
    "(snap.connection.authorize)"
)


@dataclass(frozen=True)
class Claimed:
    """The exchange key held under `attempt`, or already done (`connection_id`)."""

    attempt: int
    connection_id: int | None = None


class ExchangeBusy(Exception):
    """Another live attempt of this task holds the exchange's journal key."""

    code = "busy"
    retryable = True

    def __init__(self, wait_s: float) -> None:
        super().__init__(f"another attempt is exchanging this code; retry in {wait_s:.0f}s")
        self.wait_s = wait_s


def exchange_once(
    runtime: Runtime,
    *,
    task_id: str,
    task_name: str,
    tenant_id: str,
    client_id: str,
    code: str,
    redirect_uri: str,
    worker_id: str,
    replay: dict[str, Any] | None = None,
) -> int:
    """Trade `code` for tokens once per task id and store them; the connection id.

    `replay` is the payload the completer may send again under this task id if the
    worker dies mid-exchange (the code withheld: the re-run only settles the key as
    `code_spent`, it never sends a code).
    """
    s = runtime.settings
    if not (s.snapchat_ads_client_id and s.snapchat_ads_client_secret):
        raise TaskFailed(
            failed(
                "not_configured",
                "exchanging a code needs SNAPCHAT_ADS_CLIENT_ID and SNAPCHAT_ADS_CLIENT_SECRET",
            )
        )
    key = idempotency_key(task_id, EXCHANGE_STEP)
    claimed = _claim(runtime, key, task_id, task_name, tenant_id, redirect_uri, worker_id, replay)
    if claimed.connection_id is not None:
        return claimed.connection_id
    attempt = claimed.attempt
    try:
        tokens = oauth.exchange_code(
            s.snapchat_ads_oauth_url,
            client_id=s.snapchat_ads_client_id,
            client_secret=s.snapchat_ads_client_secret.get_secret_value(),
            code=code,
            redirect_uri=redirect_uri,
            http=runtime.oauth_http,
        )
    except ConnectError:
        with runtime.session() as session:  # provably not sent: the code is still good
            journal.release(session, key, attempt)
        raise
    except Unauthorized as exc:
        _fail(runtime, key, attempt, _refused(exc))
    except SnapError as exc:
        result = (
            failed("code_spent", CODE_SPENT_MESSAGE, detail=exc.message)
            if exc.retryable
            else from_error(exc)
        )
        _fail(runtime, key, attempt, result)
    except Exception as exc:
        # Anything else between claim and answer (a bug, a closed pool): the code may
        # have left, so the key fails now rather than sitting in flight for its lease.
        detail = type(exc).__name__
        _fail(runtime, key, attempt, failed("code_spent", CODE_SPENT_MESSAGE, detail=detail))
    if not tokens.refresh_token:
        result = failed("rejected", "the token endpoint returned no refresh token")
        _fail(runtime, key, attempt, result)
    expires_at = datetime.fromtimestamp(tokens.expires_at, UTC)
    with runtime.session() as session:
        row = connection_repo.connect(
            session,
            runtime.cipher,
            tenant_id=tenant_id,
            client_id=client_id,
            refresh_token=str(tokens.refresh_token),
            access_token=tokens.access_token,
            access_token_expires_at=max(expires_at, datetime.now(UTC) + timedelta(seconds=1)),
        )
        connection_id = row.id
        journal.mark_succeeded(
            session, key, attempt, [], {"connection_id": connection_id, "tenant_id": tenant_id}
        )
    runtime.forget_client(connection_id)
    logger.info("connect: tenant %s exchanged its code (connection %s)", tenant_id, connection_id)
    return connection_id


def _claim(
    runtime: Runtime,
    key: str,
    task_id: str,
    task_name: str,
    tenant_id: str,
    redirect_uri: str,
    worker_id: str,
    replay: dict[str, Any] | None,
) -> Claimed:
    """Our attempt, or the connection an earlier attempt of the task stored."""
    s = runtime.settings
    digest = request_digest(task_name, EXCHANGE_STEP, [tenant_id, redirect_uri])
    with runtime.session() as session:
        claim = journal.claim(
            session, key, task_id=task_id, task_name=task_name, step=EXCHANGE_STEP,
            ad_account_id=None, request_digest=digest, worker_id=worker_id, payload=replay,
            lease_s=s.snapfleet_journal_lease_s, max_attempts=s.snapfleet_journal_max_attempts,
        )  # fmt: skip
        entry = claim.entry
        if not claim.won:
            if entry.state == JournalState.SUCCEEDED.value:
                return Claimed(entry.attempt, int((entry.response or {})["connection_id"]))
            if entry.state == JournalState.FAILED.value:
                raise TaskFailed(dict(entry.error or failed("code_spent", CODE_SPENT_MESSAGE)))
            left = (entry.lease_expires_at or datetime.now(UTC)) - datetime.now(UTC)
            raise ExchangeBusy(max(1.0, left.total_seconds()))
        if not claim.reconcile:
            return Claimed(entry.attempt)
        result = failed("code_spent", CODE_SPENT_MESSAGE)
        journal.mark_failed(session, key, entry.attempt, result, reason="answer lost")
    raise TaskFailed(result)  # after the commit: raising inside would roll the mark back


def _refused(exc: Unauthorized) -> dict[str, Any]:
    """The token endpoint refused the code (expired, used, another redirect URI)."""
    return failed(
        Unauthorized.code,
        f"the token endpoint refused the authorization code ({exc.message}): "
        "start the connection again",
    )


def _fail(runtime: Runtime, key: str, attempt: int, result: dict[str, Any]) -> NoReturn:
    with runtime.session() as session:
        journal.mark_failed(session, key, attempt, result)
    raise TaskFailed(result)
