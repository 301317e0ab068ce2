"""USD amounts <-> Snap micro-currency, exactly.

Snap writes every amount in micro-currency of the ad account's own currency: 1 unit =
1,000,000 micro (seed 004 "Currency specific bids"; Snap facts 10). Seed 000 gives
the conversion as ``Math.round(amount_usd * 1_000_000)``; it holds for USD accounts. An
account in another currency gets its amount converted with an FX rate first
(docs/architecture.md, Sources).

Everything here is Decimal arithmetic on the decimal string, so 0.1 USD is 100,000 micro
exactly (a binary float would carry 0.1000000000000000055...). Rounding follows
JavaScript's ``Math.round``: to the nearest integer, halves toward +infinity, so 2.5 -> 3
but -2.5 -> -2 and -0.5 -> 0. Python's ``round`` (half to even) and Decimal's
ROUND_HALF_UP (half away from zero) both differ from it.

FX rates are quoted as **USD per 1 unit of the account currency** (``rate_usd_per_unit``):
EUR at 1.08 means 1 EUR = 1.08 USD. So ``amount_in_currency = amount_usd / rate`` and
``amount_usd = amount_in_currency * rate``. USD itself has rate 1.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal, InvalidOperation, localcontext

MICRO_PER_UNIT = 1_000_000
USD = "USD"

# Wide enough that no amount the dashboard can produce is rounded before the one
# documented rounding step (Decimal's default is 28 significant digits).
_PRECISION = 60
_HALF = Decimal("0.5")
_MICRO_QUANTUM = Decimal("0.000001")

Amount = str | Decimal | int | float


def to_decimal(amount: Amount, name: str = "amount") -> Decimal:
    """A finite Decimal from a str, Decimal, int or float (a float goes through str(),
    so 0.1 becomes Decimal("0.1"), not the binary expansion). Bools are refused."""
    if isinstance(amount, bool) or not isinstance(amount, str | Decimal | int | float):
        raise TypeError(f"{name} must be a decimal string, Decimal, int or float")
    try:
        value = Decimal(str(amount)) if isinstance(amount, float) else Decimal(amount)
    except InvalidOperation:
        raise ValueError(f"{name} is not a number: {amount!r}") from None
    if not value.is_finite():
        raise ValueError(f"{name} must be finite, not {amount!r}")
    return value


def js_round(value: Decimal) -> int:
    """JavaScript ``Math.round`` on an exact Decimal: floor(value + 0.5)."""
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        return int((value + _HALF).to_integral_value(rounding=ROUND_FLOOR))


def usd_to_micro(amount: Amount) -> int:
    """``Math.round(amount * 1_000_000)`` (seed 000), computed exactly."""
    return units_to_micro(to_decimal(amount))


def units_to_micro(amount: Decimal) -> int:
    """Whole currency units (any currency) to micro, with ``Math.round``."""
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        return js_round(amount * MICRO_PER_UNIT)


def micro_to_usd(micro: int) -> Decimal:
    """Micro to whole units, exact, with six decimal places (1_500_000 -> 1.500000)."""
    return micro_to_units(micro)


def micro_to_units(micro: int) -> Decimal:
    if isinstance(micro, bool) or not isinstance(micro, int):
        raise TypeError("micro must be an int")
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        return (Decimal(micro) / MICRO_PER_UNIT).quantize(_MICRO_QUANTUM)


def _rate(currency: str, rate_usd_per_unit: Amount | None) -> Decimal:
    """The USD-per-unit rate to use; USD is always 1, others must name a positive rate."""
    if currency.upper() == USD:
        if rate_usd_per_unit is not None and to_decimal(rate_usd_per_unit, "rate") != 1:
            raise ValueError("the rate of USD to USD is 1")
        return Decimal(1)
    if rate_usd_per_unit is None:
        raise ValueError(f"an FX rate (USD per 1 {currency}) is needed for a {currency} account")
    rate = to_decimal(rate_usd_per_unit, "rate")
    if rate <= 0:
        raise ValueError(f"rate must be positive, not {rate_usd_per_unit!r}")
    return rate


def convert_usd_to_micro(
    amount_usd: Amount, currency: str, rate_usd_per_unit: Amount | None = None
) -> int:
    """A USD amount as micro of the account's `currency`: Math.round(usd / rate * 1e6).

    `rate_usd_per_unit` is how many USD one unit of `currency` is worth (EUR at 1.08:
    1 EUR = 1.08 USD, so 108 USD -> 100 EUR -> 100_000_000 micro). None for USD.
    """
    usd = to_decimal(amount_usd, "amount_usd")
    rate = _rate(currency, rate_usd_per_unit)
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        return units_to_micro(usd / rate)


def micro_to_usd_amount(
    micro: int, currency: str, rate_usd_per_unit: Amount | None = None
) -> Decimal:
    """Micro of the account's `currency` (e.g. stats `spend`) as USD: micro / 1e6 * rate.

    Exact (a product of two finite decimals); storage decides its own scale.
    """
    rate = _rate(currency, rate_usd_per_unit)
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        return micro_to_units(micro) * rate
