"""A valid payload of every task and what it returns: the README's "Task catalog" shows these.

tests/unit/payloads/catalog_doc.py renders that section from them, and the tests hold the
models and the tasks to them, so the documented payloads are the ones the code accepts.
"""

from __future__ import annotations

from typing import Any

_ACCOUNT = "22225ba6-7559-4000-9663-bace8adff5f2"
_CAMPAIGN = "7c074b60-3ae7-4975-bc1d-5785cc0be2c8"
_AD_SQUAD = "23995202-bfbc-45a0-9702-dd6841af52fe"
_AD = "e8d6217f-32ab-400f-9e54-39a86a7963e4"
_CREATIVE = "c1e6e929-acec-466f-b023-852b8cacc18f"
_MEDIA = "a9a2dfc4-2cd6-4bb5-8f3c-2cf4d0a0a0b1"
_TARGETING = {"geos": [{"country_code": "us"}], "demographics": [{"min_age": "18"}]}

EXAMPLES: dict[str, dict[str, Any]] = {
    "snap.campaign.create": {
        "ad_account_id": _ACCOUNT,
        "name": "Spring launch",
        "status": "PAUSED",
        "start_time": "2026-03-01T00:00:00-08:00",
        "end_time": "2026-03-31T00:00:00-07:00",
        "daily_budget_usd": "150.00",
        "lifetime_spend_cap_usd": "4000",
        "objective_v2_properties": {"objective_v2_type": "SALES"},
    },
    "snap.campaign.update": {
        "ad_account_id": _ACCOUNT,
        "campaign_id": _CAMPAIGN,
        "daily_budget_usd": "200.5",
    },
    "snap.campaign.pause": {"ad_account_id": _ACCOUNT, "campaign_id": _CAMPAIGN},
    "snap.campaign.resume": {"ad_account_id": _ACCOUNT, "campaign_id": _CAMPAIGN},
    "snap.campaign.delete": {"ad_account_id": _ACCOUNT, "campaign_id": _CAMPAIGN},
    "snap.adsquad.create": {
        "ad_account_id": _ACCOUNT,
        "campaign_id": _CAMPAIGN,
        "name": "US 18+",
        "targeting": _TARGETING,
        "optimization_goal": "SWIPES",
        "bid_strategy": "LOWEST_COST_WITH_MAX_BID",
        "bid_usd": "1.25",
        "daily_budget_usd": "50",
    },
    "snap.adsquad.update": {
        "ad_account_id": _ACCOUNT,
        "ad_squad_id": _AD_SQUAD,
        "bid_usd": "2.5",
        "daily_budget_usd": "80",
    },
    "snap.adsquad.pause": {"ad_account_id": _ACCOUNT, "ad_squad_id": _AD_SQUAD},
    "snap.adsquad.resume": {"ad_account_id": _ACCOUNT, "ad_squad_id": _AD_SQUAD},
    "snap.adsquad.delete": {"ad_account_id": _ACCOUNT, "ad_squad_id": _AD_SQUAD},
    "snap.ad.create": {
        "ad_account_id": _ACCOUNT,
        "ad_squad_id": _AD_SQUAD,
        "creative_id": _CREATIVE,
        "name": "Ad One",
        "type": "REMOTE_WEBPAGE",
        "status": "ACTIVE",
    },
    "snap.ad.update": {"ad_account_id": _ACCOUNT, "ad_id": _AD, "name": "Ad One (v2)"},
    "snap.ad.pause": {"ad_account_id": _ACCOUNT, "ad_id": _AD},
    "snap.ad.resume": {"ad_account_id": _ACCOUNT, "ad_id": _AD},
    "snap.ad.delete": {"ad_account_id": _ACCOUNT, "ad_id": _AD},
    "snap.media.upload": {
        "ad_account_id": _ACCOUNT,
        "name": "spring-hero.mp4",
        "media_type": "VIDEO",
        "source_url": "https://cdn.example.com/creatives/spring-hero.mp4",
        "wait_ready_timeout_s": 600,
    },
    "snap.creative.create": {
        "ad_account_id": _ACCOUNT,
        "name": "Spring hero",
        "type": "WEB_VIEW",
        "headline": "New spring collection",
        "brand_name": "Badger Supplies",
        "top_snap_media_id": _MEDIA,
        "call_to_action": "SHOP_NOW",
        "web_view_properties": {"url": "https://shop.example.com/spring"},
    },
    "snap.experiment.launch": {
        "ad_account_id": _ACCOUNT,
        "experiment_id": "exp-42",
        "campaign": {
            "name": "Spring hero test",
            "start_time": "2026-03-01T00:00:00Z",
            "daily_budget_usd": "300",
        },
        "optimization_goal": "SWIPES",
        "variants": [
            {
                "name": "control",
                "role": "control",
                "targeting": _TARGETING,
                "creative_id": _CREATIVE,
                "daily_budget_usd": "100",
            },
            {
                "name": "hero-b",
                "role": "treatment",
                "targeting": _TARGETING,
                "creative_id": "0f4c2d4e-5a8b-4c61-9a57-1d2e3f4a5b6c",
                "daily_budget_usd": "100",
            },
        ],
    },
    "snap.experiment.set_variant_status": {
        "ad_account_id": _ACCOUNT,
        "experiment_id": "exp-42",
        "variant_name": "hero-b",
        "status": "ACTIVE",
    },
    "snap.stats.pull": {
        "ad_account_id": _ACCOUNT,
        "campaign_id": _CAMPAIGN,
        "start_date": "2026-03-01",
        "end_date": "2026-03-07",
        "granularity": "DAY",
    },
    "snap.stats.pull_all": {},
    "snap.detect.run": {"ad_account_ids": [_ACCOUNT]},
    "snap.connection.refresh": {"connection_id": "3"},
    "snap.experiment.results": {
        "ad_account_id": _ACCOUNT,
        "experiment_id": "exp-42",
        "min_impressions": 1000,
        "min_swipes": 30,
    },
    "snap.stats.backfill": {
        "ad_account_id": _ACCOUNT,
        "since": "2025-01-01",
        "levels": ["campaign", "adsquad"],
    },
    "snap.detect.deliver": {},
    "snap.webhook.register": {"url": "https://dashboard.example/hooks/snap"},
    "snap.connection.authorize": {
        "tenant_id": "tenant-7",
        "redirect_uri": "https://dashboard.example/oauth/snap",
        "backfill_since": "2025-01-01",
    },
    "snap.connection.complete": {"code": "<the redirect's code>", "state": "<its state>"},
    "snap.connection.disconnect": {"tenant_id": "tenant-7"},
    "snap.connection.refresh_due": {},
    "snap.journal.complete": {},
    "snap.journal.reap": {},
    "snap.organizations.list": {"tenant_id": "tenant-7"},
    "snap.adaccounts.list": {"tenant_id": "tenant-7", "statuses": ["ACTIVE"]},
    "snap.campaign.list": {"ad_account_id": _ACCOUNT, "statuses": ["ACTIVE"], "limit": 100},
    "snap.adsquad.list": {"ad_account_id": _ACCOUNT, "campaign_id": _CAMPAIGN},
    "snap.ad.list": {"ad_account_id": _ACCOUNT, "ad_squad_id": _AD_SQUAD, "fresh": True},
}

