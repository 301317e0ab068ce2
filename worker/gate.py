"""The per-account token gate: may this worker call Snap now, or how long must it wait?

Every call to Snap first asks the gate. One Lua script decides in one round trip, on the
Redis server's clock, over up to three sliding windows taken together, all or nothing
(docs/architecture.md, The gate):

- the account `(client_id, ad_account_id)`: the fleet's own budget (50/s by default,
  overridable per account with `limit=`);
- the app `client_id`: Snap documents 20 requests/s per app (`app_limit=`);
- the access token: Snap documents 10 requests/s per token (`token_limit=`). The token
  scope is keyed by a SHA-256 of the token id the caller passes, so a raw access token
  handed in by mistake never reaches Redis.

Each window is a sorted set of grants scored by server time in microseconds: exact, never
more than `limit` grants in any span of `window_s`, however many workers contend.

Lanes: every caller is in one of two lanes. `mutation` (the default: everything a
mutation task sends, its reads and reconcile listings included) may use the whole app and
token windows; `sync` (every read the polling makes) at most `sync_share` of them (0.7 by
default, `SNAPFLEET_SYNC_SHARE`). So a polling burst, an hour-long backfill or a
10,000-account sync leaves at least 30% of the app window free for a pause that must go
out now. Both lanes' grants count in the same all-grants windows, so each scope's limit
still holds exactly; the sync lane also has its own window per shared scope, checked
against `floor(limit * sync_share)`.

Fairness, within a lane: accounts sharing the app or token window each get at most
`max(1, floor(lane_limit / active_accounts_of_the_lane))` of it, where an account is
active when it asked in that lane in the last window. A lone account may use its lane's
whole share; one busy account can't starve a quiet one. Rounding down is what keeps a
quiet account's slot free: with shares rounded up, seven busy accounts of 3 each fill a
window of 20, and a quiet eighth that asks at a random moment finds it full every time.
The cost is utilisation: with k active accounts up to k-1 slots of a window stay unused
while every account is busy. An account's use of a shared window is read from its own
window of that lane, all its grants in the lane: exact for the app, an upper bound for a
token (an account reached through two tokens counts both), so the share errs on the safe
side.

Any Redis error (refused, timeout, script error) raises `snap.errors.QuotaUnavailable`:
the gate fails closed and no request is sent.
"""

from __future__ import annotations

import hashlib
import math
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import redis

from snap.errors import QuotaUnavailable
from worker.errors import GateTimeout

__all__ = [
    "DEFAULT_SYNC_SHARE",
    "GATE_LUA",
    "LANES",
    "Decision",
    "Lane",
    "TokenGate",
    "granted",
    "lane_limit",
    "token_fingerprint",
]

