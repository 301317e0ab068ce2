"""An experiment's results: its variants side by side, each treatment against the control.

Per variant (its ad squad's DAY rows, under the fleet's attribution settings): spend in
USD, impressions, swipes, swipe rate, view completions and their rate, conversions
(`conversion_purchases`) and cost per conversion. Each treatment's swipe rate is
compared with the control's by a two-proportion z-test (`worker.reads.significance`),
with both sample sizes. A verdict is called only when every variant has at least
`min_impressions` impressions and `min_swipes` swipes; otherwise the answer says
`insufficient_data` and names who is short, however large the difference looks.

The rows come from the stats pull: the campaign of an experiment gets its ad squad
breakdown by default (`worker.sync.stats`), so results need no extra pull.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from storage import experiments as experiment_repo
from storage import reads as read_repo
from storage import stats as stats_repo
from storage.errors import NotFound
from worker.errors import TaskFailed
from worker.reads.significance import rate, two_proportion_z
from worker.results import failed
from worker.runtime import Runtime

MICRO = Decimal(1_000_000)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Thresholds:
    min_impressions: int
    min_swipes: int
    confidence: Decimal


def results(
    runtime: Runtime,
    ad_account_id: str,
    experiment_id: str,
    *,
    thresholds: Thresholds,
    start_date: date | None = None,
    end_date: date | None = None,
) -> dict[str, Any]:
    """The task's result (see the module docstring)."""
    s = runtime.settings
    attribution = stats_repo.attribution_key(
        s.snapfleet_swipe_up_attribution_window,
        s.snapfleet_view_attribution_window,
        s.snapfleet_action_report_time,
    )
    with runtime.session() as session:
        try:
            experiment = experiment_repo.get(session, experiment_id)
        except NotFound as exc:
            raise TaskFailed(failed("not_found", str(exc))) from exc
        if experiment.ad_account_id != ad_account_id:
            raise TaskFailed(
                failed(
                    "not_found",
                    f"experiment {experiment_id} belongs to another ad account, "
                    f"not {ad_account_id}",
                )
            )
        variants = [(v.name, v.role, v.ad_squad_id, v.status) for v in experiment.variants]
        totals = read_repo.ad_squad_totals(
            session, [sq for _, _, sq, _ in variants if sq], attribution=attribution,
            since=start_date, until=end_date,
        )  # fmt: skip
        campaign_id, name, state = experiment.campaign_id, experiment.name, experiment.status
    rows = [_variant(n, role, sq, st, totals.get(sq or "")) for n, role, sq, st in variants]
    control = next((r for r in rows if r["role"] == "control"), None)
    treatments = [r for r in rows if r["role"] == "treatment"]
    comparisons = [_compare(control, t, thresholds, len(treatments)) for t in treatments]
    verdict, winner = _verdict(comparisons)
    days = [d for r in rows for d in (r.pop("_first"), r.pop("_last")) if d is not None]
    return {
        "status": "succeeded",
        "experiment_id": experiment_id,
        "name": name,
        "experiment_status": state,
        "campaign_id": campaign_id,
        "attribution": attribution,
        "first_day": min(days).isoformat() if days else None,
        "last_day": max(days).isoformat() if days else None,
        "variants": rows,
        "comparisons": comparisons,
        "verdict": verdict,
        "winner": winner,
        "thresholds": {
            "min_impressions": thresholds.min_impressions,
            "min_swipes": thresholds.min_swipes,
            "confidence": str(thresholds.confidence),
            "alpha_per_treatment": round(_alpha(thresholds, len(treatments)), 6),
        },
        "dry_run": False,
    }


def _variant(
    name: str,
    role: str,
    ad_squad_id: str | None,
    status: str,
    totals: read_repo.VariantTotals | None,
) -> dict[str, Any]:
    imps = totals.impressions if totals else 0
    swipes = totals.swipes if totals else 0
    spend = Decimal(totals.spend_usd_micro if totals else 0) / MICRO
    conversions = totals.conversion_purchases if totals else Decimal(0)
    completions = totals.view_completion if totals else 0
    return {
        "name": name,
        "role": role,
        "control": role == "control",
        "ad_squad_id": ad_squad_id,
        "status": status,
        "days": totals.days if totals else 0,
        "spend_usd": str(spend.quantize(CENT, ROUND_HALF_UP)),
        "spend_rows_without_fx_rate": totals.spend_rows_without_rate if totals else 0,
        "impressions": imps,
        "swipes": swipes,
        "swipe_rate": round(rate(swipes, imps), 6),
        "view_completions": completions,
        "view_completion_rate": round(rate(completions, imps), 6),
        "conversions": str(conversions.normalize()) if conversions else "0",
        "cost_per_conversion_usd": (
            str((spend / conversions).quantize(CENT, ROUND_HALF_UP)) if conversions else None
        ),
        "_first": totals.first_day if totals else None,
        "_last": totals.last_day if totals else None,
    }


def _alpha(thresholds: Thresholds, treatments: int) -> float:
    return float(1 - thresholds.confidence) / max(1, treatments)


def _compare(
    control: dict[str, Any] | None, treatment: dict[str, Any], th: Thresholds, treatments: int
) -> dict[str, Any]:
    base: dict[str, Any] = {"treatment": treatment["name"]}
    if control is None:
        return {**base, "enough_data": False, "short": ["no control variant"]}
    short = [
        f"{v['name']}: {v['impressions']} impressions (< {th.min_impressions})"
        for v in (control, treatment)
        if v["impressions"] < th.min_impressions
    ] + [
        f"{v['name']}: {v['swipes']} swipes (< {th.min_swipes})"
        for v in (control, treatment)
        if v["swipes"] < th.min_swipes
    ]
    test = two_proportion_z(
        control["swipes"], control["impressions"], treatment["swipes"], treatment["impressions"]
    )
    alpha = _alpha(th, treatments)
    significant = not short and test.p_value is not None and test.p_value < alpha
    outcome = "insufficient_data" if short else "no_significant_difference"
    if significant:
        better = test.treatment_rate > test.control_rate
        outcome = "treatment_better" if better else "control_better"
    return {
        **base,
        "control": control["name"],
        "test": "two-proportion z-test on swipe rate (pooled variance, two-sided)",
        "n_control": control["impressions"],
        "n_treatment": treatment["impressions"],
        "swipes_control": control["swipes"],
        "swipes_treatment": treatment["swipes"],
        **test.to_dict(),
        "alpha": round(alpha, 6),
        "enough_data": not short,
        "short": short,
        "significant": significant,
        "outcome": outcome,
    }


def _verdict(comparisons: list[dict[str, Any]]) -> tuple[str, str | None]:
    """One word for the runner; a winner only when every comparison had enough data."""
    if not comparisons or any(not c["enough_data"] for c in comparisons):
        return "insufficient_data", None
    better = [c for c in comparisons if c["outcome"] == "treatment_better"]
    if better:
        best = max(better, key=lambda c: c["treatment_swipe_rate"])
        return "treatment_wins", str(best["treatment"])
    if all(c["outcome"] == "control_better" for c in comparisons):
        return "control_wins", str(comparisons[0]["control"])
    return "no_significant_difference", None
