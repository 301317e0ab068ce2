"""TokenGate decisions, on the real Redis and on fakeredis (the `gate_store` fixture)."""

from __future__ import annotations

from typing import Any

import pytest

from snap.errors import QuotaUnavailable
from worker.errors import GateTimeout
from worker.gate import Decision, TokenGate, token_fingerprint

LONG_WINDOW_S = 60.0  # nothing leaves the window during a test


def take(gate: TokenGate, account: str, tries: int, **kwargs: Any) -> int:
    """How many of `tries` immediate attempts were granted."""
    return sum(gate.try_acquire("app-1", account, **kwargs) == 0.0 for _ in range(tries))


def test_account_scope_grants_limit_then_answers_a_wait(gate_store: Any) -> None:
    # Given a gate of 5 per window, when an account asks 8 times at once,
    gate = TokenGate(gate_store, limit=5, window_s=LONG_WINDOW_S)
    decisions = [gate.decide("app-1", "acct-1") for _ in range(8)]
    # I expect 5 grants, then waits no longer than the window.
    assert [d.granted for d in decisions] == [True] * 5 + [False] * 3
    assert all(0 < d.wait_s <= LONG_WINDOW_S for d in decisions[5:])
    assert all(d.wait_s == 0.0 for d in decisions[:5])


def test_accounts_have_separate_budgets(gate_store: Any) -> None:
    gate = TokenGate(gate_store, limit=3, window_s=LONG_WINDOW_S)
    assert take(gate, "acct-1", 5) == 3
    assert take(gate, "acct-2", 5) == 3
    # The same account id under another app is another account.
    assert gate.try_acquire("app-2", "acct-1") == 0.0


def test_per_account_limit_override(gate_store: Any) -> None:
    gate = TokenGate(gate_store, limit=3, window_s=LONG_WINDOW_S)
    assert take(gate, "acct-big", 10, limit=7) == 7
    assert take(gate, "acct-small", 10) == 3


def test_app_scope_caps_all_accounts_together(gate_store: Any) -> None:
    gate = TokenGate(gate_store, limit=50, window_s=LONG_WINDOW_S, app_limit=6, fair=False)
    granted = take(gate, "acct-1", 4) + take(gate, "acct-2", 4) + take(gate, "acct-3", 4)
    assert granted == 6


def test_token_scope_caps_per_token_and_tokens_are_independent(gate_store: Any) -> None:
    gate = TokenGate(gate_store, limit=50, window_s=LONG_WINDOW_S, token_limit=4, fair=False)
    assert take(gate, "acct-1", 6, token_id="token-a") == 4
    assert take(gate, "acct-2", 6, token_id="token-a") == 0
    assert take(gate, "acct-2", 6, token_id="token-b") == 4
    # Without a token id the token scope does not apply.
    assert take(gate, "acct-3", 2) == 2


def test_scopes_are_all_or_nothing(gate_store: Any) -> None:
    # Given the app window full,
    gate = TokenGate(gate_store, limit=50, window_s=LONG_WINDOW_S, app_limit=3, fair=False)
    assert take(gate, "acct-1", 3) == 3
    # if another account is refused by the app scope,
    assert take(gate, "acct-2", 5) == 0
    # I expect no slot of its own account window to have been taken.
    account_key = gate.keys("app-1", "acct-2")[0]
    assert gate_store.zcard(account_key) == 0
    assert gate_store.zcard(gate.keys("app-1", "acct-1")[0]) == 3


def test_a_lone_account_may_use_the_whole_shared_budget(gate_store: Any) -> None:
    gate = TokenGate(gate_store, limit=50, window_s=LONG_WINDOW_S, app_limit=20, token_limit=10)
    assert take(gate, "acct-1", 30, token_id="token-a") == 10
    assert take(gate, "acct-1", 30) == 10  # the rest of the app budget, without the token


def test_a_busy_account_cannot_starve_a_quiet_one_on_the_app(gate_store: Any) -> None:
    # Given two accounts on one app of 20 per window, the quiet one asking first,
    gate = TokenGate(gate_store, limit=50, window_s=LONG_WINDOW_S, app_limit=20)
    assert gate.try_acquire("app-1", "quiet") == 0.0
    # when the busy one hammers the gate, and the quiet one then asks for more,
    busy = take(gate, "busy", 100)
    quiet = 1 + take(gate, "quiet", 100)
    # I expect each to get its fair half of the app window, and the window full.
    assert (busy, quiet) == (10, 10)


def test_without_fairness_the_busy_account_takes_everything(gate_store: Any) -> None:
    # The control of the test above: it shows the fairness there is the gate's doing.
    gate = TokenGate(gate_store, limit=50, window_s=LONG_WINDOW_S, app_limit=20, fair=False)
    assert gate.try_acquire("app-1", "quiet") == 0.0
    assert take(gate, "busy", 100) == 19
    assert take(gate, "quiet", 100) == 0


