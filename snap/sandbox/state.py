"""One sandbox's whole world, behind one lock, with the controls tests and admins use.

`SandboxState` holds the entity tables, the spend ledger, the OAuth token store, the
Idempotency-Key answers, the rate windows, the fault plan and the request log. The
routes call into it under `lock`; tests call the same control methods directly
(`advance`, `set_review_status`, `exhaust_cap`, `suspend_ad_account`, `revoke_token`,
`inject_fault`, `requests`).
"""

from __future__ import annotations

import threading
from collections import deque
from datetime import datetime, timedelta
from typing import Any, Literal

from snap.sandbox.clock import SandboxClock
from snap.sandbox.config import SandboxConfig
from snap.sandbox.delivery import DeliveryView
from snap.sandbox.envelope import bad_request, iso, not_found
from snap.sandbox.faults import Fault, FaultAction, FaultPlan
from snap.sandbox.idempotency import IdempotencyKeys
from snap.sandbox.ledger import FORCED_SPEND_MICRO, SpendLedger, floor_hour
from snap.sandbox.oauth import TokenStore
from snap.sandbox.ratelimit import RateLimits, Scope
from snap.sandbox.requestlog import LoggedRequest
from snap.sandbox.seed import DEMO_HISTORY, demo_entities, seed_accounts
from snap.sandbox.store import EntityStore, Record

MAX_LOGGED_REQUESTS = 100_000  # oldest entries drop off (benchmarks send many)


