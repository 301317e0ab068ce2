"""A live attempt keeps its journal key however long it runs; a dead one frees it fast.

The lease is short (3 s here): the attempt's heartbeat renews it every second while its
request is out, so a second attempt is turned away for the whole 7 s call; once the
holder stops beating (it died) the key is claimable within one lease, and when Celery
reports the holder's pool child lost (`expire_holder`) at once.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from storage import journal
from worker.mutations import writes
from worker.mutations.heartbeat import Heartbeat

LEASE_S = 3.0


def _claim(factory: sessionmaker[Session], key: str, worker: str) -> journal.Claim:
    with factory.begin() as s:
        return journal.claim(
            s, key, task_id="task-hb", task_name="snap.campaign.update", step="update",
            ad_account_id="acct-1", request_digest=writes.request_digest(
                "snap.campaign.update", "update", {"x": 1}),
            worker_id=worker, lease_s=LEASE_S,
        )  # fmt: skip


def _context(factory: sessionmaker[Session], beat: Heartbeat | None) -> writes.WriteContext:
    return writes.WriteContext(
        session=factory.begin, task_id="task-hb", task_name="snap.campaign.update",
        ad_account_id=None, request={"x": 1}, worker_id="host:1:1", final_attempt=False,
        dry_run=False, lock=writes.no_lock, lease_s=LEASE_S, heartbeat=beat,
    )  # fmt: skip


def test_a_slow_live_attempt_keeps_its_key_past_the_lease(factory: sessionmaker[Session]) -> None:
    key = writes.idempotency_key("task-hb", "update")
    contenders: list[bool] = []
    started = threading.Event()

    def slow_send(_key: str, _item: Any) -> dict[str, Any]:
        started.set()
        time.sleep(7.0)  # more than two leases
        return {"id": "c1", "status": "PAUSED"}

    write = writes.Write("update", "campaigns", "update", slow_send, {"id": "c1"}, entity_id="c1")
    ctx = _context(factory, Heartbeat(factory.begin, LEASE_S))
    done: list[writes.Done] = []
    holder = threading.Thread(target=lambda: done.append(writes.run(ctx, write)))
    holder.start()
    started.wait(10)
    for _ in range(3):  # at 2, 4 and 6 s: the first lease ran out at 3 s
        time.sleep(2.0)
        contenders.append(_claim(factory, key, "other:2:2").won)
    holder.join(20)
    assert contenders == [False, False, False]
    assert done and done[0].attempt == 1


def test_a_dead_holder_frees_its_key_within_a_lease(factory: sessionmaker[Session]) -> None:
    key = writes.idempotency_key("task-hb", "update")
    assert _claim(factory, key, "host:7:1").won  # then it dies: nobody renews
    assert not _claim(factory, key, "other:2:2").won
    time.sleep(LEASE_S + 0.5)
    retaken = _claim(factory, key, "other:2:2")
    assert retaken.won and retaken.reconcile


def test_a_holder_known_lost_frees_its_keys_at_once(factory: sessionmaker[Session]) -> None:
    key = writes.idempotency_key("task-hb", "update")
    assert _claim(factory, key, "node1@h:4242:140").won
    with factory.begin() as s:
        assert journal.expire_holder(s, "node1@h:424:") == 0  # another pid: nothing
        assert journal.expire_holder(s, "node1@h:4242:") == 1
    retaken = _claim(factory, key, "node1@h:5151:140")
    assert retaken.won and retaken.reconcile
