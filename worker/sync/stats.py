"""The stats pull of one ad account: which requests to send, and what to store from them.

Cheap in calls, complete, and idempotent (docs/architecture.md, The stats pull; Snap facts 7-9):

- **One call per window for the whole account.** `/adaccounts/{id}/stats?breakdown=campaign`
  answers every campaign's rows (and the account's own) at once, paged by `limit=1000`.
  Ad squad and ad rows, where configured, come from `/campaigns/{id}/stats` with
  `breakdown=adsquad|ad`: one call per campaign and level, never one per ad.
- **Fallback remembered per account.** If the account level refuses a breakdown (400),
  the account's `stats_mode` becomes `campaign_breakdown`: one full campaign listing, one
  spend-only account call and one call per campaign (with the deeper breakdown if any).
  The listing is complete (no `updated_at` filter), so a campaign untouched for months
  still gets its stats: the bug of a peer connector that listed only recently edited ones.
- **Only what can still change.** The windows start at the first local day that was not
  final in the last answer (`finalized_data_end_time`, `conversion_data_processed_end_time`),
  never before the configured lookback (the attribution window), instead of a blind
  fixed window (`snap.stats.repull_start_day`).
- **Upserts.** Every row is keyed by (entity, day or hour, attribution); re-pulling a day
  overwrites it. Rows are gathered from every call first and written in one transaction
  with the account's finality marks, so a pull that fails half way stores nothing and
  the retry starts from the same marks.
- **Money.** Spend stays in micro of the account currency, next to the FX rate of the day
  and the USD amount. An unknown rate is never 1.0: the row is flagged and completed by
  `fill_waiting_usd` when the rate arrives.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from snap import stats as snapstats
from snap.client import SnapClient
from snap.errors import BadRequest, ValidationError
from storage import accounts as account_repo
from storage import experiments as experiment_repo
from storage import fx as fx_repo
from storage import stats as stats_repo
from storage.models.accounts import StatsMode
from worker import metrics
from worker.fx import FxUnavailable
from worker.runtime import AccountContext, Runtime
from worker.settings import Settings
from worker.sync.fanout import require_active_connection

logger = logging.getLogger("snapfleet.stats")

BREAKDOWN_PAGE_LIMIT = 1000  # the list maximum: fewest pages per breakdown
DEEPER_LEVELS = ("adsquad", "ad")


# --- The plan --------------------------------------------------------------------------


@dataclass(frozen=True)
class PullPlan:
    """What one pull asks for: windows, fields, levels and attribution settings."""

    granularity: str
    windows: list[snapstats.StatsWindow]
    fields: list[str]
    levels: list[str]
    swipe_up_attribution_window: str
    view_attribution_window: str
    action_report_time: str
    # Campaigns holding an experiment: their ad squads' rows are read even when `adsquad`
    # is not a configured level, since an experiment's variants are its ad squads.
    experiment_campaign_ids: tuple[str, ...] = ()

    @property
    def attribution(self) -> str:
        return snapstats.attribution_key(
            self.swipe_up_attribution_window,
            self.view_attribution_window,
            self.action_report_time,
        )

    @property
    def deeper_levels(self) -> list[str]:
        return [level for level in DEEPER_LEVELS if level in self.levels]

    def attribution_params(self) -> dict[str, str]:
        return {
            "swipe_up_attribution_window": self.swipe_up_attribution_window,
            "view_attribution_window": self.view_attribution_window,
            "action_report_time": self.action_report_time,
        }


def plan_pull(
    settings: Settings,
    *,
    time_zone: str,
    now: datetime,
    finalized_data_end_time: datetime | None,
    conversion_data_processed_end_time: datetime | None,
    granularity: str | None = None,
    start_date: date | None = None,
    end_date: date | None = None,
) -> PullPlan:
    """The windows and fields of one pull: the re-pull rule unless dates are given."""
    granularity = (granularity or settings.snapfleet_stats_granularity).upper()
    if granularity not in ("DAY", "HOUR"):
        raise ValidationError(
            f"a stats pull stores DAY or HOUR rows, not {granularity}", field="granularity"
        )
    if start_date is None:
        start_date = snapstats.repull_start_day(
            time_zone=time_zone,
            now=now,
            lookback_days=settings.snapfleet_stats_lookback_days,
            finalized_data_end_time=finalized_data_end_time,
            conversion_data_processed_end_time=conversion_data_processed_end_time,
        )
    start = snapstats.local_midnight(start_date, time_zone)
    end = now if end_date is None else snapstats.local_midnight(end_date + timedelta(1), time_zone)
    return PullPlan(
        granularity=granularity,
        windows=snapstats.plan_windows(granularity, time_zone, start, max(start, end)),
        fields=settings.stats_fields,
        levels=settings.stats_breakdown_levels,
        swipe_up_attribution_window=settings.snapfleet_swipe_up_attribution_window,
        view_attribution_window=settings.snapfleet_view_attribution_window,
        action_report_time=settings.snapfleet_action_report_time,
    )


# --- Execution ---------------------------------------------------------------------------


@dataclass
class PullOutcome:
    """What a pull read: flat rows, finality marks, calls spent, the mode used."""

    rows: list[snapstats.StatsRow] = field(default_factory=list)
    stat_objects: list[Any] = field(default_factory=list)
    api_calls: int = 0
    stats_mode: str | None = None
    campaign_ids: set[str] = field(default_factory=set)

    @property
    def end_times(self) -> snapstats.StatsEndTimes:
        return snapstats.stats_end_times(self.stat_objects)


class StatsReader:
    """Sends the stats requests of one plan for one ad account (inside its gate scope)."""

    def __init__(self, client: SnapClient, account: AccountContext, plan: PullPlan) -> None:
        self.client, self.account, self.plan = client, account, plan
        self.outcome = PullOutcome()

    def query(self, level: str, entity_id: str, window: Any, breakdown: str | None) -> None:
        """One stats request (its breakdown pages merged) and its rows."""
        plan = self.plan
        extra: dict[str, Any] = plan.attribution_params()
        if breakdown is not None:
            extra["limit"] = BREAKDOWN_PAGE_LIMIT
        objects = self.client.stats(
            level,
            entity_id,
            granularity=plan.granularity,
            fields=snapstats.fields_for(level, plan.granularity, breakdown, plan.fields),
            start_time=window.start,
            end_time=window.end,
            breakdown=breakdown,
            **extra,
        )
        self.outcome.api_calls += 1
        self.outcome.stat_objects.extend(objects)
        self.outcome.rows.extend(snapstats.flatten_stats(objects, **plan.attribution_params()))

    def campaign(self, campaign_id: str, window: Any) -> None:
        """A campaign's rows, with one call per deeper level configured (or one plain call).

        An experiment's campaign asks for `breakdown=adsquad` in place of its plain call:
        the same one request, with the variants' rows in it.
        """
        breakdowns: list[str | None] = [*self.plan.deeper_levels] or [None]
        if campaign_id in self.plan.experiment_campaign_ids and "adsquad" not in breakdowns:
            breakdowns = [b if b is not None else "adsquad" for b in breakdowns]
            if "adsquad" not in breakdowns:
                breakdowns.append("adsquad")
        for breakdown in breakdowns:
            self.query("campaign", campaign_id, window, breakdown)

    def experiment_ad_squads(self, window: Any) -> None:
        """The experiments' ad squad rows when `adsquad` is not a configured level: one
        account-level call with `breakdown=adsquad` carries every campaign's; where the
        account refuses it, one call per experiment campaign."""
        if not self.plan.experiment_campaign_ids or "adsquad" in self.plan.deeper_levels:
            return
        try:
            self.query("adaccount", self.account.ad_account_id, window, "adsquad")
            return
        except BadRequest as exc:
            if isinstance(exc, ValidationError) and exc.http_status is None:
                raise
            logger.info(
                "stats: ad account %s refuses breakdown=adsquad (%s): one call per experiment",
                self.account.ad_account_id,
                exc.message,
            )
        for campaign_id in self.plan.experiment_campaign_ids:
            self.query("campaign", campaign_id, window, "adsquad")

    def account_breakdown(self, window: Any) -> bool:
        """The account level with `breakdown=campaign`; False when Snap refuses it."""
        before = len(self.outcome.rows)
        try:
            self.query("adaccount", self.account.ad_account_id, window, "campaign")
        except BadRequest as exc:
            if isinstance(exc, ValidationError) and exc.http_status is None:
                raise  # refused by our own client before sending: a bug, not Snap's answer
            logger.info(
                "stats: ad account %s refuses breakdown=campaign (%s): one call per campaign",
                self.account.ad_account_id,
                exc.message,
            )
            return False
        fresh = self.outcome.rows[before:]
        self.outcome.campaign_ids.update(r.entity_id for r in fresh if r.entity_type == "campaign")
        return True

    def per_campaign(self, window: Any, campaign_ids: Sequence[str]) -> None:
        """The fallback: the account's spend, then each campaign with its breakdown."""
        self.query("adaccount", self.account.ad_account_id, window, None)
        for campaign_id in campaign_ids:
            self.campaign(campaign_id, window)


