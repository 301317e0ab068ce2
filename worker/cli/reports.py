"""What `snapfleet experiment show` and `snapfleet sync backfill` draw: an experiment's
variants side by side, and a backfill's progress bar. The numbers come from the same code
the tasks run (`worker.reads.experiments`, `worker.sync.backfill`)."""

from __future__ import annotations

from typing import Any

from storage import experiments as experiment_repo
from storage.errors import NotFound
from worker.runtime import Runtime

VARIANT_COLUMNS = (
    ("variant", "name"),
    ("role", "role"),
    ("spend USD", "spend_usd"),
    ("impressions", "impressions"),
    ("swipes", "swipes"),
    ("swipe rate", "swipe_rate"),
    ("view compl.", "view_completion_rate"),
    ("conversions", "conversions"),
    ("USD/conv.", "cost_per_conversion_usd"),
)


def experiment_account(runtime: Runtime, experiment_id: str) -> str:
    """The ad account an experiment runs in (so the command needs only its id)."""
    with runtime.session() as session:
        try:
            return experiment_repo.get(session, experiment_id).ad_account_id
        except NotFound as exc:
            raise LookupError(str(exc)) from exc


def variants_table(result: dict[str, Any]) -> Any:
    from rich.table import Table

    table = Table(title=f"experiment {result['experiment_id']} ({result.get('name') or ''})")
    for heading, _ in VARIANT_COLUMNS:
        table.add_column(heading, justify="left" if heading in ("variant", "role") else "right")
    for v in result["variants"]:
        cells = []
        for _, key in VARIANT_COLUMNS:
            value = v.get(key)
            if key == "role":
                value = "control *" if v["control"] else "treatment"
            elif key in ("swipe_rate", "view_completion_rate"):
                value = f"{float(value) * 100:.2f}%"
            cells.append("" if value is None else str(value))
        table.add_row(*cells)
    return table


def comparison_lines(result: dict[str, Any]) -> list[str]:
    """One line per treatment: the test, both sample sizes, and what it says."""
    lines = []
    for c in result["comparisons"]:
        if "n_control" not in c:
            lines.append(f"{c['treatment']}: {'; '.join(c['short'])}")
            continue
        p = "n/a" if c["p_value"] is None else f"{c['p_value']:.4f}"
        lift = "n/a" if c["lift"] is None else f"{c['lift'] * 100:+.1f}%"
        line = (
            f"{c['treatment']} vs {c['control']}: swipe rate lift {lift}, z-test p={p} "
            f"(alpha {c['alpha']}), n={c['n_treatment']} vs {c['n_control']} impressions: "
            f"{c['outcome'].replace('_', ' ')}"
        )
        if c["short"]:
            line += f" ({'; '.join(c['short'])})"
        lines.append(line)
    winner = f", winner {result['winner']}" if result.get("winner") else ""
    lines.append(f"verdict: {result['verdict'].replace('_', ' ')}{winner}")
    return lines
