"""The ECB reference-rate feed over httpx.MockTransport, with recorded-format sample files."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from worker.fx import FxUnavailable, ReferenceRateProvider, parse_ecb_xml

SAMPLES = Path(__file__).parent / "samples"
HIST = (SAMPLES / "eurofxref-hist-90d.xml").read_bytes()
DAILY = (SAMPLES / "eurofxref-daily.xml").read_bytes()
DAILY_APR_2 = (SAMPLES / "eurofxref-daily-2024-04-02.xml").read_bytes()
URL = "https://fx.example.test/eurofxref-hist-90d.xml"
# Easter 2024: the ECB published nothing on Good Friday (Mar 29) or Easter Monday (Apr 1).
THU, FRI, SAT = date(2024, 3, 28), date(2024, 3, 29), date(2024, 3, 30)
MON, TUE, WED = date(2024, 4, 1), date(2024, 4, 2), date(2024, 4, 3)


class Feed:
    """Serves the given bodies in turn (the last one repeats) and counts requests."""

    def __init__(self, *bodies: bytes, status: int = 200) -> None:
        self.bodies = list(bodies)
        self.status = status
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        body = self.bodies.pop(0) if len(self.bodies) > 1 else self.bodies[0]
        return httpx.Response(self.status, content=body, headers={"content-type": "text/xml"})


class Clock:
    def __init__(self) -> None:
        self.now_s = 1000.0

    def __call__(self) -> float:
        return self.now_s


def provider(feed: Feed, **kwargs) -> ReferenceRateProvider:
    return ReferenceRateProvider(URL, transport=httpx.MockTransport(feed), **kwargs)


def test_parse_reads_every_day_and_currency():
    table = parse_ecb_xml(HIST)
    assert sorted(table) == [date(2024, 3, 26), date(2024, 3, 27), THU, TUE, WED]
    assert len(table[THU]) == 30
    assert table[THU]["USD"] == Decimal("1.0830")
    assert table[THU]["GBP"] == Decimal("0.85690")


def test_parse_reads_the_daily_file_with_single_quotes():
    assert list(parse_ecb_xml(DAILY)) == [WED]
    assert parse_ecb_xml(DAILY)[WED]["USD"] == Decimal("1.0833")


def test_rates_are_usd_per_unit_cross_rates_of_the_euro_quotes():
    fx = provider(Feed(HIST))
    assert fx.rate("EUR", THU) == Decimal("1.0830")
    assert fx.rate("GBP", THU) == Decimal("1.0830") / Decimal("0.85690")
    assert fx.rate("jpy", THU) == Decimal("1.0830") / Decimal("163.97")
    assert Decimal("1.26") < fx.rate("GBP", THU) < Decimal("1.27")


def test_usd_is_exactly_one_without_asking_the_feed():
    feed = Feed(HIST)
    assert provider(feed).rate("USD", THU) == Decimal(1)
    assert feed.requests == []


def test_the_feed_is_read_once_for_many_questions():
    feed = Feed(HIST)
    fx = provider(feed)
    for day in (THU, TUE, WED, date(2024, 3, 26)):
        assert fx.rate("GBP", day) is not None
    assert len(feed.requests) == 1
    assert str(feed.requests[0].url) == URL


def test_weekend_and_holidays_take_the_latest_earlier_published_day():
    fx = provider(Feed(HIST))
    thursday = fx.rate("GBP", THU)
    assert fx.rate("GBP", FRI) == thursday  # Good Friday
    assert fx.rate("GBP", SAT) == thursday
    assert fx.rate("GBP", MON) == thursday  # Easter Monday: 4 days back, still within reach
    assert fx.rate("GBP", TUE) != thursday


def test_fallback_never_reaches_further_than_allowed():
    fx = provider(Feed(HIST), max_fallback_days=3)
    assert fx.rate("GBP", date(2024, 3, 31)) is not None  # 3 days back to Thursday
    assert fx.rate("GBP", MON) is None  # 4 days back: too far


def test_days_after_the_feed_beyond_the_fallback_are_unknown_not_guessed():
    fx = provider(Feed(HIST))
    assert fx.rate("GBP", WED + timedelta(days=4)) is not None
    assert fx.rate("GBP", WED + timedelta(days=5)) is None


def test_days_before_the_feed_are_unknown_and_no_later_day_is_used():
    fx = provider(Feed(HIST))
    assert fx.rate("GBP", date(2024, 3, 25)) is None
    assert fx.rate("GBP", date(2023, 1, 1)) is None


@pytest.mark.parametrize("currency", ["XYZ", "RUB", "VES"])
def test_a_currency_the_feed_does_not_quote_is_none_never_one(currency):
    assert provider(Feed(HIST)).rate(currency, THU) is None


def test_a_later_day_fetches_again_only_once_the_last_fetch_is_stale():
    feed = Feed(DAILY_APR_2, DAILY)
    clock = Clock()
    fx = provider(feed, clock=clock, refresh_after_s=3600)
    assert fx.rate("EUR", TUE) == Decimal("1.0822")
    # Wednesday asked before the refresh interval: Tuesday's rate (fallback), no new request.
    assert fx.rate("EUR", WED) == Decimal("1.0822")
    assert len(feed.requests) == 1
    clock.now_s += 3600
    assert fx.rate("EUR", WED) == Decimal("1.0833")
    assert len(feed.requests) == 2
    # Tuesday is still known from the first read.
    assert fx.rate("EUR", TUE) == Decimal("1.0822")
    assert len(feed.requests) == 2


def test_a_failed_refresh_answers_from_what_was_read_before():
    feed = Feed(DAILY_APR_2, b"<html>maintenance</html>")
    clock = Clock()
    fx = provider(feed, clock=clock, refresh_after_s=60)
    assert fx.rate("EUR", TUE) == Decimal("1.0822")
    clock.now_s += 60
    assert fx.rate("EUR", WED) == Decimal("1.0822")
    assert len(feed.requests) == 2


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (b"upstream down", 503, "could not be read"),
        (b"<not-xml", 200, "not valid XML"),
        (b"<html><body>moved</body></html>", 200, "no <Cube time"),
    ],
)
def test_an_unreadable_feed_raises_fx_unavailable(body, status, message):
    with pytest.raises(FxUnavailable, match=message):
        provider(Feed(body, status=status)).rate("EUR", THU)


def test_a_failed_first_read_is_not_repeated_until_the_backoff_passed():
    """A feed that is down costs one timeout per backoff, not one per row of a pull."""
    feed = Feed(b"down", HIST)
    clock = Clock()
    fx = provider(feed, clock=clock, failure_backoff_s=300)
    with pytest.raises(FxUnavailable, match="not valid XML"):
        fx.rate("EUR", THU)
    for _ in range(5):
        with pytest.raises(FxUnavailable, match="failed recently"):
            fx.rate("EUR", THU)
    assert len(feed.requests) == 1
    clock.now_s += 300
    assert fx.rate("EUR", THU) == Decimal("1.0830")
    assert len(feed.requests) == 2


def test_a_connection_error_raises_fx_unavailable():
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    fx = ReferenceRateProvider(URL, transport=httpx.MockTransport(refuse))
    with pytest.raises(FxUnavailable, match="connection refused"):
        fx.rate("EUR", THU)


def test_entity_expansion_is_refused():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><x>&b;</x>'
    )
    with pytest.raises(FxUnavailable, match="not valid XML"):
        parse_ecb_xml(bomb)


def test_a_malformed_rate_in_the_feed_raises_fx_unavailable():
    broken = HIST.replace(b'currency="GBP" rate="0.85690"', b'currency="GBP" rate="n/a"')
    with pytest.raises(FxUnavailable, match="GBP"):
        parse_ecb_xml(broken)
