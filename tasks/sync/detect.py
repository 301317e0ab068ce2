"""Detection tasks: entity sync + transitions (`snap.detect.run`), event delivery, and
the answer to anyone who asks Snap for push (`snap.webhook.register`).

`snap.detect.run` with one ad account syncs its entities and records each transition
once (`worker.sync.entities`, rules in `worker.sync.detection`), then delivers pending events
(`worker.sync.events`); with `reads` it makes only the polling plan's reads
(`worker.sync.planned`), with `organization_id` it reads every account's status from one
listing. With no payload (beat, every tick) it enqueues what the polling plan
(`worker.sync.plan`) says is due; with several accounts, one full run per account.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from celery import shared_task
from pydantic import ValidationError as PayloadError

from snap.errors import WebhooksNotSupported
from tasks.payloads import DetectRun, payload_model, validate_payload
from worker import clock
from worker.app import gate_redis
from worker.errors import Code
from worker.results import skipped, validation_failure
from worker.sync import entities as entitysync
from worker.sync import events, plan, planned
from worker.sync.fanout import accounts_to_visit
from worker.sync.periodlock import claim_period
from worker.sync.task import SyncTask

logger = logging.getLogger("snapfleet.detect")

DETECT = "snap.detect.run"
DELIVER = "snap.detect.deliver"
WEBHOOK = "snap.webhook.register"


@shared_task(bind=True, base=SyncTask, name=DETECT)
def run(self: SyncTask, **payload: Any) -> dict[str, Any]:
    """Sync and detect one ad account, or fan out one run per account."""
    try:
        p = validate_payload(DETECT, payload)
    except PayloadError as exc:
        return validation_failure(exc, DetectRun)
    assert isinstance(p, DetectRun)
    if p.organization_id:
        return _statuses(self, p.organization_id)
    if p.ad_account_ids and len(p.ad_account_ids) == 1:
        return _detect_one(self, p.ad_account_ids[0], p.reads)
    return _fan_out(self, p, unfiltered=not payload)


def _detect_one(task: SyncTask, ad_account_id: str, reads: Sequence[str] | None) -> dict[str, Any]:
    now, rt = clock.now(task.app), task.runtime
    if reads:
        result = task.guarded(lambda: planned.detect_planned(rt, ad_account_id, reads, now=now))
    else:
        result = task.guarded(lambda: entitysync.detect_account(rt, ad_account_id, now=now))
    result["delivery"] = events.deliver_pending(task.app, task.runtime)
    return result


def _statuses(task: SyncTask, organization_id: str) -> dict[str, Any]:
    now, rt = clock.now(task.app), task.runtime
    result = task.guarded(lambda: planned.detect_statuses(rt, organization_id, now=now))
    result["delivery"] = events.deliver_pending(task.app, task.runtime)
    return result


def _plan_tick(task: SyncTask, now: Any, needs_reauth: list[str]) -> dict[str, Any]:
    """Beat's run: enqueue what the polling plan says is due since the last tick."""
    tick = plan.run_tick(task.runtime, gate_redis(task.app), now)
    for organization_id in tick.statuses:
        task.app.send_task(DETECT, kwargs={"organization_id": organization_id})
    for account_id, reads in tick.reads.items():
        task.app.send_task(DETECT, kwargs={"ad_account_ids": [account_id], "reads": list(reads)})
    assert tick.budget is not None
    return {
        "status": "succeeded",
        "enqueued": len(tick.reads),
        "ad_account_ids": sorted(tick.reads),
        "organizations": tick.statuses,
        "tiers": plan.tier_counts(tick.tiers.values()),
        "budget": tick.budget.message,
        "skipped_needs_reauth": needs_reauth,
    }


def _fan_out(task: SyncTask, p: DetectRun, *, unfiltered: bool) -> dict[str, Any]:
    now, period_s = clock.now(task.app), task.runtime.settings.snapfleet_sync_period_s
    redis, owner = gate_redis(task.app), task.request.id
    if unfiltered and not claim_period(redis, DETECT, period_s, now, owner=owner):
        logger.info("detect: already ran in this period; skipped")
        return skipped(Code.ALREADY_RAN, "already ran this period")
    connection_id = None if p.connection_id is None else int(p.connection_id)
    with task.runtime.session() as session:
        visit = accounts_to_visit(
            session, ad_account_ids=p.ad_account_ids, connection_id=connection_id,
            include_not_serving=True,
        )  # fmt: skip
    if visit.needs_reauth:
        logger.warning("detect: skipped %d account(s) needing re-authorisation: %s",
                       len(visit.needs_reauth), ", ".join(visit.needs_reauth))  # fmt: skip
    if unfiltered:
        return _plan_tick(task, now, visit.needs_reauth)
    for account_id in visit.ready:
        task.app.send_task(DETECT, kwargs={"ad_account_ids": [account_id]})
    return {
        "status": "succeeded",
        "enqueued": len(visit.ready),
        "ad_account_ids": visit.ready,
        "skipped_needs_reauth": visit.needs_reauth,
    }


@shared_task(bind=True, base=SyncTask, name=DELIVER)
def deliver(self: SyncTask, **payload: Any) -> dict[str, Any]:
    """Hand undelivered events to the runner (beat sweep: retried until delivered)."""
    try:
        validate_payload(DELIVER, payload)  # beat sends none; anything else is refused
    except PayloadError as exc:
        return validation_failure(exc, payload_model(DELIVER))
    return {"status": "succeeded", **events.deliver_pending(self.app, self.runtime)}


@shared_task(bind=True, name=WEBHOOK)
def register_webhook(self: Any, **payload: Any) -> dict[str, Any]:
    """Snap's Marketing API has no webhooks: always the `webhooks_not_supported` error."""
    try:
        events.register_webhook(**payload)
    except WebhooksNotSupported as exc:
        return exc.to_result()
    raise AssertionError("unreachable: register_webhook always raises")
