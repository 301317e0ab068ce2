"""Spend in EUR: native micro kept, USD from the day's rate, never a made-up 1.0."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from snap.sandbox.seed import EUR_AD_ACCOUNT_ID
from storage.models.stats import DailyStat, FxRate
from tests.fleet import Fleet
from tests.integration.sync.conftest import advance_hours
from worker.app import token_gate
from worker.runtime import Runtime
from worker.sync.stats import record_rate


class LateRates:
    """A rate feed that knows nothing until a test publishes a day's rate."""

    def __init__(self) -> None:
        self.table: dict[tuple[str, date], Decimal] = {}

    def rate(self, currency: str, day: date) -> Decimal | None:
        return Decimal(1) if currency == "USD" else self.table.get((currency, day))


def with_rates(fleet: Fleet, feed: LateRates) -> Runtime:
    """A runtime on the same sandbox with this rate feed (the old one stays open: closing
    it would close the shared sandbox transport)."""
    runtime = Runtime(
        fleet.runtime.settings,
        token_gate(fleet.app),
        transport=fleet.sandbox.transport,
        oauth_transport=fleet.sandbox.transport,
        rates=feed,
    )
    fleet.app.snapfleet_runtime = runtime  # type: ignore[attr-defined]
    fleet.runtime = runtime
    return runtime


def _eur_rows(fleet: Fleet) -> list[DailyStat]:
    with fleet.runtime.session() as session:
        rows = list(
            session.scalars(select(DailyStat).where(DailyStat.ad_account_id == EUR_AD_ACCOUNT_ID))
        )
        session.expunge_all()
    return rows


def test_missing_rates_flag_rows_and_late_rates_fill_them(worker: Fleet) -> None:
    feed = LateRates()
    with_rates(worker, feed)
    assert (
        worker.call("snap.stats.pull", {"ad_account_id": EUR_AD_ACCOUNT_ID})["status"]
        == "succeeded"
    )
    first = _eur_rows(worker)
    assert first and all(
        r.fx_missing and r.spend_usd_micro is None and r.fx_rate is None for r in first
    )
    assert all(r.currency == "EUR" for r in first) and any(r.spend_micro for r in first)

    # The feed publishes every day; the next pull re-pulls only the days not yet final, yet
    # every flagged row (the final Nov 13 too) gets its USD amount.
    days = sorted({r.day for r in first})
    for n, day in enumerate(days):
        feed.table[("EUR", day)] = Decimal("1.05") + Decimal(n) / 100
    advance_hours(worker, 1)
    assert (
        worker.call("snap.stats.pull", {"ad_account_id": EUR_AD_ACCOUNT_ID})["status"]
        == "succeeded"
    )
    for row in _eur_rows(worker):
        rate = feed.table[("EUR", row.day)]
        assert not row.fx_missing and row.fx_rate == rate
        assert row.spend_usd_micro == int((Decimal(row.spend_micro) * rate).to_integral_value())
    with worker.runtime.session() as session:
        assert (
            session.scalar(select(FxRate.rate_to_usd).where(FxRate.day == days[0]))
            == feed.table[("EUR", days[0])]
        )


def test_an_operator_rate_fills_the_rows_that_waited(synced: Fleet) -> None:
    with_rates(synced, LateRates())
    from worker.sync.stats import pull

    pull(synced.runtime, EUR_AD_ACCOUNT_ID, now=synced.sandbox.clock.now())
    day = max(r.day for r in _eur_rows(synced))
    with synced.runtime.session() as session:
        filled = record_rate(session, "EUR", day, Decimal("1.1"), source="operator")
    todays = [r for r in _eur_rows(synced) if r.day == day]
    assert filled == len(todays) > 0
    assert all(r.spend_usd_micro is not None and not r.fx_missing for r in todays)
    assert all(r.fx_missing for r in _eur_rows(synced) if r.day != day)


ECB_DAY = (
    '<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" '
    'xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref"><Cube>{days}</Cube>'
    "</gesmes:Envelope>"
)


def _ecb(rates: dict[str, str]) -> bytes:
    days = "".join(
        f'<Cube time="{day}"><Cube currency="USD" rate="{rate}"/></Cube>'
        for day, rate in rates.items()
    )
    return ECB_DAY.format(days=days).encode()


def test_a_provisional_rate_for_today_is_not_kept_once_the_day_is_published(
    worker: Fleet,
) -> None:
    import httpx

    from worker.fx import ReferenceRateProvider

    # Monday Nov 16 (Paris) before the day's fixing: the feed has Friday's rate, which the
    # provider answers for today provisionally. Later the feed publishes Monday's.
    feed = {"2026-11-13": "1.05"}
    ticks = [0.0]
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=_ecb(feed)))
    provider = ReferenceRateProvider(
        "https://ecb.example/eurofxref.xml", transport=transport, clock=lambda: ticks[0]
    )
    with_rates(worker, provider)  # type: ignore[arg-type]
    pull = {"ad_account_id": EUR_AD_ACCOUNT_ID}
    assert worker.call("snap.stats.pull", pull)["status"] == "succeeded"
    monday = date(2026, 11, 16)
    assert {r.fx_rate for r in _eur_rows(worker) if r.day == monday} == {Decimal("1.05")}
    feed["2026-11-16"] = "1.10"
    ticks[0] += 7200  # the provider's own refresh period has passed
    advance_hours(worker, 1)
    assert worker.call("snap.stats.pull", pull)["status"] == "succeeded"
    # Today is re-pulled (never final) and converted at the day's published rate.
    assert {r.fx_rate for r in _eur_rows(worker) if r.day == monday} == {Decimal("1.10")}