def read_account(
    client: SnapClient, account: AccountContext, plan: PullPlan, stats_mode: str | None
) -> PullOutcome:
    """Every row of the plan for a whole ad account, in as few calls as Snap allows."""
    reader = StatsReader(client, account, plan)
    mode = stats_mode
    campaign_ids: list[str] | None = None
    for window in plan.windows:
        if mode != StatsMode.CAMPAIGN_BREAKDOWN.value:
            if reader.account_breakdown(window):
                mode = StatsMode.ACCOUNT_BREAKDOWN.value
                for campaign_id in sorted(reader.outcome.campaign_ids):
                    for breakdown in plan.deeper_levels:
                        reader.query("campaign", campaign_id, window, breakdown)
                reader.outcome.campaign_ids.clear()
                reader.experiment_ad_squads(window)
                continue
            mode = StatsMode.CAMPAIGN_BREAKDOWN.value
        if campaign_ids is None:
            campaign_ids = list_campaign_ids(client, account.ad_account_id)
            reader.outcome.api_calls += 1
        reader.per_campaign(window, campaign_ids)
    reader.outcome.stats_mode = mode
    return reader.outcome


def read_campaign(
    client: SnapClient, account: AccountContext, plan: PullPlan, campaign_id: str
) -> PullOutcome:
    """One campaign's rows on demand (`/campaigns/{id}/stats`)."""
    reader = StatsReader(client, account, plan)
    for window in plan.windows:
        reader.campaign(campaign_id, window)
    return reader.outcome


