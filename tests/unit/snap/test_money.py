"""snap.money: exact Math.round micro conversion and FX, checked against a reference."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from snap.money import (
    convert_usd_to_micro,
    js_round,
    micro_to_usd,
    micro_to_usd_amount,
    usd_to_micro,
)


def reference_math_round(value: Fraction) -> int:
    """ECMAScript Math.round on an exact rational: the integer closest to the value,
    and of two equally close, the one closer to +infinity."""
    low = math.floor(value)
    return low + 1 if value - low >= Fraction(1, 2) else low


decimals = st.decimals(
    min_value=Decimal("-1e9"), max_value=Decimal("1e9"), allow_nan=False, allow_infinity=False
)
micros = st.integers(min_value=-(10**18), max_value=10**18)
rates = st.decimals(
    min_value=Decimal("0.0001"), max_value=Decimal("10000"), places=6, allow_nan=False
).filter(lambda r: r > 0)


@pytest.mark.parametrize(
    ("amount", "micro"),
    [
        ("0.1", 100_000),
        (0.1, 100_000),  # through str(): no binary float error
        (Decimal("0.1"), 100_000),
        (5, 5_000_000),
        ("12.345678", 12_345_678),
        ("1.005", 1_005_000),
        ("0.0000005", 1),  # half rounds up
        ("0.0000015", 2),
        ("-0.0000005", 0),  # half rounds toward +infinity, not away from zero
        ("-0.0000015", -1),
        ("-0.0000016", -2),
        ("0.00000049", 0),
        ("123456789012345.1234565", 123_456_789_012_345_123_457),  # beyond 28 digits
    ],
)
def test_usd_to_micro_examples(amount: object, micro: int) -> None:
    assert usd_to_micro(amount) == micro  # type: ignore[arg-type]


def test_micro_to_usd_is_exact_with_six_places() -> None:
    assert micro_to_usd(1_500_000) == Decimal("1.5")
    assert str(micro_to_usd(1_500_000)) == "1.500000"
    assert str(micro_to_usd(-1)) == "-0.000001"


@pytest.mark.parametrize("bad", ["abc", "", "NaN", "Infinity", float("nan"), float("inf")])
def test_not_a_finite_number_is_refused(bad: object) -> None:
    with pytest.raises(ValueError):
        usd_to_micro(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [True, None, [1], b"1"])
def test_other_types_are_refused(bad: object) -> None:
    with pytest.raises(TypeError):
        usd_to_micro(bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        micro_to_usd(bad)  # type: ignore[arg-type]


@given(decimals)
def test_usd_to_micro_rounds_like_math_round(amount: Decimal) -> None:
    expected = reference_math_round(Fraction(amount) * 1_000_000)
    assert usd_to_micro(amount) == expected
    assert usd_to_micro(str(amount)) == expected


@given(st.fractions(max_denominator=1000).map(lambda f: f / 7))
def test_js_round_matches_the_reference_on_halves_and_thirds(value: Fraction) -> None:
    as_decimal = Decimal(value.numerator) / Decimal(value.denominator)
    exact = Fraction(as_decimal)  # js_round sees the decimal, not the fraction
    assert js_round(as_decimal) == reference_math_round(exact)


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_exact_halves_round_toward_positive_infinity(n: int) -> None:
    assert js_round(Decimal(n) + Decimal("0.5")) == n + 1
    assert js_round(Decimal(n) - Decimal("0.5")) == n


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False))
def test_floats_are_read_through_their_shortest_repr(amount: float) -> None:
    assert usd_to_micro(amount) == usd_to_micro(repr(amount))


@given(micros)
def test_micro_to_usd_and_back_is_the_identity(micro: int) -> None:
    assert usd_to_micro(micro_to_usd(micro)) == micro


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=6, allow_nan=False))
def test_usd_with_six_places_survives_the_round_trip(amount: Decimal) -> None:
    assert micro_to_usd(usd_to_micro(amount)) == amount


# --- FX ------------------------------------------------------------------------------


def test_the_rate_is_usd_per_unit_of_the_account_currency() -> None:
    # EUR at 1.08: 1 EUR = 1.08 USD, so 108 USD buys 100 EUR.
    assert convert_usd_to_micro("108", "EUR", "1.08") == 100_000_000
    assert micro_to_usd_amount(100_000_000, "EUR", "1.08") == Decimal("108")
    # JPY-like currency worth less than a dollar: more units per USD.
    assert convert_usd_to_micro("1", "SEK", "0.1") == 10_000_000


def test_usd_accounts_need_no_rate() -> None:
    assert convert_usd_to_micro("12.5", "USD") == usd_to_micro("12.5")
    assert convert_usd_to_micro("12.5", "usd", 1) == 12_500_000
    assert micro_to_usd_amount(12_500_000, "USD") == Decimal("12.5")
    with pytest.raises(ValueError, match="USD to USD is 1"):
        convert_usd_to_micro("1", "USD", "1.1")


@pytest.mark.parametrize("rate", [None, 0, "-1.2", "abc"])
def test_other_currencies_need_a_positive_rate(rate: object) -> None:
    with pytest.raises(ValueError):
        convert_usd_to_micro("10", "EUR", rate)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        micro_to_usd_amount(10, "EUR", rate)  # type: ignore[arg-type]


@given(decimals, rates)
def test_fx_conversion_rounds_like_math_round(amount: Decimal, rate: Decimal) -> None:
    expected = reference_math_round(Fraction(amount) / Fraction(rate) * 1_000_000)
    assert convert_usd_to_micro(amount, "EUR", rate) == expected


@given(decimals, rates)
def test_fx_round_trip_is_within_half_a_micro_of_the_currency(
    amount: Decimal, rate: Decimal
) -> None:
    micro = convert_usd_to_micro(amount, "GBP", rate)
    back = micro_to_usd_amount(micro, "GBP", rate)
    assert abs(back - amount) <= rate / 2_000_000


@given(micros, rates)
def test_spend_back_to_usd_is_exact(micro: int, rate: Decimal) -> None:
    assert Fraction(micro_to_usd_amount(micro, "EUR", rate)) == Fraction(micro, 10**6) * Fraction(
        rate
    )
