"""Two workers claiming one key at the same instant: never both win.

Each round uses a fresh key; two threads, each with its own connection from the pool,
meet at a barrier and claim at once. The round is repeated many times on each dialect.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from storage import journal
from storage.models import JournalState

ROUNDS = 40


def _race(
    factory: sessionmaker[Session], key: str, now: datetime, workers: tuple[str, ...]
) -> dict[str, journal.Claim]:
    barrier = threading.Barrier(len(workers))
    results: dict[str, journal.Claim] = {}
    errors: list[BaseException] = []

    engine = factory.kw["bind"]

    def claimant(worker: str) -> None:
        try:
            # A pooled connection each, checked out before the barrier (no BEGIN yet:
            # on SQLite BEGIN IMMEDIATE would take the write lock ahead of the race).
            with engine.connect() as connection:
                barrier.wait(timeout=30)
                with Session(bind=connection, expire_on_commit=False) as session, session.begin():
                    results[worker] = journal.claim(
                        session,
                        key,
                        task_id=key,
                        task_name="snap.campaign.create",
                        step="create",
                        ad_account_id="acct-1",
                        request_digest="d",
                        worker_id=worker,
                        lease_s=60,
                        now=now,
                    )
        except BaseException as exc:  # surfaced below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=claimant, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def test_two_concurrent_claimants_of_a_new_key_never_both_win(
    factory: sessionmaker[Session],
) -> None:
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    for round_no in range(ROUNDS):
        results = _race(factory, f"race-new-{round_no}", now, ("w1", "w2"))
        winners = [w for w, c in results.items() if c.won]
        assert len(winners) == 1, (round_no, results)
        loser = next(c for c in results.values() if not c.won)
        assert loser.entry.state == JournalState.IN_FLIGHT
        assert loser.entry.worker_id == winners[0] and loser.entry.attempt == 1


def test_two_concurrent_reclaimers_of_an_expired_lease_never_both_win(
    factory: sessionmaker[Session],
) -> None:
    then = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    later = then + timedelta(seconds=61)
    for round_no in range(ROUNDS):
        key = f"race-expired-{round_no}"
        with factory.begin() as s:
            journal.claim(
                s,
                key,
                task_id=key,
                task_name="snap.campaign.create",
                step="create",
                ad_account_id="acct-1",
                request_digest="d",
                worker_id="w0",
                lease_s=60,
                now=then,
            )
        results = _race(factory, key, later, ("w1", "w2"))
        assert sum(c.won for c in results.values()) == 1, (round_no, results)
        with factory() as s:
            assert journal.get(s, key).attempt == 2