# What each task returns to the runner (docs/architecture.md, Contracts: the result
# backend holds JSON). The shape is owned by the task base (worker/mutations/task.py) and
# the task modules; these documented examples are what the README shows, so its tests can
# hold the tasks to them.


def _ok(**fields: Any) -> dict[str, Any]:
    return {"status": "succeeded", **fields, "dry_run": False}


RESULT_EXAMPLES: dict[str, dict[str, Any]] = {
    **{
        f"snap.{entity}.{verb}": _ok(snap_id=snap_id)
        for entity, snap_id in (("campaign", _CAMPAIGN), ("adsquad", _AD_SQUAD), ("ad", _AD))
        for verb in ("create", "update", "pause", "resume", "delete")
    },
    "snap.media.upload": _ok(snap_id=_MEDIA, media_status="READY"),
    "snap.creative.create": _ok(snap_id=_CREATIVE),
    "snap.experiment.launch": _ok(
        experiment_id="exp-42",
        campaign_id=_CAMPAIGN,
        variants={
            "control": {"ad_squad_id": _AD_SQUAD, "ad_id": _AD, "status": "ACTIVE"},
            "hero-b": {
                "ad_squad_id": "5f1a9c3e-7b2d-4e8f-a6c4-0d9e8f7a6b5c",
                "ad_id": "9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
                "status": "PAUSED",
            },
        },
    ),
    "snap.experiment.set_variant_status": _ok(snap_id=_AD_SQUAD, variant_status="ACTIVE"),
    "snap.stats.pull": _ok(ad_account_id=_ACCOUNT, rows_upserted=14, api_calls=1),
    "snap.stats.pull_all": _ok(enqueued=3),
    "snap.detect.run": _ok(events=1),
    "snap.connection.refresh": _ok(connection_id="3", expires_in_s=1800),
    "snap.experiment.results": _ok(
        experiment_id="exp-42",
        verdict="insufficient_data",
        variants=[
            {"name": "control", "role": "control", "impressions": 812, "swipes": 9},
            {"name": "hero-b", "role": "treatment", "impressions": 790, "swipes": 14},
        ],
    ),
    "snap.stats.backfill": _ok(
        ad_account_id=_ACCOUNT, state="succeeded", windows_done=15, windows_total=15
    ),
    "snap.detect.deliver": _ok(delivered=2, failed=0),
    "snap.webhook.register": {
        "status": "failed",
        "code": "webhooks_not_supported",
        "message": "webhooks not supported on snapchat_ads",
    },
    "snap.connection.authorize": _ok(
        authorization_url="https://accounts.snapchat.com/login/oauth2/authorize?...",
        state="Jx3...",
        expires_at="2026-03-01T10:10:00+00:00",
    ),
    "snap.connection.complete": _ok(
        connection_id=3, tenant_id="tenant-7", ad_account_ids=[_ACCOUNT]
    ),
    "snap.connection.disconnect": _ok(connection_id=3, connection_state="disconnected"),
    "snap.connection.refresh_due": _ok(enqueued=2),
    "snap.journal.complete": _ok(redriven=[]),
    "snap.journal.reap": _ok(reaped=120),
    "snap.organizations.list": _ok(items=[{"id": "org-1", "name": "Acme"}], next_cursor=None),
    "snap.adaccounts.list": _ok(
        items=[
            {
                "id": _ACCOUNT,
                "currency": "USD",
                "timezone": "America/Los_Angeles",
                "status": "ACTIVE",
                "last_synced_at": "2026-03-01T10:00:00+00:00",
            }
        ],
        next_cursor=None,
    ),
    **{
        f"snap.{entity}.list": _ok(
            source="mirror", items=[{"id": snap_id, "status": "ACTIVE"}], next_cursor=None
        )
        for entity, snap_id in (("campaign", _CAMPAIGN), ("adsquad", _AD_SQUAD), ("ad", _AD))
    },
}
VALIDATION_FAILURE_EXAMPLE: dict[str, Any] = {
    "status": "failed",
    "code": "validation",
    "message": "daily_budget_usd: Decimal input should have no more than 6 decimal places",
    "errors": [
        {
            "field": "daily_budget_usd",
            "message": "Decimal input should have no more than 6 decimal places",
        }
    ],
}
