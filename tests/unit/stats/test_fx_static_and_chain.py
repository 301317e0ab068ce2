"""Static FX table, chaining, caching, and the provider built from settings."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from worker.fx import (
    CachedRates,
    ChainedRates,
    ReferenceRateProvider,
    StaticRates,
    UsdOnly,
    normalize_currency,
    rate_provider_from_settings,
)
from worker.settings import Settings

HIST = (Path(__file__).parent / "samples" / "eurofxref-hist-90d.xml").read_bytes()
THU = date(2024, 3, 28)
NOV_1 = date(2026, 11, 1)


def ecb_transport() -> httpx.MockTransport:
    return httpx.MockTransport(lambda request: httpx.Response(200, content=HIST))


class Counting:
    def __init__(self, answer: Decimal | None) -> None:
        self.answer = answer
        self.calls = 0

    def rate(self, currency: str, day: date) -> Decimal | None:
        self.calls += 1
        return self.answer


def test_static_rate_for_every_day_is_exact_not_a_float():
    fx = StaticRates.from_json('{"EUR": 1.08, "gbp": "1.27"}')
    assert fx.rate("EUR", NOV_1) == Decimal("1.08")
    assert fx.rate("eur", date(2020, 1, 1)) == Decimal("1.08")
    assert fx.rate("GBP", NOV_1) == Decimal("1.27")


def test_static_rate_per_day_answers_only_listed_days():
    fx = StaticRates.from_json('{"EUR": {"2026-11-01": 1.08, "2026-11-02": 1.09}}')
    assert fx.rate("EUR", NOV_1) == Decimal("1.08")
    assert fx.rate("EUR", date(2026, 11, 2)) == Decimal("1.09")
    assert fx.rate("EUR", date(2026, 11, 3)) is None


def test_static_table_knows_usd_and_nothing_it_was_not_told():
    fx = StaticRates.from_json('{"EUR": 1.08}')
    assert fx.rate("USD", NOV_1) == Decimal(1)
    assert fx.rate("JPY", NOV_1) is None
    assert StaticRates.from_json(None).rate("EUR", NOV_1) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"EUR": 0}', "EUR.*positive"),
        ('{"EUR": -1.08}', "EUR.*positive"),
        ('{"EUR": "abc"}', "EUR.*number"),
        ('{"EUR": true}', "EUR.*number"),
        ('{"EUR": {"11/01/2026": 1.08}}', "EUR.*YYYY-MM-DD"),
        ('{"EUR": {"2026-11-01": null}}', "2026-11-01.*number"),
        ('{"EURO": 1.08}', "3-letter"),
        ('{"USD": 1.1}', "USD is 1"),
        ('{"USD": {"2026-11-01": 0.9}}', "USD is 1"),
        ("[1.08]", "JSON object"),
    ],
)
def test_a_bad_static_table_names_what_is_wrong(text, message):
    with pytest.raises(ValueError, match=message):
        StaticRates.from_json(text)


def test_normalize_currency():
    assert normalize_currency(" eur ") == "EUR"
    for bad in ("", "EU", "EU1", "€UR"):
        with pytest.raises(ValueError, match="ISO 4217"):
            normalize_currency(bad)


def test_chain_first_provider_that_knows_wins():
    static = StaticRates.from_json('{"GBP": 1.25}')
    feed = ReferenceRateProvider("https://fx.test/x.xml", transport=ecb_transport())
    fx = ChainedRates(static, feed)
    assert fx.rate("GBP", THU) == Decimal("1.25")  # the operator's override
    assert fx.rate("EUR", THU) == Decimal("1.0830")  # the feed fills the rest
    assert fx.rate("XYZ", THU) is None


def test_empty_chain_and_usd_only_know_nothing_but_usd():
    assert ChainedRates().rate("EUR", THU) is None
    assert UsdOnly().rate("USD", THU) == Decimal(1)
    assert UsdOnly().rate("EUR", THU) is None


def test_cache_remembers_known_rates_but_asks_again_for_unknown_ones():
    known = Counting(Decimal("1.08"))
    cached = CachedRates(known)
    assert cached.rate("eur", THU) == cached.rate("EUR", THU) == Decimal("1.08")
    assert known.calls == 1
    unknown = Counting(None)
    cached = CachedRates(unknown)
    assert cached.rate("EUR", THU) is None and cached.rate("EUR", THU) is None
    assert unknown.calls == 2


@pytest.mark.usefixtures("clean_settings")
def test_settings_without_fx_sources_know_only_usd():
    fx = rate_provider_from_settings(Settings())
    assert fx.rate("USD", NOV_1) == Decimal(1)
    assert fx.rate("EUR", NOV_1) is None


@pytest.mark.usefixtures("clean_settings")
def test_settings_chain_static_then_feed(monkeypatch):
    monkeypatch.setenv("SNAPFLEET_FX_RATES", json.dumps({"GBP": {"2024-03-28": "1.25"}}))
    monkeypatch.setenv("SNAPFLEET_FX_URL", "https://fx.test/eurofxref-hist-90d.xml")
    fx = rate_provider_from_settings(Settings(), transport=ecb_transport())
    assert fx.rate("GBP", THU) == Decimal("1.25")
    assert fx.rate("GBP", date(2024, 3, 27)) == Decimal("1.0834") / Decimal("0.85724")
    assert fx.rate("EUR", THU) == Decimal("1.0830")


CURRENCIES = st.sampled_from(["USD", "EUR", "GBP", "JPY", "CHF", "IDR"]) | st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=3, max_size=3
)
DAYS = st.dates(min_value=date(2024, 3, 20), max_value=date(2024, 4, 12))


@given(currency=CURRENCIES, day=DAYS)
def test_no_provider_ever_answers_one_for_a_currency_other_than_usd(currency, day):
    providers = [
        UsdOnly(),
        StaticRates.from_json('{"EUR": 1.08, "GBP": {"2024-03-28": 1.25}}'),
        ReferenceRateProvider("https://fx.test/x.xml", transport=ecb_transport()),
    ]
    for fx in [*providers, ChainedRates(*providers)]:
        rate = fx.rate(currency, day)
        if currency == "USD":
            assert rate == Decimal(1)
        else:
            assert rate != Decimal(1)
            assert rate is None or rate > 0