def test_fair_shares_on_a_shared_token(gate_store: Any) -> None:
    gate = TokenGate(gate_store, limit=50, window_s=LONG_WINDOW_S, token_limit=9)
    for account in ("a", "b", "c"):
        gate.try_acquire("app-1", account, token_id="shared")
    assert take(gate, "a", 20, token_id="shared") == 2  # ceil(9 / 3) = 3, one already used
    assert take(gate, "b", 20, token_id="shared") == 2
    assert take(gate, "c", 20, token_id="shared") == 2


def test_the_window_slides_and_the_answered_wait_is_enough(gate_store: Any) -> None:
    # Given a short window already used up,
    gate = TokenGate(gate_store, limit=2, window_s=0.2)
    assert take(gate, "acct-1", 2) == 2
    # when the caller waits as long as it is told (acquire sleeps inline),
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        import time

        slept.append(seconds)
        time.sleep(seconds)

    decision = gate.acquire("app-1", "acct-1", timeout_s=5.0, sleep=sleep)
    # I expect a grant after at least one wait no longer than the window (plus jitter).
    assert decision.granted
    assert slept and all(0 < s <= 0.2 * 1.1 for s in slept)


def never_sleep(seconds: float) -> None:
    pytest.fail(f"slept {seconds}s although the wait exceeds the bound")


def test_acquire_raises_gate_timeout_when_the_wait_exceeds_the_bound(gate_store: Any) -> None:
    gate = TokenGate(gate_store, limit=1, window_s=LONG_WINDOW_S)
    assert isinstance(gate.acquire("app-1", "acct-1", timeout_s=2.0), Decision)
    with pytest.raises(GateTimeout) as caught:
        gate.acquire("app-1", "acct-1", timeout_s=2.0, sleep=never_sleep)
    assert 2.0 < caught.value.wait_s <= LONG_WINDOW_S
    assert caught.value.code == "rate_limited"


def test_a_wait_that_fits_the_bound_is_waited_whatever_the_jitter(
    gate_store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    from worker import gate as gate_module

    # The slot frees just inside the bound; the jitter, at its largest, would carry the
    # pause past it. The wait still fits, so it is waited, not turned into a retry.
    monkeypatch.setattr(gate_module.random, "random", lambda: 1.0)
    gate = TokenGate(gate_store, limit=1, window_s=0.5)
    gate.acquire("app-1", "acct-1", timeout_s=0.5)
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        time.sleep(seconds)

    decision = gate.acquire("app-1", "acct-1", timeout_s=0.5, sleep=sleep)
    assert decision.granted and slept
    assert all(s <= 0.5 for s in slept)


def test_keys_expire_on_their_own(gate_store: Any) -> None:
    gate = TokenGate(gate_store, limit=5, window_s=2.0, app_limit=5, token_limit=5)
    for lane in ("mutation", "sync"):
        gate.try_acquire("app-1", "acct-1", token_id="tok", lane=lane)
    for key in {*gate.keys("app-1", "acct-1", "tok"), *gate.keys("app-1", "acct-1", "tok", "sync")}:
        assert 0 < gate_store.pttl(key) <= 2001, key


def test_no_raw_token_reaches_the_store(gate_store: Any) -> None:
    gate = TokenGate(gate_store, limit=5, token_limit=5)
    gate.try_acquire("app-1", "acct-1", token_id="raw-access-token-SECRET")
    keys = [k.decode() for k in gate_store.scan_iter("snapfleet:gate:*")]
    assert any(token_fingerprint("raw-access-token-SECRET") in k for k in keys)
    assert not any("SECRET" in k for k in keys)
    for key in keys:
        if gate_store.type(key) == b"zset":
            assert not any(b"SECRET" in m for m in gate_store.zrange(key, 0, -1))


def test_a_script_error_fails_closed(gate_store: Any) -> None:
    # Given the account key holding something that is not a window (WRONGTYPE in the script),
    gate = TokenGate(gate_store, limit=5)
    gate_store.set(gate.keys("app-1", "acct-1")[0], "not a zset")
    # I expect QuotaUnavailable, with the Redis error as its cause.
    with pytest.raises(QuotaUnavailable) as caught:
        gate.try_acquire("app-1", "acct-1")
    assert caught.value.code == "quota_unavailable"
    assert caught.value.__cause__ is not None


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 2.5}, "limit"),
        ({"window_s": 0}, "window_s"),
        ({"app_limit": -1}, "app_limit"),
        ({"token_limit": "10"}, "token_limit"),
    ],
)
def test_bad_limits_are_refused_naming_the_argument(
    gate_store: Any, kwargs: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValueError, match=field):
        TokenGate(gate_store, **kwargs)
