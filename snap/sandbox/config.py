"""The sandbox's knobs, in one frozen dataclass.

Everything a test or an operator may want to vary lives here: the fixed bearer token,
OAuth app credentials and token lifetime, rate limits per scope (Snap's per-app and
per-token limits on by default), whether the
Idempotency-Key header is honoured, and the stats behaviours the fleet's sync has to
cope with (account-level breakdown refused, finalisation lag, conversion trickle).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

SeedName = Literal["demo", "empty", "fleet"]


@dataclass(frozen=True)
class SandboxConfig:
    """How one sandbox instance behaves.

    Parameters:
        token(str|None): a bearer token that is always valid (never expires).
        client_id(str|None), client_secret(str|None): when set, the token endpoint checks them.
        access_token_lifetime_s(int): `expires_in` of issued access tokens (Snap: 1800 seen most).
        rate_limit_rps(int|None): per ad account budget (requests per second of the clock).
        app_rps(float|None), token_rps(float|None): Snap's documented average limits per app
            (client id, 20/s) and per access token (10/s); on by default, None turns one off.
            Every request counts, OAuth token requests (app scope) and reads included.
        rate_burst_s(float): how many seconds of the app and token rates a burst may use.
        retry_after_s(float|None): sent as `Retry-After` on 429; None sends no header, as Snap.
        ignore_idempotency_key(bool): no dedupe at all, as Snap is documented to behave.
        seed(str): "demo" (accounts plus a few entities), "empty" (organization and accounts)
            or "fleet" (organization and twelve ad accounts in five currencies).
        start_time(datetime|None): the clock's start; None means the wall clock now.
        frozen_clock(bool): the clock moves only when told to (tests); else it follows wall time.
        refuse_account_breakdown(bool): `/adaccounts/{id}/stats?breakdown=...` answers 400.
        finalized_lag_h(int): `finalized_data_end_time` trails the clock by this many hours
            (then floors to the account-local midnight).
        conversion_lag_h(int): conversions of an hour keep arriving for this many hours
            (at most finalized_lag_h, so finalized data never changes).
        review_delay_s(int): new ads stay PENDING review this long, then turn APPROVED.
        max_upload_bytes(int): the single-request upload limit (32 MB, Snap docs: Media).
    """

    token: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    access_token_lifetime_s: int = 1800
    rate_limit_rps: int | None = None
    app_rps: float | None = 20
    token_rps: float | None = 10
    rate_burst_s: float = 1.0
    retry_after_s: float | None = None
    ignore_idempotency_key: bool = False
    seed: SeedName = "empty"
    start_time: datetime | None = None
    frozen_clock: bool = True
    refuse_account_breakdown: bool = False
    finalized_lag_h: int = 48
    conversion_lag_h: int = 36
    review_delay_s: int = 900
    max_upload_bytes: int = 32 * 1024 * 1024
    redirect_uris: tuple[str, ...] = field(default_factory=tuple)

    def with_changes(self, **changes: object) -> SandboxConfig:
        """A copy with some knobs changed (the dataclass is frozen)."""
        return replace(self, **changes)  # type: ignore[arg-type]