# KEYS (all ten always passed, so Redis Cluster sees every key; they share the hash tag
# `{client_id}` and therefore one slot). <lane> is `mutation` or `sync`:
#   KEYS[1]  <prefix>:{<client_id>}:acct:<ad_account_id>             account window, all lanes
#   KEYS[2]  <prefix>:{<client_id>}:acct:<ad_account_id>:<lane>      its grants in its lane
#   KEYS[3]  <prefix>:{<client_id>}:app                              app window, all lanes
#   KEYS[4]  <prefix>:{<client_id>}:app:sync                         app window, sync lane only
#   KEYS[5]  <prefix>:{<client_id>}:app:active:<lane>                accounts active on the app
#   KEYS[6]  <prefix>:{<client_id>}:tok:<sha256[:32]>                token window, all lanes
#   KEYS[7]  <prefix>:{<client_id>}:tok:<sha256[:32]>:sync           token window, sync lane
#   KEYS[8]  <prefix>:{<client_id>}:tok:<sha256[:32]>:active:<lane>  accounts active on it
# A window zset holds one member per grant, "<now_us>-<nonce>", scored by the server time
# of the grant in microseconds. An active zset holds one member per ad account, scored by
# the last time it asked. Every key written gets PEXPIRE one window, so idle keys vanish.
# ARGV:
#   ARGV[1] window_us        ARGV[2] account_limit (>= 1)
#   ARGV[3] app_limit (0 = scope off)    ARGV[4] token_limit (0 = scope off)
#   ARGV[5] account_member (the ad account id, for the active sets)
#   ARGV[6] nonce (unique per call: keeps window members distinct)
#   ARGV[7] fair (1 = cap each account at its share of its lane of the shared windows)
#   ARGV[8] lane ("mutation" | "sync")
#   ARGV[9] sync_app_limit      ARGV[10] sync_token_limit   (the sync lane's part)
# Returns {granted (1|0), wait_us (0 when granted), now_us (the TIME the decision used)}.
GATE_LUA = """
local window_us = tonumber(ARGV[1])
local account_limit = tonumber(ARGV[2])
local app_limit = tonumber(ARGV[3])
local token_limit = tonumber(ARGV[4])
local account_member = ARGV[5]
local nonce = ARGV[6]
local fair = ARGV[7] == '1'
local sync = ARGV[8] == 'sync'
local sync_app_limit = tonumber(ARGV[9])
local sync_token_limit = tonumber(ARGV[10])

local t = redis.call('TIME')
local now_us = tonumber(t[1]) * 1000000 + tonumber(t[2])
local floor_us = now_us - window_us
local ttl_ms = math.ceil(window_us / 1000) + 1

-- Grants still inside the window (score > now - window) after dropping the older ones.
local function live(key)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', floor_us)
  return redis.call('ZCARD', key)
end

-- Microseconds until `count` falls below `allowed`: the (count-allowed)-th oldest grant
-- (0-based) must leave the window. 0 when there is room already.
local function wait_for(key, count, allowed)
  if count < allowed then return 0 end
  local nth = redis.call('ZRANGE', key, count - allowed, count - allowed, 'WITHSCORES')
  return tonumber(nth[2]) + window_us - now_us
end

-- Register the account as active on a shared scope in its lane; its fair share of it.
local function share(active_key, limit)
  redis.call('ZREMRANGEBYSCORE', active_key, '-inf', floor_us)
  redis.call('ZADD', active_key, now_us, account_member)
  redis.call('PEXPIRE', active_key, ttl_ms)
  return math.max(1, math.floor(limit / redis.call('ZCARD', active_key)))
end

local wait_us = wait_for(KEYS[1], live(KEYS[1]), account_limit)
local lane_count = live(KEYS[2])
local windows = {KEYS[1], KEYS[2]}

local function shared_scope(window_key, sync_key, active_key, limit, sync_limit)
  if limit <= 0 then return end
  wait_us = math.max(wait_us, wait_for(window_key, live(window_key), limit))
  local lane_limit = limit
  if sync then
    lane_limit = sync_limit
    wait_us = math.max(wait_us, wait_for(sync_key, live(sync_key), sync_limit))
    windows[#windows + 1] = sync_key
  end
  if fair then
    wait_us = math.max(wait_us, wait_for(KEYS[2], lane_count, share(active_key, lane_limit)))
  end
  windows[#windows + 1] = window_key
end

shared_scope(KEYS[3], KEYS[4], KEYS[5], app_limit, sync_app_limit)
shared_scope(KEYS[6], KEYS[7], KEYS[8], token_limit, sync_token_limit)

if wait_us > 0 then
  return {0, wait_us, now_us}
end
local member = now_us .. '-' .. nonce
for _, key in ipairs(windows) do
  redis.call('ZADD', key, now_us, member)
  redis.call('PEXPIRE', key, ttl_ms)
end
return {1, 0, now_us}
"""

Lane = Literal["mutation", "sync"]
LANES: tuple[Lane, ...] = ("mutation", "sync")
DEFAULT_SYNC_SHARE = 0.7


@dataclass(frozen=True)
class Decision:
    """One answer of the gate: granted, or the seconds to wait; and the server time used."""

    granted: bool
    wait_s: float
    server_time_us: int


def token_fingerprint(token_id: str) -> str:
    """The key part of a token scope: a SHA-256 prefix, so no token is ever stored."""
    return hashlib.sha256(token_id.encode()).hexdigest()[:32]


def _check_limit(name: str, value: int | None, *, optional: bool) -> int:
    if value is None and optional:
        return 0
    if not isinstance(value, int) or isinstance(value, bool) or value < (0 if optional else 1):
        raise ValueError(f"{name} must be an integer >= {0 if optional else 1}, got {value!r}")
    return value


def granted(limit: int, headroom: float) -> int:
    """What the gate grants of a Snap limit: `floor(limit * headroom)`, at least 1 (0: off).

    Why a headroom: the gate grants on Redis's clock, Snap counts a request when it
    arrives, some milliseconds later (later still from a loaded worker). Requests granted
    a window apart can so arrive closer together, and Snap's average is enforced like a
    token bucket holding one second of the rate. At 0.9, a window of 9 grants whose
    requests slip up to 200 ms into the next window's 9 still fits a bucket of 10
    refilled at 10/s (18 arrivals in 0.8 s against 10 + 0.8 x 10).
    """
    return _part(limit, headroom)


def lane_limit(limit: int, sync_share: float) -> int:
    """The sync lane's part of a shared window: `floor(limit * sync_share)`, at least 1."""
    return _part(limit, sync_share)


def _part(limit: int, share: float) -> int:
    """`floor(limit * share)` in whole grants, at least 1; a scope that is off stays off."""
    return 0 if limit <= 0 else max(1, math.floor(limit * share + 1e-9))


def _check_lane(lane: str) -> Lane:
    if lane not in LANES:
        raise ValueError(f"lane must be one of {', '.join(LANES)}, got {lane!r}")
    return lane  # type: ignore[return-value]