def require_campaign_of(client: SnapClient, ad_account_id: str, campaign_id: str) -> None:
    """Refuse a campaign of another ad account: its rows would be stored under this
    account, in this account's currency and days (one GET, on-demand pulls only)."""
    owner = getattr(client.get_campaign(campaign_id), "ad_account_id", None)
    if owner is not None and str(owner) != ad_account_id:
        raise ValidationError(
            f"campaign_id {campaign_id} belongs to ad account {owner}, not {ad_account_id}",
            field="campaign_id",
        )


def list_campaign_ids(client: SnapClient, ad_account_id: str) -> list[str]:
    """Every live campaign of the account, however long ago it was edited (one full list)."""
    return [str(c.id) for c in client.list_campaigns(ad_account_id)]


# --- Storing ------------------------------------------------------------------------------


def store_rows(
    runtime: Runtime,
    session: Session,
    account: AccountContext,
    plan: PullPlan,
    rows: Iterable[snapstats.StatsRow],
    *,
    settled_before: date | None = None,
) -> int:
    """Upsert the rows (deduplicated by key, last answer wins) with their FX rate and USD."""
    rates: dict[date, Decimal | None] = {}
    keyed: dict[tuple[str, str, Any], stats_repo.StatRow] = {}
    for row in rows:
        if row.day is None:
            continue
        if row.day not in rates:
            rates[row.day] = usd_rate(
                runtime, session, account.currency, row.day, settled_before=settled_before
            )
        stat = stats_repo.StatRow.of(
            row.as_dict(),
            ad_account_id=account.ad_account_id,
            currency=account.currency,
            fx_rate=rates[row.day],
        )
        period = row.start_time if plan.granularity == "HOUR" else row.day
        keyed[(stat.entity_type, stat.entity_id, period)] = stat
    upsert = stats_repo.upsert_hourly if plan.granularity == "HOUR" else stats_repo.upsert_daily
    if keyed:
        upsert(session, list(keyed.values()), attribution=plan.attribution)
        metrics.record_rows_upserted(len(keyed))
    return len(keyed)


