"""Waiting for an uploaded media to turn READY, polling with bounded backoff.

Snap processes an upload before a creative may use it (`media_status` PENDING_UPLOAD ->
READY, or ERROR; Snap docs: Media). The sandbox answers READY as soon as the last
byte is in; Snap may take a while for a video. The wait polls `GET /media/{id}` with
exponential backoff (tenacity), capped per sleep and in total, so a stuck media ends the
wait instead of holding a worker past the task's time limit.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tenacity import (
    RetryError,
    Retrying,
    retry_if_result,
    stop_after_attempt,
    stop_after_delay,
    wait_exponential,
)

READY = "READY"
ERROR = "ERROR"
DEFAULT_WAIT_S = 120.0
FIRST_POLL_S = 1.0
MAX_POLL_S = 15.0


@dataclass(frozen=True)
class MediaState:
    """The last media status seen, and whether the wait ran out before READY."""

    media_id: str
    media_status: str | None
    timed_out: bool = False

    @property
    def ready(self) -> bool:
        return self.media_status == READY


def status_of(media: Any) -> str | None:
    """`media_status` of a snap model or a dict."""
    if isinstance(media, dict):
        return media.get("media_status")
    return getattr(media, "media_status", None)


def wait_until_ready(
    get_media: Callable[[str], Any],
    media_id: str,
    *,
    first_status: str | None,
    timeout_s: float = DEFAULT_WAIT_S,
    sleep: Callable[[float], None] = time.sleep,
    first_poll_s: float = FIRST_POLL_S,
    max_poll_s: float = MAX_POLL_S,
) -> MediaState:
    """Poll until READY or ERROR, or until `timeout_s` has passed (then `timed_out`)."""
    if first_status in (READY, ERROR):
        return MediaState(media_id, first_status)
    retrying = Retrying(
        retry=retry_if_result(lambda status: status not in (READY, ERROR)),
        wait=wait_exponential(multiplier=first_poll_s, max=max_poll_s),
        stop=stop_after_attempt(polls_within(timeout_s, first_poll_s, max_poll_s))
        | stop_after_delay(timeout_s),
        sleep=sleep,
    )
    try:
        status = retrying(lambda: status_of(get_media(media_id)))
    except RetryError as exc:
        last = exc.last_attempt.result() if not exc.last_attempt.failed else first_status
        return MediaState(media_id, last, timed_out=True)
    return MediaState(media_id, status)


def polls_within(timeout_s: float, first_poll_s: float, max_poll_s: float) -> int:
    """How many polls the backoff schedule fits in `timeout_s` (the sleeps between them
    add up to at least the timeout), so the wait is bounded even when sleeping is faked."""
    polls, slept_s, pause_s = 1, 0.0, first_poll_s
    while slept_s < timeout_s:
        slept_s += min(pause_s, max_poll_s)
        pause_s *= 2
        polls += 1
    return polls
