"""Stats queries and breakdown paging; media upload, single and chunked."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from snap import client as client_module
from snap.errors import ValidationError
from snap.models import Media, Stat

from .wire import Wire, make_client

PDT = timezone(timedelta(hours=-7))


def stats_page(key, item_key, stat, next_link=None):
    body = {
        "request_status": "SUCCESS",
        "request_id": "r",
        key: [{"sub_request_status": "SUCCESS", item_key: stat}],
    }
    if next_link:
        body["paging"] = {"next_link": next_link}
    return httpx.Response(200, json=body)


def test_stats_query_carries_every_documented_param():
    stat = {"id": "C", "type": "CAMPAIGN", "granularity": "DAY", "timeseries": []}
    wire = Wire(stats_page("timeseries_stats", "timeseries_stat", stat))
    client, _ = make_client(wire)
    (result,) = client.stats(
        "campaign",
        "C",
        granularity="DAY",
        fields=["spend", "impressions"],
        start_time=datetime(2026, 11, 1, tzinfo=PDT),
        end_time=datetime(2026, 11, 3, tzinfo=PDT),
        breakdown="adsquad",
        swipe_up_attribution_window="28_DAY",
        view_attribution_window="1_DAY",
        action_report_time="conversion",
        conversion_source_types=["web", "app", "total"],
    )
    assert isinstance(result, Stat) and result.id == "C"
    (request,) = wire.requests
    assert request.url.path == "/v1/campaigns/C/stats"
    assert dict(request.url.params) == {
        "granularity": "DAY",
        "fields": "spend,impressions",
        "start_time": "2026-11-01T00:00:00.000-07:00",
        "end_time": "2026-11-03T00:00:00.000-07:00",
        "breakdown": "adsquad",
        "swipe_up_attribution_window": "28_DAY",
        "view_attribution_window": "1_DAY",
        "action_report_time": "conversion",
        "conversion_source_types": "web,app,total",
    }


@pytest.mark.parametrize(
    ("level", "path"),
    [
        ("campaign", "/v1/campaigns/X/stats"),
        ("adsquad", "/v1/adsquads/X/stats"),
        ("ad", "/v1/ads/X/stats"),
        ("adaccount", "/v1/adaccounts/X/stats"),
    ],
)
def test_stats_levels(level, path):
    wire = Wire(stats_page("total_stats", "total_stat", {"id": "X", "stats": {"spend": 5}}))
    client, _ = make_client(wire)
    (stat,) = client.stats(level, "X", granularity="TOTAL", fields="spend")
    assert wire.requests[0].url.path == path and stat.stats == {"spend": 5}


def test_breakdown_pages_are_followed_and_merged():
    first = {
        "id": "A",
        "type": "AD_ACCOUNT",
        "breakdown_stats": {"campaign": [{"id": "c1", "stats": {"spend": 1}}]},
    }
    second = {
        "id": "A",
        "type": "AD_ACCOUNT",
        "breakdown_stats": {"campaign": [{"id": "c2", "stats": {"spend": 2}}]},
    }
    wire = Wire(
        stats_page(
            "total_stats",
            "total_stat",
            first,
            "https://adsapi.snapchat.com/v1/adaccounts/A/stats?cursor=2",
        ),
        stats_page("total_stats", "total_stat", second),
    )
    client, _ = make_client(wire)
    (stat,) = client.stats(
        "adaccount", "A", granularity="TOTAL", fields="spend", breakdown="campaign", limit=200
    )
    assert [e.id for e in stat.breakdown_stats["campaign"]] == ["c1", "c2"]
    assert wire.requests[1].url.params["cursor"] == "2"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"granularity": "WEEK"}, "granularity"),
        ({"granularity": "DAY", "end_time": datetime(2026, 11, 3, tzinfo=PDT)}, "start_time"),
        (
            {
                "granularity": "HOUR",
                "start_time": datetime(2026, 11, 1, 0, 30, tzinfo=PDT),
                "end_time": datetime(2026, 11, 2, tzinfo=PDT),
            },
            "start_time",
        ),
        (
            {
                "granularity": "DAY",
                "start_time": datetime(2026, 11, 1),
                "end_time": datetime(2026, 11, 2),
            },
            "start_time",
        ),
        ({"granularity": "TOTAL", "breakdown": "campaign"}, "breakdown"),
        ({"granularity": "TOTAL", "action_report_time": "click"}, "action_report_time"),
        ({"granularity": "TOTAL", "limit": 20}, "limit"),
    ],
)
def test_stats_queries_snap_refuses_are_refused_before_sending(kwargs, field):
    wire = Wire()
    client, _ = make_client(wire)
    with pytest.raises(ValidationError) as caught:
        client.stats("campaign", "C", fields="spend", **kwargs)
    assert caught.value.field == field and wire.requests == []


def media_answer(**fields):
    return httpx.Response(
        200,
        json={
            "request_status": "SUCCESS",
            "request_id": "r",
            "result": {"id": "M", "media_status": "READY", **fields},
        },
    )


def test_small_file_is_one_multipart_upload():
    wire = Wire(media_answer(file_name="a.mp4"))
    client, _ = make_client(wire)
    media = client.upload_media("M", b"video-bytes", file_name="a.mp4", idempotency_key="k")
    assert isinstance(media, Media) and media.media_status == "READY"
    (request,) = wire.requests
    assert (request.method, request.url.path) == ("POST", "/v1/media/M/upload")
    assert request.headers["content-type"].startswith("multipart/form-data")
    assert b'name="file"; filename="a.mp4"' in request.content and b"video-bytes" in request.content
    assert request.headers["Idempotency-Key"] == "k:upload"


def test_large_file_goes_through_init_add_finalize(monkeypatch):
    monkeypatch.setattr(client_module, "SIMPLE_UPLOAD_MAX_BYTES", 10)
    init = httpx.Response(
        200,
        json={
            "request_status": "SUCCESS",
            "upload_id": "U1",
            "add_path": "/us/v1/media/M/multipart-upload-v2?action=ADD",
            "finalize_path": "/v1/media/M/multipart-upload-v2?action=FINALIZE",
        },
    )
    ok = httpx.Response(200, json={"request_status": "SUCCESS"})
    wire = Wire(init, ok, httpx.ReadTimeout("lost"), ok, ok, media_answer())
    client, _ = make_client(wire)
    media = client.upload_media(
        "M",
        io.BytesIO(b"0123456789abcdefghijkl"),
        file_name="big.mov",
        idempotency_key="k",
        part_bytes=8,
    )
    assert media.id == "M"
    assert [(r.url.path, r.url.params.get("action")) for r in wire.requests] == [
        ("/v1/media/M/multipart-upload-v2", "INIT"),
        ("/us/v1/media/M/multipart-upload-v2", "ADD"),
        ("/us/v1/media/M/multipart-upload-v2", "ADD"),  # lost answer: the part is re-sent
        ("/us/v1/media/M/multipart-upload-v2", "ADD"),
        ("/us/v1/media/M/multipart-upload-v2", "ADD"),
        ("/v1/media/M/multipart-upload-v2", "FINALIZE"),
    ]
    assert wire.header("Idempotency-Key") == [
        "k:init",
        "k:part-1",
        "k:part-2",
        "k:part-2",
        "k:part-3",
        "k:finalize",
    ]
    init_body = wire.requests[0].content
    assert (
        b'name="file_size"\r\n\r\n22' in init_body
        and b'name="number_of_parts"\r\n\r\n3' in init_body
    )
    for resent in (wire.requests[2], wire.requests[3]):  # the same part both times
        assert b"89abcdef" in resent.content
        assert b'name="part_number"\r\n\r\n2' in resent.content
    assert b"ghijkl" in wire.requests[4].content
    assert b'name="upload_id"\r\n\r\nU1' in wire.requests[5].content
