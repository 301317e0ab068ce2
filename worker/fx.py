"""FX rates for stats ingestion: how many USD one unit of a currency was worth on a day.

Snap reports spend in micro-currency of the ad account's currency; the fleet stores it with
the rate used and the USD amount (docs/architecture.md). A rate here is **USD per 1 unit**
(EUR 1.08 means 1 EUR = 1.08 USD), the quote `snap.money` converts with. USD is 1 exactly.
A rate nobody knows is `None`, never 1: a EUR amount stored as if it were USD would be a
silent 8 % error, while a missing rate is visible (`fx_missing`) and filled in later.

    RateProvider            the Protocol: rate(currency, day) -> Decimal | None
    ├── StaticRates         SNAPFLEET_FX_RATES: {"EUR": 1.08} or {"EUR": {"2026-11-01": 1.08}}
    ├── ReferenceRateProvider   a daily reference-rate feed over HTTP (SNAPFLEET_FX_URL), in
    │                       the ECB euro foreign exchange reference rates XML format
    ├── ChainedRates        the first provider that knows wins
    └── CachedRates         remembers known rates (never unknown ones: they may appear later)

`rate_provider_from_settings(settings)` builds the chain the sync uses: the static table
first (an operator's override), then the feed. A database-backed provider (the stored
`fx_rates` table) fits the same Protocol and slots into the chain.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

import httpx
from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from worker.settings import Settings

__all__ = [
    "ECB_DAILY_URL",
    "ECB_HIST_90D_URL",
    "MAX_FALLBACK_DAYS",
    "CachedRates",
    "ChainedRates",
    "FxUnavailable",
    "RateProvider",
    "ReferenceRateProvider",
    "StaticRates",
    "UsdOnly",
    "normalize_currency",
    "parse_ecb_xml",
    "rate_provider_from_settings",
]

log = logging.getLogger("snapfleet.fx")

USD = "USD"
ONE = Decimal(1)
ECB_DAILY_URL = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml"
ECB_HIST_90D_URL = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist-90d.xml"
# A day without a published rate (weekend, TARGET holiday, today before ~16:00 CET) takes
# the latest earlier published day, at most this many days back: Easter Monday reaches back
# to Maundy Thursday (4 days), Boxing Day on a Tuesday to the Friday before (4 days).
MAX_FALLBACK_DAYS = 4
_ECB_NS = "{http://www.ecb.int/vocabulary/2002-08-01/eurofxref}"


class RateProvider(Protocol):
    """Anything that can say how many USD one unit of `currency` was worth on `day`."""

    def rate(self, currency: str, day: date) -> Decimal | None:
        """USD per 1 unit; `Decimal(1)` for USD; None when unknown (never a guess)."""
        ...


class FxUnavailable(RuntimeError):
    """The rate source could not be read (network, HTTP status, malformed feed): retry later.

    Not the same as an unknown rate: the feed answered and has none (that is None).
    """


def normalize_currency(currency: str) -> str:
    """An ISO 4217 code in upper case, or a ValueError naming the bad value."""
    code = str(currency).strip().upper()
    if len(code) != 3 or not code.isascii() or not code.isalpha():
        raise ValueError(f"currency must be a 3-letter ISO 4217 code, got {currency!r}")
    return code


def _positive_rate(value: Any, where: str) -> Decimal:
    try:
        if isinstance(value, bool):
            raise TypeError
        rate = Decimal(str(value))
    except (TypeError, ValueError, InvalidOperation):
        raise ValueError(f"{where}: rate must be a number, got {value!r}") from None
    if not rate.is_finite() or rate <= 0:
        raise ValueError(f"{where}: rate must be a positive number, got {value!r}")
    return rate


# Static table.


class StaticRates:
    """Rates an operator fixed: one per currency for every day, or per exact day.

    A per-day table answers only the days it lists (no fallback to a nearby day: a table
    with gaps is the operator's statement that those days are unknown).
    """

    def __init__(self, table: Mapping[str, Decimal | Mapping[date, Decimal]]) -> None:
        self._every_day: dict[str, Decimal] = {}
        self._per_day: dict[str, dict[date, Decimal]] = {}
        for currency, entry in table.items():
            code = normalize_currency(currency)
            if isinstance(entry, Mapping):
                self._per_day[code] = dict(entry)
            else:
                self._every_day[code] = entry

    @classmethod
    def from_json(cls, text: str | None) -> StaticRates:
        """From `SNAPFLEET_FX_RATES`; numbers are read as exact decimals, not floats."""
        if not text:
            return cls({})
        raw = json.loads(text, parse_float=Decimal, parse_int=Decimal)
        if not isinstance(raw, dict):
            raise ValueError("SNAPFLEET_FX_RATES must be a JSON object keyed by currency")
        return cls({currency: _static_entry(currency, entry) for currency, entry in raw.items()})

    def rate(self, currency: str, day: date) -> Decimal | None:
        code = normalize_currency(currency)
        if code == USD:
            return ONE
        if code in self._every_day:
            return self._every_day[code]
        return self._per_day.get(code, {}).get(day)


def _static_entry(currency: str, entry: Any) -> Decimal | dict[date, Decimal]:
    where = f"SNAPFLEET_FX_RATES[{currency!r}]"
    is_usd = normalize_currency(currency) == USD
    if isinstance(entry, dict):
        return {
            _iso_day(key, where): _static_rate(value, f"{where}[{key!r}]", is_usd=is_usd)
            for key, value in entry.items()
        }
    return _static_rate(entry, where, is_usd=is_usd)


def _static_rate(value: Any, where: str, *, is_usd: bool) -> Decimal:
    rate = _positive_rate(value, where)
    if is_usd and rate != ONE:
        raise ValueError(f"{where}: the rate of USD is 1, got {value}")
    return rate


def _iso_day(text: str, where: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{where}: {text!r} is not a YYYY-MM-DD day") from None


# The ECB reference-rate feed.


def parse_ecb_xml(content: bytes | str) -> dict[date, dict[str, Decimal]]:
    """Day -> {currency: units per 1 EUR} from an ECB `eurofxref` XML document.

    The document is `<Cube><Cube time="YYYY-MM-DD"><Cube currency="USD" rate="1.0866"/>...`
    in the eurofxref namespace; the daily file has one day, the 90-day file up to ~64.
    Parsed with defusedxml (no entities, no DTDs): the URL is configuration, not trusted code.
    """
    try:
        root = ElementTree.fromstring(content)
    except (ElementTree.ParseError, DefusedXmlException) as exc:
        raise FxUnavailable(f"FX feed is not valid XML: {exc}") from exc
    try:
        table = {
            _iso_day(cube.attrib["time"], "FX feed"): _day_quotes(cube)
            for cube in root.iter(f"{_ECB_NS}Cube")
            if "time" in cube.attrib
        }
    except ValueError as exc:
        raise FxUnavailable(f"FX feed is malformed: {exc}") from exc
    if not table:
        raise FxUnavailable("FX feed has no <Cube time=...> day in the eurofxref namespace")
    return table


def _day_quotes(day_cube: Any) -> dict[str, Decimal]:
    quotes = {}
    for quote in day_cube:
        code, rate = quote.attrib.get("currency"), quote.attrib.get("rate")
        if code is not None and rate is not None:
            quotes[normalize_currency(code)] = _positive_rate(rate, f"FX feed {code}")
    return quotes


def _usd_per_unit(currency: str, eur_quotes: Mapping[str, Decimal]) -> Decimal | None:
    """Cross rate from quotes of 1 EUR = x CUR: USD per CUR = USD_rate / CUR_rate."""
    usd_per_eur = eur_quotes.get(USD)
    if usd_per_eur is None:
        return None
    if currency == "EUR":
        return usd_per_eur
    per_eur = eur_quotes.get(currency)
    return None if per_eur is None else usd_per_eur / per_eur


class ReferenceRateProvider:
    """Daily reference rates read over HTTP from an ECB-format feed (`SNAPFLEET_FX_URL`).

    The feed is fetched on first use and again when a day after its latest published day
    is asked for and the last fetch is older than `refresh_after_s` (so a rate published
    later today is picked up, but a weekend does not fetch on every call). Days already
    read are kept, so the daily file builds up a history over a long-running process.

    A day without a rate takes the latest earlier published day at most
    `max_fallback_days` back (weekends, holidays), never further and never a later day.
    A currency the feed does not quote is None. A feed that cannot be read raises
    `FxUnavailable` (the calling task owns retries), except on a refresh: then the days
    already read still answer and the failure is logged. After a failed read the feed is
    not asked again for `failure_backoff_s`: meanwhile `FxUnavailable` is raised at once,
    so a feed that is down costs one timeout, not one per row of a pull.

    Its answers for a day not yet published are provisional (today before the fixing takes
    yesterday's rate), so do not wrap it in `CachedRates`; it keeps its own table.
    """

    def __init__(
        self,
        url: str,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout_s: float = 30.0,
        max_fallback_days: int = MAX_FALLBACK_DAYS,
        refresh_after_s: float = 3600.0,
        failure_backoff_s: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url
        self._transport = transport
        self._timeout_s = timeout_s
        self._max_fallback_days = max_fallback_days
        self._refresh_after_s = refresh_after_s
        self._failure_backoff_s = failure_backoff_s
        self._failed_at: float | None = None
        self._clock = clock
        self._days: dict[date, dict[str, Decimal]] = {}
        self._fetched_at: float | None = None
        self._lock = threading.Lock()

    def rate(self, currency: str, day: date) -> Decimal | None:
        code = normalize_currency(currency)
        if code == USD:
            return ONE
        quotes = self._published_on_or_before(day)
        return None if quotes is None else _usd_per_unit(code, quotes)

    def _published_on_or_before(self, day: date) -> Mapping[str, Decimal] | None:
        with self._lock:
            if self._needs_fetch(day):
                self._refresh()
            for back in range(self._max_fallback_days + 1):
                quotes = self._days.get(day - timedelta(days=back))
                if quotes is not None:
                    return quotes
        return None

    def _needs_fetch(self, day: date) -> bool:
        if self._fetched_at is None:
            return True
        stale = self._clock() - self._fetched_at >= self._refresh_after_s
        return stale and day > max(self._days)

    def _refresh(self) -> None:
        if self._failed_at is not None and (
            self._clock() - self._failed_at < self._failure_backoff_s
        ):
            if not self._days:
                raise FxUnavailable(f"FX feed {self.url} failed recently; not asked again yet")
            return
        try:
            self._days.update(self._fetch())
            self._failed_at = None
        except FxUnavailable as exc:
            self._failed_at = self._clock()
            if not self._days:
                raise
            log.warning("fx: refresh failed, answering from %d day(s) read before: %s",
                        len(self._days), exc)  # fmt: skip
        self._fetched_at = self._clock()

    def _fetch(self) -> dict[date, dict[str, Decimal]]:
        try:
            with httpx.Client(transport=self._transport, timeout=self._timeout_s) as client:
                response = client.get(self.url)
                response.raise_for_status()
        except httpx.HTTPError as exc:
            raise FxUnavailable(f"FX feed {self.url} could not be read: {exc}") from exc
        table = parse_ecb_xml(response.content)
        log.info("fx: read %d day(s) from %s, latest %s", len(table), self.url, max(table))
        return table


# Composition.


class UsdOnly:
    """Knows USD (1) and nothing else: what the fleet has with no FX source configured."""

    def rate(self, currency: str, day: date) -> Decimal | None:
        return ONE if normalize_currency(currency) == USD else None


class ChainedRates:
    """Asks each provider in turn; the first that knows the rate wins."""

    def __init__(self, *providers: RateProvider) -> None:
        self.providers = providers

    def rate(self, currency: str, day: date) -> Decimal | None:
        for provider in self.providers:
            found = provider.rate(currency, day)
            if found is not None:
                return found
        return None


class CachedRates:
    """Remembers the rates a provider knew, for providers whose known answers do not
    change (a database of stored rates). Unknown answers are not cached: a rate stored
    later must still be found."""

    def __init__(self, provider: RateProvider) -> None:
        self.provider = provider
        self._known: dict[tuple[str, date], Decimal] = {}
        self._lock = threading.Lock()

    def rate(self, currency: str, day: date) -> Decimal | None:
        key = (normalize_currency(currency), day)
        with self._lock:
            if key in self._known:
                return self._known[key]
        found = self.provider.rate(key[0], day)
        if found is not None:
            with self._lock:
                self._known[key] = found
        return found


def rate_provider_from_settings(
    settings: Settings, *, transport: httpx.BaseTransport | None = None
) -> RateProvider:
    """The sync's chain: `SNAPFLEET_FX_RATES` first, then the `SNAPFLEET_FX_URL` feed."""
    providers: list[RateProvider] = []
    if settings.snapfleet_fx_rates:
        providers.append(StaticRates.from_json(settings.snapfleet_fx_rates))
    if settings.snapfleet_fx_url:
        feed = ReferenceRateProvider(
            settings.snapfleet_fx_url,
            transport=transport,
            timeout_s=settings.snapfleet_http_timeout_s,
        )
        providers.append(feed)
    return ChainedRates(*providers) if providers else UsdOnly()
