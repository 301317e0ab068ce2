"""A scripted Snap for unit tests: answers queued in order, every request recorded."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

from snap.client import SnapClient
from snap.oauth import StaticTokenProvider

BASE_URL = "https://adsapi.test/v1"
TOKEN = "tok-SECRET-123"

Answer = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


def ok(body: dict[str, Any] | None = None, **kwargs: Any) -> httpx.Response:
    return httpx.Response(200, json=body if body is not None else {"request_status": "SUCCESS"})


def error(status: int, message: str = "boom", *, headers: dict[str, str] | None = None):
    body = {
        "request_status": "ERROR",
        "request_id": f"req-{status}",
        "debug_message": message,
        "display_message": "Sorry",
        "error_code": "E1000",
    }
    return httpx.Response(status, json=body, headers=headers)


def entities(kind: str, singular: str, items: list[dict], **extra: Any) -> httpx.Response:
    body = {
        "request_status": "SUCCESS",
        "request_id": "req-ok",
        kind: [{"sub_request_status": "SUCCESS", singular: item} for item in items],
        **extra,
    }
    return httpx.Response(200, json=body)


class Wire:
    """httpx.MockTransport over a queue of answers; `requests` keeps what was sent."""

    def __init__(self, *answers: Answer, default: Answer | None = None) -> None:
        self.answers = list(answers)
        self.default = default
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        answer = self.answers.pop(0) if self.answers else self.default
        if answer is None:
            raise AssertionError(f"unexpected request {request.method} {request.url}")
        if isinstance(answer, Exception):
            raise answer
        if callable(answer):
            return answer(request)
        return answer

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    def header(self, name: str) -> list[str | None]:
        return [r.headers.get(name) for r in self.requests]

    def bodies(self) -> list[Any]:
        return [json.loads(r.content) if r.content else None for r in self.requests]


class Sleeps(list):
    """The injected sleep: records the waits instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


class CountingTokens(StaticTokenProvider):
    """A token provider whose refresh hands out a new token and counts."""

    def __init__(self, token: str = TOKEN, *, refresh_fails: bool = False) -> None:
        super().__init__(token)
        self.refreshes = 0
        self.refresh_fails = refresh_fails

    def refresh(self) -> str:
        self.refreshes += 1
        if self.refresh_fails:
            return super().refresh()
        self._token = f"{TOKEN}-{self.refreshes}"
        return self._token


def make_client(wire: Wire, tokens: Any = None, **kwargs: Any) -> tuple[SnapClient, Sleeps]:
    sleeps = Sleeps()
    client = SnapClient(
        BASE_URL,
        tokens if tokens is not None else CountingTokens(),
        transport=wire.transport,
        sleep=sleeps,
        **kwargs,
    )
    return client, sleeps