class TokenGate:
    """Sliding-window gate over the account, app and token scopes; see the module docstring.

    Parameters:
        redis(redis.Redis): the store; a fakeredis client in embedded mode.
        limit(int): grants per window per `(client_id, ad_account_id)`.
        window_s(float): the window, in seconds.
        app_limit(int | None): grants per window per `client_id`; None or 0 = off.
        token_limit(int | None): grants per window per access token; None or 0 = off.
        fair(bool): cap each account at its share of its lane of the app and token windows.
        sync_share(float): the part of Snap's app and token limits the `sync` lane may
            use, in (0, 1]; the `mutation` lane may use all the gate grants.
        headroom(float): the part of Snap's app and token limits the gate grants in all,
            in (0, 1] (`granted`); the sync lane's part is never more than that.
    """

    def __init__(
        self,
        redis: Any,
        limit: int = 50,
        window_s: float = 1.0,
        *,
        app_limit: int | None = None,
        token_limit: int | None = None,
        fair: bool = True,
        sync_share: float = DEFAULT_SYNC_SHARE,
        headroom: float = 1.0,
        key_prefix: str = "snapfleet:gate",
    ) -> None:
        if not window_s > 0:
            raise ValueError(f"window_s must be > 0, got {window_s!r}")
        if not 0 < sync_share <= 1:
            raise ValueError(f"sync_share must be in (0, 1], got {sync_share!r}")
        if not 0 < headroom <= 1:
            raise ValueError(f"headroom must be in (0, 1], got {headroom!r}")
        self.limit = _check_limit("limit", limit, optional=False)
        self.app_limit = _check_limit("app_limit", app_limit, optional=True)
        self.token_limit = _check_limit("token_limit", token_limit, optional=True)
        self.window_us = max(1, round(window_s * 1_000_000))
        self.fair = fair
        self.sync_share = sync_share
        self.app_grants = granted(self.app_limit, headroom)
        self.token_grants = granted(self.token_limit, headroom)
        self.sync_app_limit = min(lane_limit(self.app_limit, sync_share), self.app_grants)
        self.sync_token_limit = min(lane_limit(self.token_limit, sync_share), self.token_grants)
        self.key_prefix = key_prefix
        self.redis = redis
        self._script = redis.register_script(GATE_LUA)

    def keys(
        self,
        client_id: str,
        ad_account_id: str,
        token_id: str | None = None,
        lane: Lane = "mutation",
    ) -> list[str]:
        """The eight keys of one decision (see GATE_LUA's header); [0] is the account window."""
        base = f"{self.key_prefix}:{{{client_id}}}"
        account = f"{base}:acct:{ad_account_id}"
        token = f"{base}:tok:{token_fingerprint(token_id or '')}"
        return [account, f"{account}:{lane}", f"{base}:app", f"{base}:app:sync",
                f"{base}:app:active:{lane}", token, f"{token}:sync",
                f"{token}:active:{lane}"]  # fmt: skip

    def decide(
        self,
        client_id: str,
        ad_account_id: str,
        *,
        token_id: str | None = None,
        limit: int | None = None,
        lane: Lane = "mutation",
    ) -> Decision:
        """One round trip: take a slot in every scope of `lane`, or learn how long to wait."""
        account_limit = (
            self.limit if limit is None else _check_limit("limit", limit, optional=False)
        )
        lane = _check_lane(lane)
        token_limit = self.token_grants if token_id else 0
        args = [self.window_us, account_limit, self.app_grants, token_limit, ad_account_id,
                uuid.uuid4().hex, int(self.fair), lane, self.sync_app_limit,
                self.sync_token_limit]  # fmt: skip
        try:
            granted, wait_us, now_us = self._script(
                keys=self.keys(client_id, ad_account_id, token_id, lane), args=args
            )
        except (redis.RedisError, OSError) as exc:
            raise QuotaUnavailable(
                f"token gate unavailable ({type(exc).__name__}); nothing was sent",
                operation="gate",
            ) from exc
        return Decision(bool(granted), int(wait_us) / 1_000_000, int(now_us))

    def try_acquire(
        self,
        client_id: str,
        ad_account_id: str,
        *,
        token_id: str | None = None,
        limit: int | None = None,
        lane: Lane = "mutation",
    ) -> float:
        """0.0 when a slot was taken, otherwise the seconds to wait before asking again."""
        decision = self.decide(client_id, ad_account_id, token_id=token_id, limit=limit, lane=lane)
        return decision.wait_s

    def acquire(
        self,
        client_id: str,
        ad_account_id: str,
        timeout_s: float,
        *,
        token_id: str | None = None,
        limit: int | None = None,
        lane: Lane = "mutation",
        sleep: Callable[[float], None] = time.sleep,
    ) -> Decision:
        """Take a slot, sleeping inline while the total wait stays within `timeout_s`.

        Raises `GateTimeout(wait_s)` as soon as the next wait would overrun the bound (the
        task then retries with that countdown), `QuotaUnavailable` when Redis fails.
        """
        deadline = time.monotonic() + timeout_s
        while True:
            decision = self.decide(
                client_id, ad_account_id, token_id=token_id, limit=limit, lane=lane
            )
            if decision.granted:
                return decision
            left_s = deadline - time.monotonic()
            if decision.wait_s > left_s:
                raise GateTimeout(math.ceil(decision.wait_s * 1000) / 1000)
            # A little jitter keeps workers woken by the same expiry from colliding again,
            # never past the bound: a wait that fits is waited, not turned into a retry.
            sleep(min(decision.wait_s * (1 + random.random() * 0.1), left_s))
