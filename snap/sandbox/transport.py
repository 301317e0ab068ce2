"""A synchronous httpx transport that serves requests from the sandbox app in-process.

The fleet's client is a sync `httpx.Client`, and `httpx.ASGITransport` is async-only,
so this transport runs the ASGI app on a private event loop in a daemon thread and
hands each request over with `run_coroutine_threadsafe`: safe to call from many worker
threads at once. A drop fault surfaces as `httpx.RemoteProtocolError`, as a real
connection closed without an answer does.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from typing import Any

import httpx

from snap.sandbox.app import DROP_HEADER


class SandboxTransport(httpx.BaseTransport):
    def __init__(self, app: Any) -> None:
        self._inner = httpx.ASGITransport(app=app)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="sandbox-loop", daemon=True
        )
        self._thread.start()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self._loop.is_closed():
            raise RuntimeError("the sandbox transport is closed")
        body = request.read()
        sending = self._send(request, body)
        future = asyncio.run_coroutine_threadsafe(sending, self._loop)
        try:
            status, headers, content = self._wait(future, request)
        except httpx.ConnectError:
            sending.close()  # never started: nothing to await
            raise
        if DROP_HEADER in headers:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            )
        return httpx.Response(status, headers=headers, content=content, request=request)

    def _wait(self, future: Any, request: httpx.Request) -> Any:
        """The answer, or ConnectError once the loop is gone: a request handed over just as
        the transport closed is never run, and waiting on it without end kept a worker
        thread (and pytest's exit, which joins them) hanging."""
        while True:
            try:
                return future.result(timeout=1.0)
            except concurrent.futures.TimeoutError:
                if self._thread.is_alive() and not self._loop.is_closed():
                    continue
                future.cancel()
                raise httpx.ConnectError(
                    "the sandbox transport closed before answering", request=request
                ) from None

    async def _send(self, request: httpx.Request, body: bytes) -> tuple[int, httpx.Headers, bytes]:
        copy = httpx.Request(request.method, request.url, headers=request.headers, content=body)
        response = await self._inner.handle_async_request(copy)
        content = await response.aread()
        headers = httpx.Headers(
            [(k, v) for k, v in response.headers.items() if k.lower() != "content-length"]
        )
        return response.status_code, headers, content

    def close(self) -> None:
        """Stop the private loop (the app and its state live on)."""
        if not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)
            self._loop.close()