class SandboxState:
    def __init__(self, config: SandboxConfig | None = None, clock: SandboxClock | None = None):
        self.config = config or SandboxConfig()
        self.clock = clock or SandboxClock(self.config.start_time, frozen=self.config.frozen_clock)
        self.lock = threading.RLock()
        self.store = EntityStore()
        self.ledger = SpendLedger(self.clock.now() - DEMO_HISTORY)
        self.ledger.review_delay_s = self.config.review_delay_s
        self.delivery = DeliveryView(self.store, self.ledger)
        self.tokens = TokenStore(
            self.config.access_token_lifetime_s, self.config.client_id, self.config.client_secret
        )
        if self.config.token:
            self.tokens.add_fixed(self.config.token)
        self.idempotency = IdempotencyKeys()
        self.limits = RateLimits(burst_s=self.config.rate_burst_s)
        self.faults = FaultPlan()
        self.log: deque[LoggedRequest] = deque(maxlen=MAX_LOGGED_REQUESTS)
        self.uploads: dict[str, dict[str, Any]] = {}
        seed_accounts(self.store, self.clock.now(), fleet=self.config.seed == "fleet")
        if self.config.seed == "demo":
            self._seed_demo()

    def __repr__(self) -> str:
        return f"SandboxState(entities={len(self.store.records)}, now={iso(self.now())})"

    def _seed_demo(self) -> None:
        created = self.clock.now() - DEMO_HISTORY
        for kind, account_id, entity in demo_entities(self.clock.now()):
            entity.update(created_at=iso(created), updated_at=iso(created))
            self.store.add(kind, entity, ad_account_id=account_id, now=created)

    # Time.

    def now(self) -> datetime:
        return self.clock.now()

    def settle(self) -> datetime:
        """Bring the spend ledger up to the clock; returns now."""
        now = self.clock.now()
        with self.lock:
            self.ledger.settle(now, self.store)
        return now

    def advance(self, seconds: float) -> datetime:
        """Move the clock forward (delivery accrues for every completed hour)."""
        now = self.clock.advance(seconds)
        self.settle()
        return now

    def set_time(self, when: datetime) -> datetime:
        now = self.clock.set(when)
        self.settle()
        return now

    # Lookups used by the routes.

    def ad_account(self, account_id: str) -> Record:
        return self.store.get("adaccounts", account_id)

    def account_of(self, record: Record) -> Record:
        return self.store.get("adaccounts", record.ad_account_id or "")

    def render(
        self, record: Record, *, show_deleted: bool = False, placement_v2: bool = True
    ) -> dict[str, Any]:
        return self.delivery.render(
            record, self.settle(), show_deleted=show_deleted, placement_v2=placement_v2
        )

    # Controls (also served under /_sandbox).

    def set_review_status(
        self,
        ad_id: str,
        status: Literal["APPROVED", "REJECTED", "PENDING"],
        reasons: list[str] | tuple[str, ...] = (),
    ) -> dict[str, Any]:
        """Force an ad's review outcome, e.g. REJECTED with reasons, and back to APPROVED."""
        if status not in ("APPROVED", "REJECTED", "PENDING"):
            raise bad_request(f"review_status must be APPROVED, REJECTED or PENDING, not {status}")
        with self.lock:
            record = self.store.get("ads", ad_id)
            record.review_history.append((self.now(), status))
            record.review_reasons = list(reasons) if status == "REJECTED" else []
            return self.render(record)

    def exhaust_cap(
        self, entity_id: str, cap: Literal["daily", "lifetime"] = "daily"
    ) -> dict[str, Any]:
        """Spend what is left of an ad squad's (or campaign's) daily or lifetime cap now."""
        if cap not in ("daily", "lifetime"):
            raise bad_request("cap must be daily or lifetime")
        now = self.settle()
        with self.lock:
            record = self.store.find(entity_id)
            if record is None or record.kind not in ("adsquads", "campaigns"):
                raise not_found("adsquads", entity_id)
            self._require_cap(record, cap)
            for squad in self._squads_of(record):
                self._force_spend(squad, now)
            return self.render(record)

    def _require_cap(self, record: Record, cap: str) -> None:
        field = {
            "daily": "daily_budget_micro",
            "lifetime": {
                "adsquads": "lifetime_budget_micro",
                "campaigns": "lifetime_spend_cap_micro",
            }[record.kind],
        }[cap]
        if not record.entity.get(field):
            raise bad_request(f"{record.kind[:-1]} {record.entity['id']} has no {field}")

    def _squads_of(self, record: Record) -> list[Record]:
        if record.kind == "adsquads":
            return [record]
        return self.store.children("adsquads", "campaigns", record.entity["id"])

    def _force_spend(self, squad: Record, now: datetime) -> None:
        ads = [
            a
            for a in self.store.children("ads", "adsquads", squad.entity["id"])
            if not a.deleted_at
        ]
        if not ads:
            raise bad_request(f"ad squad {squad.entity['id']} has no ads to spend through")
        campaign = self.store.get("campaigns", squad.entity["campaign_id"], deleted_ok=True)
        account = self.account_of(squad)
        self.ledger.book(account, campaign, squad, ads, floor_hour(now), FORCED_SPEND_MICRO)

    def suspend_ad_account(self, account_id: str) -> dict[str, Any]:
        """Suspension shows as status DISABLED (Snap facts 13: enum unconfirmed)."""
        return self._set_account_status(account_id, "DISABLED")

    def reinstate_ad_account(self, account_id: str) -> dict[str, Any]:
        return self._set_account_status(account_id, "ACTIVE")

    def pause_ad_account(self, account_id: str) -> dict[str, Any]:
        """Status PAUSED: not serving, not suspended (a step a reinstatement may pass)."""
        return self._set_account_status(account_id, "PAUSED")

    def _set_account_status(self, account_id: str, status: str) -> dict[str, Any]:
        now = self.settle()
        with self.lock:
            record = self.ad_account(account_id)
            self.store.update(record, {"status": status, "updated_at": iso(now)}, now=now)
            return self.render(record)

    def revoke_token(self, token: str) -> bool:
        """Revoke an access token, or a refresh token (and the access tokens it minted)."""
        with self.lock:
            return self.tokens.revoke(token)

    def inject_fault(
        self,
        action: FaultAction = "status",
        *,
        status: int = 500,
        times: int | None = 1,
        method: str | None = None,
        path: str | None = None,
        latency_ms: int = 0,
        retry_after_s: float | None = None,
        probability: float = 1.0,
    ) -> Fault:
        """Answer `status` (429/5xx), add latency, or drop after commit, for `times` calls
        (each matching call with `probability`)."""
        with self.lock:
            return self.faults.add(
                Fault(action, status, times, method, path, latency_ms, retry_after_s, probability)
            )

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()

    def requests(self) -> list[dict[str, Any]]:
        with self.lock:
            return [entry.to_dict() for entry in self.log]

    def admit_oauth(self, client_id: str | None) -> str | None:
        """A token request counts against its app's rate; returns "app" when that is full."""
        if not client_id:
            return None
        with self.lock:
            return self.limits.admit(
                [Scope("app", f"app:{client_id}", self.config.app_rps)], self.now()
            )

    def rate_limited(self) -> dict[str, int]:
        """How many 429s the sandbox gave, per scope (app, token, account) and `injected`
        (fault storms): the whole run's counts, never trimmed with the request log."""
        with self.lock:
            return dict(self.limits.refused)

    def spent_micro(self, entity_id: str, *, day_of: datetime | None = None) -> int:
        """Lifetime spend so far (or the account-local day's spend containing `day_of`)."""
        self.settle()
        with self.lock:
            record = self.store.find(entity_id)
            if record is None:
                raise not_found("entities", entity_id)
            if day_of is None:
                return self.ledger.lifetime_spend(entity_id)
            return self.ledger.day_spend(entity_id, self.delivery.tz(record), day_of)

    def advance_to_next_local_day(self, account_id: str) -> datetime:
        """Jump to 00:00 of the next day in the ad account's time zone (plus one second)."""
        from zoneinfo import ZoneInfo

        tz = ZoneInfo(self.ad_account(account_id).entity["timezone"])
        local = self.now().astimezone(tz)
        midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), tz)
        return self.set_time(midnight + timedelta(seconds=1))
