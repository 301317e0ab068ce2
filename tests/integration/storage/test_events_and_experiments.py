"""Events are stored once per transition; experiments keep their variants."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from storage import events, experiments
from storage.errors import NotFound

REJECTED = {"review_status": "REJECTED", "review_status_reasons": ["prohibited content"]}
APPROVED = {"review_status": "APPROVED", "review_status_reasons": []}
FIRST = datetime(2026, 11, 20, 10, tzinfo=UTC)
LATER = datetime(2026, 11, 22, 10, tzinfo=UTC)


def _rejected(s: Session, observed_at: datetime, before=APPROVED):
    return events.record(
        s,
        kind="ad_disapproved",
        entity_type="ad",
        entity_id="ad-1",
        ad_account_id="acct-1",
        before=before,
        after=REJECTED,
        observed_at=observed_at,
    )


def test_the_same_transition_detected_twice_is_stored_once(factory: sessionmaker[Session]) -> None:
    with factory.begin() as s:
        first = _rejected(s, FIRST)
    with factory.begin() as s:
        again = _rejected(s, FIRST, before={"review_status": "PENDING"})
    assert first is not None and first.after == REJECTED
    assert again is None
    with factory() as s:
        assert len(events.for_entity(s, "ad", "ad-1")) == 1


def test_a_second_rejection_after_reapproval_is_a_new_event(
    factory: sessionmaker[Session],
) -> None:
    with factory.begin() as s:
        _rejected(s, FIRST)
        approved = events.record(
            s,
            kind="ad_approved",
            entity_type="ad",
            entity_id="ad-1",
            ad_account_id="acct-1",
            before=REJECTED,
            after=APPROVED,
            observed_at=datetime(2026, 11, 21, tzinfo=UTC),
        )
        second = _rejected(s, LATER)
    assert approved is not None and second is not None
    with factory() as s:
        kinds = [e.kind for e in events.for_entity(s, "ad", "ad-1")]
    assert kinds == ["ad_disapproved", "ad_approved", "ad_disapproved"]


def test_delivery_bookkeeping(factory: sessionmaker[Session]) -> None:
    with factory.begin() as s:
        event_id = _rejected(s, FIRST).id
        events.mark_delivery_failed(s, event_id, "broker down")
    with factory.begin() as s:
        [pending] = events.undelivered(s)
        assert pending.delivery_attempts == 1 and pending.last_delivery_error == "broker down"
        events.mark_delivered(s, event_id)
    with factory() as s:
        assert events.undelivered(s) == []
        assert events.for_entity(s, "ad", "ad-1")[0].delivery_attempts == 2


def test_a_sweep_takes_the_oldest_undelivered_event_it_has_not_failed_and_locks_it(
    factory: sessionmaker[Session], dialect: str
) -> None:
    with factory.begin() as s:
        first, second = _rejected(s, FIRST), _rejected(s, LATER)
        ids = [first.id, second.id]
    with factory() as s:
        assert [e.id for e in events.undelivered(s, limit=1)] == ids[:1]
        assert [e.id for e in events.undelivered(s, skip={ids[0]})] == ids[1:]
    if dialect != "postgresql":
        return  # SQLite has one writer at a time: there is no row lock to skip
    with factory.begin() as one, factory.begin() as two:
        assert [e.id for e in events.undelivered(one, limit=1, lock=True)] == ids[:1]
        # A concurrent sweep passes over the locked event instead of waiting for it.
        assert [e.id for e in events.undelivered(two, limit=1, lock=True)] == ids[1:]


def test_transition_keys_differ_by_what_changed() -> None:
    key = events.transition_key("ad_disapproved", "ad", "ad-1", REJECTED, FIRST)
    assert key == events.transition_key("ad_disapproved", "ad", "ad-1", dict(REJECTED), FIRST)
    assert key != events.transition_key("ad_disapproved", "ad", "ad-2", REJECTED, FIRST)
    assert key != events.transition_key("ad_disapproved", "ad", "ad-1", REJECTED, LATER)
    assert key != events.transition_key("ad_disapproved", "ad", "ad-1", APPROVED, FIRST)


def _variants() -> list[dict]:
    return [
        {"name": "control", "role": "control", "creative_id": "cr-0"},
        {"name": "b", "role": "treatment", "creative_id": "cr-1"},
    ]


def test_an_experiment_keeps_its_variants(factory: sessionmaker[Session]) -> None:
    with factory.begin() as s:
        experiments.create(
            s,
            experiment_id="exp-1",
            ad_account_id="acct-1",
            name="Hooks",
            variants=_variants(),
            campaign_id="c-1",
        )
    with factory.begin() as s:
        experiments.set_variant(s, "exp-1", "b", ad_squad_id="sq-b", status="ACTIVE")
        experiments.set_status(s, "exp-1", "running")
    with factory() as s:
        exp = experiments.get(s, "exp-1")
        by_name = {v.name: v for v in exp.variants}
        assert experiments.by_campaign(s, "c-1").id == "exp-1"
    assert exp.status == "running"
    assert by_name["control"].status == "ACTIVE"  # the control ships active
    assert (by_name["b"].status, by_name["b"].ad_squad_id) == ("ACTIVE", "sq-b")


def test_experiment_rules(factory: sessionmaker[Session]) -> None:
    with factory() as s, pytest.raises(ValueError, match="one control"):
        experiments.create(
            s,
            experiment_id="e",
            ad_account_id="a",
            name="n",
            variants=[{"name": "b", "role": "treatment"}],
        )
    with factory() as s, pytest.raises(ValueError, match="role"):
        experiments.create(
            s,
            experiment_id="e",
            ad_account_id="a",
            name="n",
            variants=[*_variants(), {"name": "c", "role": "boss"}],
        )
    with factory() as s, pytest.raises(NotFound):
        experiments.get(s, "missing")
    with factory.begin() as s:
        experiments.create(s, experiment_id="e2", ad_account_id="a", name="n", variants=_variants())
    with factory() as s, pytest.raises(IntegrityError):
        experiments.create(
            s,
            experiment_id="e3",
            ad_account_id="a",
            name="n",
            variants=[*_variants(), {"name": "b", "role": "treatment"}],
        )
