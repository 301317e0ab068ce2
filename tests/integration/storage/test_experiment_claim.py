"""One launch per experiment: of claimants racing on one experiment id, exactly one owns it."""

from __future__ import annotations

import threading
import uuid
from typing import Any

from storage import experiments as repo
from storage.db import make_engine, session_factory

VARIANTS = [{"name": "control", "role": "control"}, {"name": "b", "role": "treatment"}]


def race(sessions: Any, experiment_id: str, claimants: int = 2) -> list[str | None]:
    """Claim one experiment from several threads at once; the owners each one read back."""
    barrier = threading.Barrier(claimants)
    owners: list[str | None] = []

    def claim(task_id: str) -> None:
        barrier.wait()
        with sessions.begin() as session:
            stored = repo.claim_launch(
                session, experiment_id=experiment_id, ad_account_id="acct",
                task_id=task_id, name="race", variants=VARIANTS,
            )  # fmt: skip
            owners.append(stored.launched_by_task_id)

    threads = [threading.Thread(target=claim, args=(f"task-{n}",)) for n in range(claimants)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return owners


def test_racing_claimants_of_one_experiment_agree_on_one_owner(migrated_database: str) -> None:
    engine = make_engine(migrated_database)
    sessions = session_factory(engine)
    for _ in range(10):
        experiment_id = f"exp-{uuid.uuid4().hex[:8]}"
        owners = race(sessions, experiment_id)
        assert len(owners) == 2 and owners[0] == owners[1]
        with sessions.begin() as session:
            names = sorted(v.name for v in repo.get(session, experiment_id).variants)
        assert names == ["b", "control"]
    engine.dispose()
