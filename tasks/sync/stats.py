"""Stats tasks: `snap.stats.pull_all` (beat, hourly) fans out `snap.stats.pull` per account.

Thin: validate the payload, then call `worker.sync.stats` (the plan and the pull) and
`worker.sync.fanout` (which accounts); `worker.sync.task.SyncTask` maps failures to results.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from pydantic import ValidationError as PayloadError

from tasks.payloads import StatsPull, StatsPullAll, validate_payload
from worker import clock
from worker.app import gate_redis
from worker.errors import Code
from worker.results import skipped, validation_failure
from worker.sync import plan
from worker.sync import stats as statsync
from worker.sync.fanout import accounts_to_visit
from worker.sync.periodlock import claim_period
from worker.sync.task import SyncTask
from worker.tenancy import tenant_refusal

logger = logging.getLogger("snapfleet.stats")

PULL = "snap.stats.pull"
PULL_ALL = "snap.stats.pull_all"
DETECT = "snap.detect.run"


@shared_task(bind=True, base=SyncTask, name=PULL)
def pull(self: SyncTask, **payload: Any) -> dict[str, Any]:
    """One ad account's stats (or one campaign's, or a custom range), stored as upserts."""
    try:
        p = validate_payload(PULL, payload)
    except PayloadError as exc:
        return validation_failure(exc, StatsPull)
    assert isinstance(p, StatsPull)
    refusal = tenant_refusal(self.runtime, p)
    if refusal is not None and refusal["code"] == Code.NOT_CONNECTED:
        # A read of an account nobody holds has nothing to do, as for a disconnected one.
        return {**skipped(Code.NOT_CONNECTED, refusal["message"]), "errors": refusal["errors"]}
    if refusal is not None:
        return refusal
    granularity = p.granularity if "granularity" in p.model_fields_set else None
    return self.guarded(
        lambda: statsync.pull(
            self.runtime, p.ad_account_id, now=clock.now(self.app),
            campaign_id=p.campaign_id, granularity=granularity,
            start_date=p.start_date, end_date=p.end_date,
        )
    )  # fmt: skip


@shared_task(bind=True, base=SyncTask, name=PULL_ALL)
def pull_all(self: SyncTask, **payload: Any) -> dict[str, Any]:
    """Fan out one pull per active ad account, each followed by its detection.

    Unfiltered (as beat sends it), it runs once per stats period however many times it
    is enqueued (`worker.sync.periodlock`), and pulls only the accounts whose stats the
    polling plan says are due (every period for accounts that spend, every 6 hours for
    idle ones), without the chained detection: the plan's own reads do that.
    """
    try:
        p = validate_payload(PULL_ALL, payload)
    except PayloadError as exc:
        return validation_failure(exc, StatsPullAll)
    assert isinstance(p, StatsPullAll)
    now, period_s = clock.now(self.app), self.runtime.settings.snapfleet_stats_pull_period_s
    redis, owner = gate_redis(self.app), self.request.id
    if not payload and not claim_period(redis, PULL_ALL, period_s, now, owner=owner):
        logger.info("stats: pull_all already ran in this period; skipped")
        return skipped(Code.ALREADY_RAN, "already ran this period")
    with self.runtime.session() as session:
        visit = accounts_to_visit(
            session, ad_account_ids=p.ad_account_ids, connection_id=_int(p.connection_id)
        )
    if not payload:
        due = set(plan.run_stats(self.runtime, redis, now))
        visit.ready = [a for a in visit.ready if a in due]
        for account_id in visit.ready:
            self.app.send_task(PULL, kwargs={"ad_account_id": account_id})
    for account_id in visit.ready if payload else ():
        pull_then_detect(self.app, account_id).apply_async()
    if visit.needs_reauth:
        logger.warning("stats: skipped %d account(s) whose connection needs re-authorisation: %s",
                       len(visit.needs_reauth), ", ".join(visit.needs_reauth))  # fmt: skip
    return {
        "status": "succeeded",
        "enqueued": len(visit.ready),
        "ad_account_ids": visit.ready,
        "skipped_needs_reauth": visit.needs_reauth,
    }


def pull_then_detect(app: Any, ad_account_id: str) -> Any:
    """The chain run for each account: its stats pull, then its entity sync and detection."""
    first = app.signature(PULL, kwargs={"ad_account_id": ad_account_id}, immutable=True)
    then = app.signature(DETECT, kwargs={"ad_account_ids": [ad_account_id]}, immutable=True)
    return first | then


def _int(value: Any) -> int | None:
    return None if value is None else int(value)
