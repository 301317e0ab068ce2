"""Gate lanes: polling (`sync`) may use `sync_share` of the shared windows, mutations all.

On the real Redis and on fakeredis (the `gate_store` fixture).
"""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
import pytest

from tests.integration.gate.test_exactness import WINDOW_US, crowded_windows
from worker.gate import TokenGate, lane_limit

LONG_WINDOW_S = 60.0  # nothing leaves the window during a test


def take(gate: TokenGate, account: str, tries: int, **kwargs: Any) -> int:
    return sum(gate.try_acquire("app-1", account, **kwargs) == 0.0 for _ in range(tries))


def test_the_sync_lane_gets_its_share_and_the_mutation_lane_the_rest(gate_store: Any) -> None:
    # Given an app of 20 per window and the default share of 0.7,
    gate = TokenGate(gate_store, limit=100, window_s=LONG_WINDOW_S, app_limit=20)
    # when polling asks for far more than the window holds,
    assert take(gate, "poller", 100, lane="sync") == 14
    # I expect a mutation of another account still to find the remaining 6 at once,
    assert take(gate, "runner", 100, lane="mutation") == 6
    # and nobody more: the app window is full for both lanes.
    assert take(gate, "late", 5, lane="sync") == 0
    assert take(gate, "late", 5, lane="mutation") == 0


def test_the_mutation_lane_may_use_the_whole_app_window(gate_store: Any) -> None:
    gate = TokenGate(gate_store, limit=100, window_s=LONG_WINDOW_S, app_limit=20)
    assert take(gate, "runner", 100) == 20  # the default lane is "mutation"
    # and then the sync lane waits: mutations used everything.
    assert take(gate, "poller", 5, lane="sync") == 0


def test_the_token_window_is_shared_the_same_way(gate_store: Any) -> None:
    gate = TokenGate(gate_store, limit=100, window_s=LONG_WINDOW_S, token_limit=10, sync_share=0.5)
    assert take(gate, "a", 20, token_id="tok", lane="sync") == 5
    assert take(gate, "a", 20, token_id="tok", lane="mutation") == 5


def test_fair_shares_hold_within_the_sync_lane(gate_store: Any) -> None:
    # Given a quiet poller that asked first and a busy one, both in the sync lane,
    gate = TokenGate(gate_store, limit=100, window_s=LONG_WINDOW_S, app_limit=20)
    assert gate.try_acquire("app-1", "quiet", lane="sync") == 0.0
    busy = take(gate, "busy", 100, lane="sync")
    quiet = 1 + take(gate, "quiet", 100, lane="sync")
    # I expect the 14 of the sync lane split in halves,
    assert (busy, quiet) == (7, 7)
    # and a mutation account, alone in its lane, to get all that is left of the window.
    assert take(gate, "runner", 100) == 6


def test_a_mutation_account_is_not_charged_for_its_own_polling(gate_store: Any) -> None:
    # The same ad account polled by the sync lane and written by the runner: its sync
    # grants count against the sync share, not against its fair share of the mutation lane.
    gate = TokenGate(gate_store, limit=100, window_s=LONG_WINDOW_S, app_limit=20)
    assert take(gate, "acct", 10, lane="sync") == 10
    assert take(gate, "other", 1) == 1  # two mutation accounts: shares of ceil(20/2)
    assert take(gate, "acct", 100) == 9  # the 9 left in the window, none taken by its polls


@pytest.mark.parametrize("share", [0.0, 1.5, -0.1])
def test_a_share_outside_0_1_is_refused(gate_store: Any, share: float) -> None:
    with pytest.raises(ValueError, match="sync_share"):
        TokenGate(gate_store, sync_share=share)


def test_an_unknown_lane_is_refused(gate_store: Any) -> None:
    gate = TokenGate(gate_store)
    with pytest.raises(ValueError, match="lane"):
        gate.try_acquire("app-1", "acct", lane="backfill")  # type: ignore[arg-type]


def test_lane_limit_rounds_down_but_never_to_nothing() -> None:
    assert lane_limit(20, 0.7) == 14
    assert lane_limit(10, 0.7) == 7
    assert lane_limit(1, 0.7) == 1
    assert lane_limit(0, 0.7) == 0  # a scope that is off stays off


def test_both_lanes_hammering_never_exceed_any_window(gate_store: Any) -> None:
    # Given many threads in both lanes on one app window of 8 per 100 ms (sync: 5),
    gate = TokenGate(gate_store, limit=50, window_s=WINDOW_US / 1e6, app_limit=8, sync_share=0.7)
    grants: dict[str, list[int]] = {"sync": [], "mutation": []}
    lock = threading.Lock()

    def hammer(lane: str, account: str) -> None:
        got: list[int] = []
        while len(got) < 10:
            decision = gate.decide("app-1", account, lane=lane)  # type: ignore[arg-type]
            if decision.granted:
                got.append(decision.server_time_us)
            else:
                time.sleep(decision.wait_s)
        with lock:
            grants[lane] += got

    jobs = [("sync", f"poll-{i % 3}") for i in range(6)] + [
        ("mutation", f"run-{i % 2}") for i in range(4)
    ]
    threads = [threading.Thread(target=hammer, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    # I expect no window over the app's 8, and no window with more than 5 sync grants.
    assert len(grants["sync"]) == 60 and len(grants["mutation"]) == 40
    assert crowded_windows(grants["sync"] + grants["mutation"], 8, WINDOW_US) == []
    assert crowded_windows(grants["sync"], 5, WINDOW_US) == []


def test_the_gated_transport_spends_the_lane_of_its_scope(gate_store: Any) -> None:
    # Given the runtime's transport over a gate whose app window is already full for polling,
    from worker.runtime import GatedTransport, gate_scope

    gate = TokenGate(gate_store, limit=100, window_s=LONG_WINDOW_S, app_limit=10)
    assert take(gate, "other", 100, lane="sync") == 7
    sent: list[str] = []
    inner = httpx.MockTransport(
        lambda request: (sent.append(str(request.url)), httpx.Response(200))[1]
    )
    transport = GatedTransport(inner, gate, max_wait_s=0.0)
    request = httpx.Request("GET", "https://adsapi.example/v1/adaccounts/a/ads")
    # when a polling read asks inside a sync scope, I expect it to be held back,
    from worker.errors import GateTimeout

    with gate_scope("app-1", "acct-1", lane="sync"), pytest.raises(GateTimeout):
        transport.handle_request(request)
    # while a mutation's read inside a mutation scope goes out at once.
    with gate_scope("app-1", "acct-1"):
        assert transport.handle_request(request).status_code == 200
    assert len(sent) == 1


def test_seven_busy_accounts_leave_room_for_a_quiet_eighth(gate_store: Any) -> None:
    # Given eight accounts active on an app window of 20 (each asked once),
    gate = TokenGate(gate_store, limit=100, window_s=LONG_WINDOW_S, app_limit=20)
    accounts = [f"busy-{i}" for i in range(7)]
    for account in [*accounts, "quiet"]:
        assert gate.try_acquire("app-1", account) == 0.0
    # when the seven busy ones take all they can,
    busy = sum(take(gate, account, 50) for account in accounts)
    # I expect each held to floor(20 / 8) = 2, so the quiet one, asking whenever it
    # likes, still finds its second slot; with shares rounded up (3 each) the seven would
    # have filled the window and the quiet one would never get in.
    assert busy == 7
    assert take(gate, "quiet", 1) == 1
