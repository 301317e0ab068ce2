"""Envelopes: what goes out wrapped comes back unwrapped, item by item."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from snap import envelope

KINDS = ["campaigns", "adsquads", "ads", "creatives", "media"]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
entity = st.dictionaries(st.text(min_size=1, max_size=8), json_values, max_size=5)


def _echo(body: dict, kind: str, status: str = "SUCCESS") -> dict:
    """What Snap answers to a write: each item back under its singular key."""
    items = body[kind]
    return envelope.success_body(kind, items, "req-1") | {
        kind: [{"sub_request_status": status, envelope.SINGULAR[kind]: i} for i in items]
    }


@given(kind=st.sampled_from(KINDS), items=st.lists(entity, max_size=12))
def test_wrap_then_unwrap_round_trips(kind, items):
    body = envelope.wrap(kind, items)
    assert list(body) == [kind]
    unwrapped = envelope.unwrap(_echo(body, kind), kind)
    assert unwrapped.failed == []
    assert [index for index, _ in unwrapped.succeeded] == list(range(len(items)))
    assert [e for _, e in unwrapped.succeeded] == items


@given(
    kind=st.sampled_from(KINDS),
    statuses=st.lists(
        st.sampled_from(["SUCCESS", "success", "Success", "ERROR", "error"]), max_size=10
    ),
)
def test_unwrap_splits_by_status_case_insensitively(kind, statuses):
    singular = envelope.SINGULAR[kind]
    body = {
        "request_status": "success",
        kind: [
            {"sub_request_status": s, singular: {"id": str(i)}, "sub_request_error_reason": "bad"}
            for i, s in enumerate(statuses)
        ],
    }
    unwrapped = envelope.unwrap(body, kind)
    ok = [i for i, s in enumerate(statuses) if s.lower() == "success"]
    assert [i for i, _ in unwrapped.succeeded] == ok
    assert [f["index"] for f in unwrapped.failed] == [
        i for i in range(len(statuses)) if i not in ok
    ]
    assert all(f["message"] == "bad" for f in unwrapped.failed)


def test_failed_item_reads_error_envelope_keys():
    body = {
        "campaigns": [
            {
                "sub_request_status": "ERROR",
                "debug_message": "name too long",
                "error_code": "E2001",
            },
            {"sub_request_status": "ERROR"},
        ]
    }
    failed = envelope.unwrap(body, "campaigns").failed
    assert failed[0] == {"index": 0, "message": "name too long", "error_code": "E2001"}
    assert failed[1]["message"] == "sub_request_status 'ERROR'"


def test_next_link():
    assert (
        envelope.next_link({"paging": {"next_link": "https://x/v1/a?cursor=1"}})
        == "https://x/v1/a?cursor=1"
    )
    assert envelope.next_link({"paging": {}}) is None
    assert envelope.next_link({"paging": {"next_link": None}}) is None
    assert envelope.next_link({}) is None


def test_api_message_prefers_debug_then_display_then_code():
    assert envelope.api_message({"debug_message": "d", "display_message": "u"}).text == "d"
    assert envelope.api_message({"display_message": "u", "error_code": "E1"}).text == "u"
    assert envelope.api_message({"error_code": "E1"}).text == "E1"
    assert envelope.api_message("not json").text is None


def test_failed_item_reads_third_party_reported_keys():
    body = {
        "ads": [
            {"sub_request_status": "ERROR", "message": "media not ready", "error_type": "E2601"}
        ]
    }
    (failure,) = envelope.unwrap(body, "ads").failed
    assert (failure["message"], failure["error_code"]) == ("media not ready", "E2601")
