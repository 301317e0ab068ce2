"""Entity sync of one ad account, and detection over it: read, compare, store, in that order.

The reads: the ad account itself, then full listings of its campaigns, ad squads and ads
(`/adaccounts/{id}/campaigns|adsquads|ads`, `limit=1000`: one call per thousand entities).
Full, not "changed since the last sync" (`sort=updated_at-desc` and stop at the last
sync time), because what detection exists for does not move `updated_at`: `delivery_status`
is computed when Snap answers (a cap hit leaves the entity untouched, `status` stays
ACTIVE) and a review verdict is Snap's, not an edit; a deletion shows only as absence from
a full listing. Four calls per account per period buy all of that.

Read, compare and store run in the account's turn (`account_turn`), so two detections of
the same account (two beats, a manual run) serialize: the second reads after the first
stored, compares against it and finds nothing new, and an older answer is never stored
over a newer one. On PostgreSQL the turn is one transaction that first locks the ad
account's row (`SELECT ... FOR NO KEY UPDATE`: a write recording an entity of the
account does not wait for it); on SQLite it is a file lock and the transaction
opens only after the reads. Each transition is also stored under a unique key
(`storage.events`), a second guard.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from snap import stats as snapstats
from snap.client import SnapClient
from storage import accounts as account_repo
from storage import events as event_repo
from storage import filelocks
from storage import mirrors as mirror_repo
from storage import stats as stats_repo
from storage.models.base import utcnow
from worker import metrics
from worker.runtime import AccountContext, Runtime
from worker.sync import detection
from worker.sync.fanout import require_active_connection

logger = logging.getLogger("snapfleet.detect")

# Mirror kind (the API's plural key) -> the entity type events and stats use.
ENTITY_TYPES = {"campaigns": "campaign", "adsquads": "ad_squad", "ads": "ad"}
BUDGET_FIELDS = {"campaigns": "daily_budget_micro", "adsquads": "daily_budget_micro"}
REVIEW_VERDICTS = ("APPROVED", "REJECTED")


@dataclass
class FreshState:
    """What Snap lists now for one ad account. `account` is None when the plan read the
    account's status from its organization's listing instead (`worker.sync.planned`), and
    only the kinds in `entities` were listed: nothing else is compared."""

    account: dict[str, Any] | None
    entities: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    api_calls: int = 0
    # Before the listings were read (wall clock, as the mirror's `last_seen_at`): an entity
    # the fleet stored after it may be missing from them without being deleted.
    read_at: datetime = field(default_factory=utcnow)


def read_fresh(client: SnapClient, ad_account_id: str) -> FreshState:
    """The account and full listings of its campaigns, ad squads and ads."""
    read_at = utcnow()
    state = FreshState(account=_plain(client.ad_account(ad_account_id)), read_at=read_at)
    state.entities["campaigns"] = [_plain(c) for c in client.list_campaigns(ad_account_id)]
    squads = client.list_ad_squads(ad_account_id, parent="adaccounts")
    state.entities["adsquads"] = [_plain(s) for s in squads]
    ads = client.list_ads(ad_account_id, parent="adaccounts")
    state.entities["ads"] = [_plain(a) for a in ads]
    state.api_calls = 4
    return state


def _plain(model: Any) -> dict[str, Any]:
    if isinstance(model, Mapping):
        return dict(model)
    dumped: dict[str, Any] = model.model_dump(mode="json", exclude_none=True)
    return dumped


@dataclass
class DetectOutcome:
    events: list[int] = field(default_factory=list)
    transitions: int = 0
    entities: int = 0


def apply_fresh(
    session: Session, account: AccountContext, fresh: FreshState, *, now: datetime
) -> DetectOutcome:
    """Compare, record the events, then store the fresh state (one transaction, locked)."""
    lock_account(session, account.ad_account_id)
    outcome = DetectOutcome()
    found = [] if fresh.account is None else _account_transitions(session, account, fresh, now)
    for kind, items in fresh.entities.items():
        found += _kind_transitions(session, account, kind, items, now, fresh.read_at)
        outcome.entities += len(items)
    for transition in found:
        event = _record(session, account, transition)
        if event is not None:
            outcome.events.append(event.id)
    outcome.transitions = len(found)
    return outcome


def lock_account(session: Session, ad_account_id: str) -> None:
    """Serialize detections of one account (PostgreSQL row lock; SQLite locks on write)."""
    account_repo.lock(session, ad_account_id)


Transaction = Callable[[], AbstractContextManager[Session]]


@contextlib.contextmanager
def account_turn(runtime: Runtime, ad_account_id: str) -> Iterator[Transaction]:
    """The account's turn for one read/compare/store: nothing else detects it meanwhile.

    Yields `transaction`, which opens the unit of work to compare and store in (and to
    read the mirror before Snap's reads). On PostgreSQL it is always the one transaction
    that locked the account's row before the reads, committed when the turn ends.

    On SQLite every transaction begins with BEGIN IMMEDIATE (`storage.db`): it holds the
    database's one write lock, so a transaction open across the reads would block the
    client's own token lookup or refresh (its own transaction, on a second connection)
    for the whole busy timeout, and every other writer of the machine for as long as
    Snap takes. There the turn is a lock file of the account beside the database
    (`storage.filelocks`, held across the threads and processes that can open it) and
    each `transaction()` is a short transaction of its own: no transaction is open
    while Snap is read. Reading the token first would not do: a refresh after a 401
    mid-read still needs the database, and the reads would still hold every writer.
    """
    url = runtime.settings.database
    if filelocks.is_sqlite(url):
        with filelocks.held(url, f"detect-{ad_account_id}"):
            yield runtime.session
        return
    with runtime.session() as session:
        lock_account(session, ad_account_id)
        yield lambda: contextlib.nullcontext(session)


def _account_transitions(
    session: Session, account: AccountContext, fresh: FreshState, now: datetime
) -> list[detection.Transition]:
    assert fresh.account is not None
    stored = account_repo.get(session, account.ad_account_id)
    before = _last_suspension(
        session, account.ad_account_id, detection.snapshot(_row_state(stored))
    )
    after = detection.snapshot(fresh.account)
    found = detection.transitions(
        "ad_account", account.ad_account_id, before, after, now=now, time_zone=account.timezone
    )
    account_repo.upsert_ad_accounts(
        session, [fresh.account], connection_id=account.connection_id, detected=True
    )
    return found


def _kind_transitions(
    session: Session,
    account: AccountContext,
    kind: str,
    items: Sequence[dict[str, Any]],
    now: datetime,
    read_at: datetime,
) -> list[detection.Transition]:
    entity_type = ENTITY_TYPES[kind]
    everything = mirror_repo.for_ad_account(
        session, kind, account.ad_account_id, include_deleted=True
    )
    stored = {i: row for i, row in everything.items() if not row.deleted}
    # Snap does not undelete: a listing that still shows an entity stored as deleted was
    # read before the fleet's own delete committed (or lags behind it). Storing it live
    # again would report the fleet's delete as "deleted outside the fleet" next time.
    deleted = {i for i, row in everything.items() if row.deleted}
    items = [item for item in items if item["id"] not in deleted]
    found: list[detection.Transition] = []
    for item in items:
        row = stored.get(item["id"])
        before = detection.snapshot(_row_state(row)) if row is not None else None
        if kind == "ads" and before is not None:
            before = _last_verdict(session, item, before)
        changes = detection.transitions(
            entity_type, item["id"], before, detection.snapshot(item),
            now=now, time_zone=account.timezone,
        )  # fmt: skip
        found += [_confirmed(session, account, kind, item, t, now) for t in changes]
    listed = {item["id"] for item in items}
    gone = sorted(i for i, row in stored.items() if i not in listed and row.last_seen_at < read_at)
    for entity_id in gone:
        before = detection.snapshot(_row_state(stored[entity_id]))
        found.append(detection.deletion(entity_type, entity_id, before, now=now))
    mirror_repo.upsert_many(session, kind, account.ad_account_id, items, detected=True)
    mirror_repo.mark_deleted(session, kind, gone, now=now)
    return found


def _last_verdict(
    session: Session, item: Mapping[str, Any], before: dict[str, Any]
) -> dict[str, Any]:
    """An ad reported disapproved that went back to review (PENDING) before its approval
    is still "approved again": compare its approval with the last verdict reported."""
    if item.get("review_status") != "APPROVED" or before["review_status"] in REVIEW_VERDICTS:
        return before
    reported = [
        e.kind
        for e in event_repo.for_entity(session, "ad", item["id"])
        if e.kind in ("ad_disapproved", "ad_approved")
    ]
    if reported and reported[-1] == "ad_disapproved":
        return {**before, "review_status": "REJECTED"}
    return before


def _last_suspension(
    session: Session, ad_account_id: str, before: dict[str, Any]
) -> dict[str, Any]:
    """An account reported suspended that came back through another status (DISABLED ->
    PAUSED -> ACTIVE) is still "reinstated" when it is ACTIVE: compare with the last
    suspension reported, not with the status stored in between."""
    if before["status"] in detection.SUSPENDED_STATUSES:
        return before
    reported = [
        e
        for e in event_repo.for_entity(session, "ad_account", ad_account_id)
        if e.kind in ("account_suspended", "account_reinstated")
    ]
    if reported and reported[-1].kind == "account_suspended":
        return {**before, "status": (reported[-1].after or {}).get("status", "DISABLED")}
    return before


def _row_state(row: Any) -> dict[str, Any]:
    return {
        "status": row.status,
        "delivery_status": getattr(row, "delivery_status", None),
        "review_status": getattr(row, "review_status", None),
        "review_status_reasons": getattr(row, "review_status_reasons", None),
    }


def _confirmed(
    session: Session,
    account: AccountContext,
    kind: str,
    item: Mapping[str, Any],
    transition: detection.Transition,
    now: datetime,
) -> detection.Transition:
    """A daily cap hit, with the spend of the account-local day against the budget."""
    if transition.kind != "daily_cap_hit" or kind not in BUDGET_FIELDS:
        return transition
    budget = item.get(BUDGET_FIELDS[kind])
    spend = spend_today_micro(session, ENTITY_TYPES[kind], item["id"], account.timezone, now)
    confirmed = None if budget is None or spend is None else int(spend) >= int(budget)
    after = {
        **(transition.after or {}),
        "daily_budget_micro": budget,
        "spend_today_micro": spend,
        "confirmed_by_spend": confirmed,
    }
    return detection.Transition(
        transition.kind, transition.entity_type, transition.entity_id,
        transition.before, after, transition.observed_at,
    )  # fmt: skip


def spend_today_micro(
    session: Session, entity_type: str, entity_id: str, time_zone: str, now: datetime
) -> int | None:
    """The entity's stored spend of the account-local day containing `now` (DAY rows)."""
    day = now.astimezone(snapstats.account_zone(time_zone)).date()
    return stats_repo.day_spend_micro(session, entity_type, entity_id, day)


def _record(session: Session, account: AccountContext, transition: detection.Transition) -> Any:
    event = event_repo.record(
        session,
        kind=transition.kind,
        entity_type=transition.entity_type,
        entity_id=transition.entity_id,
        ad_account_id=account.ad_account_id,
        before=transition.before,
        after=transition.after,
        observed_at=transition.observed_at,
    )
    if event is not None:
        metrics.record_event(transition.kind)
        logger.info(
            "detect: %s %s %s (account %s)",
            transition.kind,
            transition.entity_type,
            transition.entity_id,
            account.ad_account_id,
        )
    return event


def detect_account(runtime: Runtime, ad_account_id: str, *, now: datetime) -> dict[str, Any]:
    """Sync one ad account's entities and record its transitions; the task's result."""
    account = runtime.account(ad_account_id)
    require_active_connection(runtime, account)
    client = runtime.client(account.connection_id)
    # The turn first, then read: two runs of one account read and store in turn, so an
    # older answer can never be stored over a newer one.
    with account_turn(runtime, ad_account_id) as transaction:
        with runtime.account_gate_scope(account, lane="sync"):
            fresh = read_fresh(client, ad_account_id)
        with transaction() as session:
            outcome = apply_fresh(session, account, fresh, now=now)
    return {
        "status": "succeeded",
        "ad_account_id": ad_account_id,
        "events": len(outcome.events),
        "event_ids": outcome.events,
        "entities": outcome.entities,
        "api_calls": fresh.api_calls,
    }
