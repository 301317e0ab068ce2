"""Waiting for READY: bounded backoff, ERROR ends the wait, a stuck media times out."""

from __future__ import annotations

from worker.mutations.media_ready import polls_within, wait_until_ready


def _statuses(*answers: str):
    seen: list[str] = []
    queue = list(answers)

    def get_media(media_id: str) -> dict[str, str]:
        seen.append(media_id)
        return {"id": media_id, "media_status": queue.pop(0) if len(queue) > 1 else queue[0]}

    return get_media, seen


def test_ready_at_upload_needs_no_poll() -> None:
    get_media, seen = _statuses("PENDING_UPLOAD")
    state = wait_until_ready(get_media, "m1", first_status="READY", sleep=lambda s: None)
    assert state.ready and not state.timed_out and seen == []


def test_polls_with_growing_pauses_until_ready() -> None:
    get_media, seen = _statuses("PENDING_UPLOAD", "PENDING_UPLOAD", "READY")
    slept: list[float] = []

    state = wait_until_ready(get_media, "m1", first_status="PENDING_UPLOAD", sleep=slept.append)

    assert state.ready and len(seen) == 3
    assert slept == [1.0, 2.0]


def test_error_ends_the_wait_without_waiting_more() -> None:
    get_media, seen = _statuses("ERROR")
    state = wait_until_ready(get_media, "m1", first_status="PENDING_UPLOAD", sleep=lambda s: None)
    assert (state.media_status, state.ready, state.timed_out) == ("ERROR", False, False)
    assert len(seen) == 1


def test_a_stuck_media_times_out_after_bounded_pauses() -> None:
    get_media, seen = _statuses("PENDING_UPLOAD")
    slept: list[float] = []

    state = wait_until_ready(
        get_media, "m1", first_status="PENDING_UPLOAD", timeout_s=60, sleep=slept.append
    )

    assert state.timed_out and state.media_status == "PENDING_UPLOAD"
    assert max(slept) <= 15.0 and sum(slept) >= 60
    assert len(seen) == polls_within(60, 1.0, 15.0)