def usd_rate(
    runtime: Runtime,
    session: Session,
    currency: str,
    day: date,
    *,
    settled_before: date | None = None,
) -> Decimal | None:
    """USD per unit on `day`: stored, else from the providers; None when nobody knows it.
    Never 1.0 for a non-USD currency.

    A provider's rate is stored only for a day before `settled_before` (today, UTC): for
    a day not over yet the reference feed answers the last published day's rate, which
    must not become that day's rate for good (the day's rows are re-pulled, and converted
    again, until they are final)."""
    if currency.upper() == fx_repo.USD:
        return Decimal(1)
    stored = fx_repo.rate_for(session, currency, day)
    if stored is not None:
        return stored
    try:
        found = runtime.rates.rate(currency, day)
    except FxUnavailable as exc:
        logger.warning("stats: no FX rate for %s on %s yet: %s", currency, day, exc)
        return None
    if found is not None and (settled_before is None or day < settled_before):
        fx_repo.record_rate(session, currency, day, found, source="provider")
    return found


def record_rate(
    session: Session, currency: str, day: date, rate_to_usd: Decimal, *, source: str
) -> int:
    """Store a rate and complete the stats rows of that currency and day that waited for it."""
    fx_repo.record_rate(session, currency, day, rate_to_usd, source=source)
    filled = stats_repo.fill_usd(session, currency, day, Decimal(str(rate_to_usd)))
    if filled:
        logger.info("stats: %d row(s) of %s on %s got their USD amount", filled, currency, day)
    return filled


def fill_waiting_usd(
    runtime: Runtime, session: Session, *, settled_before: date | None = None
) -> int:
    """Give every flagged row whose rate is now known (stored or provided) its USD amount."""
    filled = 0
    for currency, day in stats_repo.waiting_for_rates(session):
        rate = usd_rate(runtime, session, currency, day, settled_before=settled_before)
        if rate is not None:
            filled += stats_repo.fill_usd(session, currency, day, rate)
    return filled


# --- One pull, end to end ------------------------------------------------------------------


