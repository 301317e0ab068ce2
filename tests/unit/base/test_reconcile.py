"""List-and-match: which listed entity a lost create made."""

from __future__ import annotations

from datetime import UTC, datetime

from worker.mutations.reconcile import Lookup, find, list_params, matches, newest_first

FIRST_ATTEMPT = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
ITEM = {
    "name": "Spring",
    "status": "PAUSED",
    "daily_budget_micro": 150_000_000,
    "start_time": "2030-01-01T00:00:00+00:00",
    "targeting": {"geos": [{"country_code": "us"}]},
}


def entity(id_: str, created_at: str, **changes: object) -> dict[str, object]:
    return {
        "id": id_,
        "created_at": created_at,
        "name": "Spring",
        "status": "PAUSED",
        "daily_budget_micro": "150000000",
        "start_time": "2030-01-01T00:00:00.000Z",
        "targeting": {"geos": [{"country_code": "us", "extra": True}]},
        **changes,
    }


def run_find(entities, **kw):
    lookup = Lookup("campaigns", "acct", ITEM, lambda: entities)
    return find(lookup, since=FIRST_ATTEMPT, skew_s=60, **kw)


def test_a_match_needs_the_name_the_written_scalars_and_a_late_enough_creation() -> None:
    earliest = FIRST_ATTEMPT.replace(minute=0)
    assert matches(entity("a", "2026-11-23T12:00:05Z"), ITEM, earliest=earliest)
    assert not matches(entity("a", "2026-11-23T12:00:05Z", name="Other"), ITEM, earliest=earliest)
    assert not matches(
        entity("a", "2026-11-23T12:00:05Z", status="ACTIVE"), ITEM, earliest=earliest
    )
    assert not matches(entity("a", "2026-11-23T11:00:00Z"), ITEM, earliest=earliest)
    assert not matches(entity("a", "2026-11-23T12:00:05Z", deleted=True), ITEM, earliest=earliest)


def test_nothing_found_means_send() -> None:
    assert run_find([entity("old", "2026-11-22T00:00:00Z")]).adopted is None


def test_the_skew_allowance_admits_a_slightly_early_server_clock() -> None:
    found = run_find([entity("a", "2026-11-23T11:59:30Z")])
    assert found.adopted is not None and found.adopted["id"] == "a"


def test_several_matches_keep_the_oldest_and_report_the_rest() -> None:
    found = run_find(
        [
            entity("newer", "2026-11-23T12:00:09Z"),
            entity("oldest", "2026-11-23T12:00:01Z"),
            entity("middle", "2026-11-23T12:00:05Z"),
        ]
    )
    assert found.adopted is not None and found.adopted["id"] == "oldest"
    assert [d["id"] for d in found.duplicates] == ["middle", "newer"]


def test_an_entity_another_write_owns_is_never_adopted() -> None:
    found = run_find([entity("theirs", "2026-11-23T12:00:01Z")], owned_ids={"theirs"})
    assert found.adopted is None


def test_sort_is_asked_only_where_seed_003_allows_it_and_done_locally_anyway() -> None:
    assert list_params("campaigns", "adsquads") == {"sort": "created_at-desc"}
    assert list_params("organizations", "adaccounts") == {}
    ordered = newest_first(
        [entity("a", "2026-01-01T00:00:00Z"), entity("b", "2026-02-01T00:00:00Z")]
    )
    assert [e["id"] for e in ordered] == ["b", "a"]
