"""The Starlette app: `/v1` (the Marketing API), `/login/oauth2` (OAuth) and
`/_sandbox` (admin). `create_app(config)` builds one over a fresh `SandboxState`.

Every `/v1` call goes through `serve_call`, one concern per step: log the request,
apply injected faults, check the bearer token, the rate windows, the Idempotency-Key,
then run the handler under the state lock. A "drop" fault commits the write and then
ends the connection without an answer (`ConnectionDropped`).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from snap.sandbox import media, reads, stats, writes
from snap.sandbox.admin import admin_routes
from snap.sandbox.call import Call
from snap.sandbox.config import SandboxConfig
from snap.sandbox.envelope import (
    E_BAD_REQUEST,
    E_NOT_FOUND,
    E_RATE_LIMITED,
    E_SERVER,
    E_UNAUTHORIZED,
    SandboxError,
    iso,
)
from snap.sandbox.faults import Fault
from snap.sandbox.oauth import AccessToken
from snap.sandbox.oauth_routes import oauth_routes
from snap.sandbox.ratelimit import Scope
from snap.sandbox.requestlog import LoggedRequest, kept_headers, readable_body
from snap.sandbox.state import SandboxState
from snap.sandbox.store import PARENT

Handler = Callable[[SandboxState, Call], tuple[int, dict]]


# A drop fault marks its (committed) answer with this header; `DropConnection` (server)
# aborts the socket instead of sending it, `SandboxTransport` (in-process) raises
# httpx.RemoteProtocolError. Either way the client never sees the answer.
DROP_HEADER = "x-sandbox-drop"


def create_app(config: SandboxConfig | None = None, state: SandboxState | None = None) -> Starlette:
    """The sandbox as an ASGI app; `app.state.sandbox` is its `SandboxState`."""
    state = state or SandboxState(config)
    routes = [
        Mount("/v1", routes=api_routes(state)),
        Mount("/login/oauth2", routes=oauth_routes(state)),
        Mount("/_sandbox", routes=admin_routes(state)),
    ]
    handlers = {404: _no_route, 405: _no_route}
    app = Starlette(
        routes=routes, middleware=[Middleware(DropConnection)], exception_handlers=handlers
    )
    app.state.sandbox = state
    return app


async def _no_route(request: Request, exc: Exception) -> Response:
    """Unknown paths and methods answer with the documented error body, not plain text."""
    status = getattr(exc, "status_code", 404)
    message = f"No such endpoint: {request.method} {request.url.path}"
    code = E_NOT_FOUND if status == 404 else E_BAD_REQUEST
    return SandboxError(status, message, error_code=code).response()


def api_routes(state: SandboxState) -> list[Route]:
    def r(path: str, handler: Handler, method: str = "GET") -> Route:
        return Route(path, endpoint(state, handler, write=method != "GET"), methods=[method])

    routes = [
        r("/me", reads.me),
        r("/me/organizations", reads.organizations),
        r("/organizations/{id}", reads.organization),
        r("/organizations/{id}/adaccounts", reads.list_under("organizations", "adaccounts")),
        r("/adaccounts/{id}", reads.get_one("adaccounts")),
        r("/media/{id}/upload", media.upload, "POST"),
        r("/media/{id}/multipart-upload-v2", media.multipart, "POST"),
        r("/media/{id}/preview", media.rendition("preview")),
        r("/media/{id}/thumbnail", media.rendition("thumbnail")),
    ]
    for kind in ("campaigns", "adsquads", "ads", "creatives", "media"):
        routes.append(r(f"/{kind}/{{id}}", reads.get_one(kind)))
    for kind in ("campaigns", "adsquads", "ads"):
        routes.append(r(f"/{kind}/{{id}}", _delete(kind), "DELETE"))
    for kind in ("adaccounts", "campaigns", "adsquads", "ads"):
        routes.append(r(f"/{kind}/{{id}}/stats", stats.stats_of(kind)))
    for parent, kind in (
        ("adaccounts", "campaigns"),
        ("adaccounts", "adsquads"),
        ("adaccounts", "ads"),
        ("adaccounts", "creatives"),
        ("adaccounts", "media"),
        ("campaigns", "adsquads"),
        ("campaigns", "ads"),
        ("adsquads", "ads"),
    ):
        routes.append(r(f"/{parent}/{{id}}/{kind}", reads.list_under(parent, kind)))
        if PARENT[kind][1] == parent:
            routes.append(r(f"/{parent}/{{id}}/{kind}", _write(kind, "create"), "POST"))
            if kind != "media":
                routes.append(r(f"/{parent}/{{id}}/{kind}", _write(kind, "update"), "PUT"))
    return routes


def _write(kind: str, op: str) -> Handler:
    def handler(state: SandboxState, call: Call) -> tuple[int, dict]:
        return writes.write(state, kind, call.path_params["id"], call.body, op=op)

    return handler


def _delete(kind: str) -> Handler:
    def handler(state: SandboxState, call: Call) -> tuple[int, dict]:
        return writes.delete(state, kind, call.path_params["id"])

    return handler


def endpoint(state: SandboxState, handler: Handler, *, write: bool):
    async def serve(request: Request) -> Response:
        return await serve_call(state, request, handler, write=write)

    return serve


async def serve_call(
    state: SandboxState, request: Request, handler: Handler, *, write: bool
) -> Response:
    call = await _call(request)
    entry = LoggedRequest(
        call.method,
        request.url.path,
        call.query,
        kept_headers(request.headers),
        readable_body(call.body, call.form),
        None,
        iso(state.now()),
    )
    with state.lock:
        state.log.append(entry)
        taken = state.faults.take(call.method, request.url.path)
        faults: dict[str, Fault] = {f.action: f for f in taken}
    try:
        response = await _answer(state, request, call, handler, write, faults)
    except SandboxError as error:
        response = error.response()
        entry.limited = getattr(error, "scope", None)
    entry.status = response.status_code
    if "stall" in faults:  # committed above; the answer waits
        await asyncio.sleep(faults["stall"].latency_ms / 1000)
    if "drop" in faults:
        response.headers[DROP_HEADER] = "1"
    return response


async def _call(request: Request) -> Call:
    body = await request.body()
    form: dict[str, Any] | None = None
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        parsed = await request.form()
        form = {}
        for name, value in parsed.multi_items():
            if isinstance(value, UploadFile):
                form[name] = (value.filename, await value.read())
            else:
                form[name] = value
    return Call(
        request.method,
        request.url.path,
        dict(request.path_params),
        dict(request.query_params),
        body,
        request.url,
        form,
        dict(request.headers),
    )


async def _answer(state, request, call, handler, write, faults: dict[str, Fault]) -> Response:
    # Snap's limits count a request when it arrives, as an edge limiter does: a slow or
    # failing backend (the injected latency and status faults) comes after that count. A
    # request held by injected latency and counted only when it wakes would bunch with the
    # client's later ones and give 429s the client's own rate never earned.
    token = _authorize(state, request)
    _rate_limit(state, call, token)
    if "latency" in faults:
        await asyncio.sleep(faults["latency"].latency_ms / 1000)
    if "status" in faults:
        _raise_fault(state, faults["status"])
    key = request.headers.get("idempotency-key")
    if not (write and key and not state.config.ignore_idempotency_key):
        status, body = handler(state, call)
        return JSONResponse(body, status_code=status)
    with state.lock:  # check, write and remember as one step, whatever thread serves us
        remembered = state.idempotency.replay(key, call.method, call.path, call.body)
        if remembered is None:
            status, body = handler(state, call)
            content = json.dumps(body).encode()
            state.idempotency.remember(key, call.method, call.path, call.body, status, content)
            return Response(content, status_code=status, media_type="application/json")
    return Response(remembered.body, status_code=remembered.status, media_type="application/json")


def _raise_fault(state: SandboxState, fault: Fault) -> None:
    if fault.status == 429:
        with state.lock:
            state.limits.refused["injected"] += 1
        raise _too_many(state, "Injected fault: too many requests", fault.retry_after_s, "injected")
    raise SandboxError(
        fault.status, f"Injected fault: server error {fault.status}", error_code=E_SERVER
    )


class TooManyRequests(SandboxError):
    """A 429, with the scope that gave it (app, token, account, injected) for the log."""

    def __init__(self, message: str, scope: str, headers: dict[str, str]) -> None:
        super().__init__(429, message, error_code=E_RATE_LIMITED, headers=headers)
        self.scope = scope


def _too_many(
    state: SandboxState, message: str, retry_after_s: float | None = None, scope: str = "app"
) -> TooManyRequests:
    retry_after = retry_after_s if retry_after_s is not None else state.config.retry_after_s
    headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
    return TooManyRequests(message, scope, headers)


def _authorize(state: SandboxState, request: Request) -> tuple[str, AccessToken]:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise SandboxError(401, "Missing bearer token", error_code=E_UNAUTHORIZED)
    with state.lock:
        holder = state.tokens.holder(token, state.now())
    if holder is None:
        raise SandboxError(
            401,
            "Unauthorized: the access token is invalid or has expired",
            error_code=E_UNAUTHORIZED,
        )
    return token, holder


def _rate_limit(state: SandboxState, call: Call, token: tuple[str, AccessToken]) -> None:
    config = state.config
    scopes = [
        Scope("app", f"app:{token[1].client_id}", config.app_rps),
        Scope("token", f"token:{token[0]}", config.token_rps),
    ]
    account_id = _account_in_path(state, call)
    if account_id:
        scopes.append(Scope("account", f"account:{account_id}", config.rate_limit_rps))
    with state.lock:
        full = state.limits.admit(scopes, state.now())
    if full:
        raise _too_many(state, f"Too many requests: over the {full} rate limit", scope=full)


def _account_in_path(state: SandboxState, call: Call) -> str | None:
    """The ad account a call concerns, from the entity its path names."""
    entity_id = call.path_params.get("id")
    record = state.store.find(entity_id) if entity_id else None
    return record.ad_account_id if record is not None else None


class DropConnection:
    """ASGI middleware: an answer marked with DROP_HEADER is never sent. Over a real
    server (`server.py` puts the socket's transport in the scope) the socket is aborted,
    so the client sees the connection close with no response at all."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        transport = scope.get("extensions", {}).get("sandbox.transport")
        if scope["type"] != "http" or transport is None:
            await self.app(scope, receive, send)
            return
        dropped = False

        async def guarded_send(message: dict) -> None:
            nonlocal dropped
            if message["type"] == "http.response.start":
                dropped = any(
                    k.decode().lower() == DROP_HEADER for k, _ in message.get("headers", [])
                )
                if dropped:
                    transport.abort()
            if not dropped:
                await send(message)

        await self.app(scope, receive, guarded_send)
        if dropped:  # let uvicorn see the connection as lost before we return
            await asyncio.sleep(0)
            await asyncio.sleep(0)
