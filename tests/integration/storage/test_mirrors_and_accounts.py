"""Entity mirrors and ad accounts: bulk upserts that overwrite, never duplicate."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Engine, event, func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from storage import accounts, mirrors
from storage.cipher import TokenCipher
from storage.models import Ad, AdAccount, Campaign, StatsMode
from tests.integration.storage.seed import ACCOUNT_ID, ORG_ID, seed_accounts


@pytest.fixture
def seeded(factory: sessionmaker[Session]) -> sessionmaker[Session]:
    with factory.begin() as s:
        seed_accounts(s, TokenCipher([Fernet.generate_key()]))
    return factory


@contextmanager
def counting_inserts(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.lstrip().upper().startswith("INSERT"):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _campaign(i: int, **over) -> dict:
    item = {
        "id": f"c-{i}",
        "name": f"Campaign {i}",
        "status": "ACTIVE",
        "ad_account_id": ACCOUNT_ID,
        "objective": "WEB_VIEW",
        "daily_budget_micro": 50_000_000,
        "delivery_status": ["VALID"],
        "updated_at": "2026-11-20T10:00:00.000Z",
        "created_at": "2026-11-01T10:00:00.000Z",
        "unknown_field": {"kept": True},
    }
    item.update(over)
    return item


def test_a_batch_is_one_statement_and_a_repull_overwrites(
    seeded: sessionmaker[Session], storage_engine: Engine
) -> None:
    batch = [_campaign(i) for i in range(120)]
    with counting_inserts(storage_engine) as inserts, seeded.begin() as s:
        mirrors.upsert_many(s, "campaigns", ACCOUNT_ID, batch)
    assert len(inserts) == 1
    with seeded.begin() as s:
        first_seen = mirrors.by_ids(s, "campaigns", ["c-7"])["c-7"].first_seen_at
    # When the same entities come back changed
    changed = [_campaign(i, status="PAUSED", daily_budget_micro=70_000_000) for i in range(120)]
    with seeded.begin() as s:
        mirrors.upsert_many(s, "campaigns", ACCOUNT_ID, changed)
    # Then the row count is unchanged and the values are the new ones
    with seeded() as s:
        assert s.scalar(select(func.count()).select_from(Campaign)) == 120
        row = mirrors.by_ids(s, "campaigns", ["c-7"])["c-7"]
    assert row.status == "PAUSED" and row.daily_budget_micro == 70_000_000
    assert row.first_seen_at == first_seen
    assert row.raw["unknown_field"] == {"kept": True}
    assert row.delivery_status == ["VALID"]
    assert row.snap_updated_at.isoformat() == "2026-11-20T10:00:00+00:00"


def test_ads_keep_review_status_and_reasons(seeded: sessionmaker[Session]) -> None:
    ad = {
        "id": "ad-1",
        "ad_squad_id": "sq-1",
        "creative_id": "cr-1",
        "name": "Ad",
        "type": "SNAP_AD",
        "status": "ACTIVE",
        "review_status": "REJECTED",
        "review_status_reasons": ["Ad contains prohibited content"],
        "delivery_status": ["INVALID_REJECTED"],
    }
    with seeded.begin() as s:
        mirrors.upsert_many(s, "ads", ACCOUNT_ID, [ad])
    with seeded() as s:
        row = s.get(Ad, "ad-1")
    assert row.review_status == "REJECTED"
    assert row.review_status_reasons == ["Ad contains prohibited content"]
    assert (row.ad_squad_id, row.creative_id) == ("sq-1", "cr-1")


@pytest.mark.parametrize("kind", ["adsquads", "creatives", "media"])
def test_every_kind_mirrors(seeded: sessionmaker[Session], kind: str) -> None:
    item = {
        "id": f"{kind}-1",
        "name": "x",
        "status": "ACTIVE",
        "type": "IMAGE",
        "campaign_id": "c-1",
        "bid_micro": 1_000_000,
        "media_status": "READY",
    }
    with seeded.begin() as s:
        assert mirrors.upsert_many(s, kind, ACCOUNT_ID, [item, {**item, "name": "y"}][1:]) == 1
    with seeded() as s:
        row = mirrors.for_ad_account(s, kind, ACCOUNT_ID)[f"{kind}-1"]
    assert row.name == "y" and row.raw["type"] == "IMAGE"


def test_entities_gone_from_a_listing_are_marked_deleted_and_come_back(
    seeded: sessionmaker[Session],
) -> None:
    with seeded.begin() as s:
        mirrors.upsert_many(s, "campaigns", ACCOUNT_ID, [_campaign(1), _campaign(2)])
    with seeded.begin() as s:
        gone = mirrors.missing(s, "campaigns", ACCOUNT_ID, ["c-1"])
        assert gone == ["c-2"]
        assert mirrors.mark_deleted(s, "campaigns", gone) == 1
        assert mirrors.mark_deleted(s, "campaigns", gone) == 0  # once
    with seeded.begin() as s:
        assert set(mirrors.for_ad_account(s, "campaigns", ACCOUNT_ID)) == {"c-1"}
        everything = mirrors.for_ad_account(s, "campaigns", ACCOUNT_ID, include_deleted=True)
        assert everything["c-2"].deleted and everything["c-2"].deleted_at is not None
        mirrors.upsert_many(s, "campaigns", ACCOUNT_ID, [_campaign(2)])
    with seeded() as s:
        assert not mirrors.by_ids(s, "campaigns", ["c-2"])["c-2"].deleted


def test_unknown_kind_is_refused(seeded: sessionmaker[Session]) -> None:
    with seeded() as s, pytest.raises(ValueError, match="adsets"):
        mirrors.upsert_many(s, "adsets", ACCOUNT_ID, [{"id": "x"}])


def test_a_reread_account_keeps_the_fleets_own_columns(seeded: sessionmaker[Session]) -> None:
    with seeded.begin() as s:
        accounts.set_rate_limit(s, ACCOUNT_ID, 7)
        accounts.set_stats_mode(s, ACCOUNT_ID, StatsMode.CAMPAIGN_BREAKDOWN)
        conn_id = accounts.get(s, ACCOUNT_ID).connection_id
    with seeded.begin() as s:
        accounts.upsert_ad_accounts(
            s,
            [
                {
                    "id": ACCOUNT_ID,
                    "organization_id": ORG_ID,
                    "name": "Renamed",
                    "currency": "USD",
                    "timezone": "America/Los_Angeles",
                    "status": "ACTIVE",
                }
            ],
            connection_id=conn_id,
        )
    with seeded() as s:
        row = accounts.get(s, ACCOUNT_ID)
        assert s.scalar(select(func.count()).select_from(AdAccount)) == 2
    assert row.name == "Renamed"
    assert row.rate_limit_rps == 7 and row.stats_mode == "campaign_breakdown"


def test_sync_bookkeeping_and_fan_out(seeded: sessionmaker[Session]) -> None:
    from datetime import UTC, datetime

    synced = datetime(2026, 11, 23, 12, tzinfo=UTC)
    final = datetime(2026, 11, 21, 8, tzinfo=UTC)
    with seeded.begin() as s:
        accounts.record_sync(
            s,
            ACCOUNT_ID,
            synced_at=synced,
            finalized_data_end_time=final,
            conversion_data_processed_end_time=None,
        )
        accounts.upsert_ad_accounts(
            s,
            [
                {
                    "id": "acct-off",
                    "organization_id": ORG_ID,
                    "currency": "USD",
                    "timezone": "UTC",
                    "status": "DISABLED",
                }
            ],
            connection_id=accounts.get(s, ACCOUNT_ID).connection_id,
        )
    with seeded() as s:
        row = accounts.get(s, ACCOUNT_ID)
        assert (row.last_synced_at, row.finalized_data_end_time) == (synced, final)
        assert "acct-off" not in {a.id for a in accounts.syncable(s)}
        assert ACCOUNT_ID in {a.id for a in accounts.syncable(s)}
    with seeded() as s, pytest.raises(ValueError):
        accounts.set_rate_limit(s, ACCOUNT_ID, 0)


def test_an_account_turn_lets_a_write_record_its_entity_and_still_serializes_turns(
    seeded: sessionmaker[Session], dialect: str
) -> None:
    if dialect != "postgresql":
        return  # SQLite has one writer at a time: there is no row lock to share
    # A sync holds its account's row for the whole turn, Snap reads included. A create
    # recording its entity meanwhile checks that row (the mirror's foreign key takes a
    # key-share lock on it). Were the turn FOR UPDATE, the record would wait for the
    # sync's reads, and deadlock once the sync stores the same entity (the soak saw it).
    with seeded.begin() as turn, seeded.begin() as record:
        accounts.lock(turn, ACCOUNT_ID)
        record.execute(text("SET LOCAL lock_timeout = '10s'"))
        mirrors.upsert_many(record, "campaigns", ACCOUNT_ID, [_campaign(1)])
    # And a second turn of the same account still waits for the first.
    with seeded.begin() as one, seeded.begin() as two:
        accounts.lock(one, ACCOUNT_ID)
        two.execute(text("SET LOCAL lock_timeout = '200ms'"))
        with pytest.raises(OperationalError, match="lock timeout"):
            accounts.lock(two, ACCOUNT_ID)
