"""The pieces fit the real client: planned window and filtered fields go out, rows come back."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import httpx

from snap.client import SnapClient
from snap.oauth import StaticTokenProvider
from snap.stats import fields_for, flatten_stats, plan_windows, stats_end_times

SAMPLE = json.loads(
    (Path(__file__).parent / "samples" / "account_day_breakdown_campaign.json").read_text()
)
ACCOUNT = "8adc3db7-8148-4fbf-999c-8d2266369d74"


def test_planned_window_and_fields_reach_snap_and_the_answer_flattens():
    sent: list[httpx.Request] = []

    def snap(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json=SAMPLE)

    client = SnapClient(
        "https://adsapi.test/v1",
        StaticTokenProvider("token"),
        transport=httpx.MockTransport(snap),
    )
    # 2023-11-21 22:30 UTC is already Nov 21 23:30 in Paris: the window ends at Nov 22 00:00.
    (window,) = plan_windows(
        "DAY",
        "Europe/Paris",
        datetime(2023, 11, 19, 23, tzinfo=UTC),
        datetime(2023, 11, 21, 22, 30, tzinfo=UTC),
    )
    fields = fields_for("adaccount", "DAY", "campaign", "spend,impressions,uniques")
    stats = client.stats(
        "adaccount",
        ACCOUNT,
        granularity="DAY",
        fields=fields,
        start_time=window.start,
        end_time=window.end,
        breakdown="campaign",
    )

    query = sent[0].url.params
    assert sent[0].url.path == f"/v1/adaccounts/{ACCOUNT}/stats"
    assert query["start_time"] == "2023-11-20T00:00:00.000+01:00"
    assert query["end_time"] == "2023-11-22T00:00:00.000+01:00"
    assert query["fields"] == "spend,impressions,uniques"
    rows = flatten_stats(stats, action_report_time="conversion")
    assert len(rows) == 4 and {r.entity_type for r in rows} == {"campaign"}
    assert stats_end_times(stats).finalized_data_end_time == datetime.fromisoformat(
        "2023-11-21T00:00:00.000+01:00"
    )