def pull(
    runtime: Runtime,
    ad_account_id: str,
    *,
    now: datetime,
    campaign_id: str | None = None,
    granularity: str | None = None,
    start_date: date | None = None,
    end_date: date | None = None,
) -> dict[str, Any]:
    """Pull an ad account's stats (or one campaign's) and store them; the task's result.

    Only a whole-account pull over the planned re-pull window, at the configured
    granularity, moves the account's finality marks (those of the attribution setting it
    pulled with, kept per setting) and last sync time: a one-campaign or
    custom-range pull says nothing about the rest of the account, and an on-demand pull
    at the other granularity did not refresh the rows the marks stand for.
    """
    account = runtime.account(ad_account_id)
    require_active_connection(runtime, account)
    attribution = configured_attribution(runtime.settings)
    with runtime.session() as session:
        row = account_repo.get(session, ad_account_id)
        # The marks of the setting this pull uses: another setting's say nothing of it.
        marks = stats_repo.finality(session, ad_account_id, attribution)
        stats_mode = probe_again(row.stats_mode, row.last_synced_at, now, account.timezone)
        experiments = tuple(experiment_repo.campaign_ids_for_account(session, ad_account_id))
    plan = plan_pull(
        runtime.settings, time_zone=account.timezone, now=now,
        finalized_data_end_time=marks[0], conversion_data_processed_end_time=marks[1],
        granularity=granularity, start_date=start_date, end_date=end_date,
    )  # fmt: skip
    plan = replace(plan, experiment_campaign_ids=experiments)
    client = runtime.client(account.connection_id)
    with runtime.account_gate_scope(account, lane="sync"):
        if campaign_id is not None:
            require_campaign_of(client, ad_account_id, campaign_id)
            outcome = read_campaign(client, account, plan, campaign_id)
        else:
            outcome = read_account(client, account, plan, stats_mode)
    configured = plan.granularity == runtime.settings.snapfleet_stats_granularity.upper()
    whole = campaign_id is None and start_date is None and end_date is None and configured
    with runtime.session() as session:
        today = now.astimezone(UTC).date()
        stored = store_rows(runtime, session, account, plan, outcome.rows, settled_before=today)
        if campaign_id is None and outcome.stats_mode and outcome.stats_mode != stats_mode:
            account_repo.set_stats_mode(session, ad_account_id, outcome.stats_mode)
        if whole:
            _record_sync(session, ad_account_id, now, outcome, plan.attribution)
        filled = fill_waiting_usd(runtime, session, settled_before=today)
    return _result(ad_account_id, campaign_id, plan, outcome, stored, filled)


def probe_again(
    stats_mode: str | None, last_synced_at: datetime | None, now: datetime, time_zone: str
) -> str | None:
    """The mode to pull with: a remembered fallback is tried at the account level again on
    the first pull of each account-local day (one call; Snap may lift the restriction)."""
    if stats_mode != StatsMode.CAMPAIGN_BREAKDOWN.value or last_synced_at is None:
        return stats_mode
    zone = snapstats.account_zone(time_zone)
    if last_synced_at.astimezone(zone).date() < now.astimezone(zone).date():
        return None
    return stats_mode


def configured_attribution(settings: Settings) -> str:
    """The attribution key of the settings' stats pulls (the rows' `attribution`)."""
    return snapstats.attribution_key(
        settings.snapfleet_swipe_up_attribution_window,
        settings.snapfleet_view_attribution_window,
        settings.snapfleet_action_report_time,
    )


def _record_sync(
    session: Session, ad_account_id: str, now: datetime, outcome: PullOutcome, attribution: str
) -> None:
    marks = outcome.end_times
    stats_repo.record_finality(
        session,
        ad_account_id,
        attribution,
        finalized_data_end_time=marks.finalized_data_end_time,
        conversion_data_processed_end_time=marks.conversion_data_processed_end_time,
    )
    account_repo.record_sync(
        session,
        ad_account_id,
        synced_at=now,
        finalized_data_end_time=marks.finalized_data_end_time,
        conversion_data_processed_end_time=marks.conversion_data_processed_end_time,
    )


def _result(
    ad_account_id: str,
    campaign_id: str | None,
    plan: PullPlan,
    outcome: PullOutcome,
    stored: int,
    filled: int,
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "status": "succeeded",
        "ad_account_id": ad_account_id,
        "granularity": plan.granularity,
        "rows_upserted": stored,
        "api_calls": outcome.api_calls,
        "stats_mode": outcome.stats_mode,
        "windows": [[w.start_time, w.end_time] for w in plan.windows],
        "usd_filled": filled,
    }
    if campaign_id is not None:
        result["campaign_id"] = campaign_id
    return result
