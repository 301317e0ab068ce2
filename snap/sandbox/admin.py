"""`/_sandbox/...`: the controls of `SandboxState` over HTTP, for operators and for tests
of a sandbox running as a server. No auth: the sandbox is a local tool.

    POST /_sandbox/clock/advance      {"seconds": 3600}
    POST /_sandbox/clock/set          {"time": "2026-11-23T00:00:00Z"}
    GET  /_sandbox/clock
    POST /_sandbox/ads/{id}/review    {"review_status": "REJECTED", "reasons": ["..."]}
    POST /_sandbox/caps/{id}/exhaust  {"cap": "daily" | "lifetime"}   (ad squad or campaign)
    POST /_sandbox/adaccounts/{id}/suspend | /reinstate
    POST /_sandbox/tokens/revoke      {"token": "..."}
    GET  /_sandbox/tokens/issued      every access and refresh token issued (secrets scans)
    GET  /_sandbox/entities           every entity, deleted ones included (soak checks)
    POST /_sandbox/faults             {"action": "status", "status": 503, "times": 2,
                                       "method": "POST", "path": "/v1/adaccounts",
                                       "probability": 0.05, ...}
    DELETE /_sandbox/faults
    GET  /_sandbox/requests          {"requests": [...], "rate_limited": {"app": n, ...}}
    GET  /_sandbox/ids
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from snap.sandbox.envelope import SandboxError, bad_request, iso
from snap.sandbox.ledger import parse_time
from snap.sandbox.seed import EUR_AD_ACCOUNT_ID, ME_ID, ORGANIZATION_ID, USD_AD_ACCOUNT_ID
from snap.sandbox.state import SandboxState

Control = Callable[[SandboxState, Request, dict[str, Any]], Any]


def admin_routes(state: SandboxState) -> list[Route]:
    def r(path: str, control: Control, method: str = "POST") -> Route:
        return Route(path, _endpoint(state, control), methods=[method])

    return [
        r("/clock", lambda s, rq, b: {"now": iso(s.now())}, "GET"),
        r("/clock/advance", lambda s, rq, b: {"now": iso(s.advance(float(_need(b, "seconds"))))}),
        r("/clock/set", lambda s, rq, b: {"now": iso(s.set_time(_when(_need(b, "time"))))}),
        r("/ads/{id}/review", _review),
        r(
            "/caps/{id}/exhaust",
            lambda s, rq, b: s.exhaust_cap(rq.path_params["id"], b.get("cap", "daily")),
        ),
        r("/adaccounts/{id}/suspend", lambda s, rq, b: s.suspend_ad_account(rq.path_params["id"])),
        r(
            "/adaccounts/{id}/reinstate",
            lambda s, rq, b: s.reinstate_ad_account(rq.path_params["id"]),
        ),
        r("/tokens/revoke", lambda s, rq, b: {"revoked": s.revoke_token(str(_need(b, "token")))}),
        r("/tokens/issued", _issued, "GET"),
        r("/entities", _entities, "GET"),
        r("/faults", _fault),
        r("/faults", _clear_faults, "DELETE"),
        r(
            "/requests",
            lambda s, rq, b: {"requests": s.requests(), "rate_limited": s.rate_limited()},
            "GET",
        ),
        r("/ids", lambda s, rq, b: ids(), "GET"),
    ]


def ids() -> dict[str, str]:
    """The stable ids of the seed, as printed at start."""
    return {
        "organization_id": ORGANIZATION_ID,
        "usd_ad_account_id": USD_AD_ACCOUNT_ID,
        "eur_ad_account_id": EUR_AD_ACCOUNT_ID,
        "me_id": ME_ID,
    }


def _endpoint(state: SandboxState, control: Control) -> Callable[[Request], Awaitable[Response]]:
    async def serve(request: Request) -> Response:
        raw = await request.body()
        try:
            body = json.loads(raw) if raw else {}
            if not isinstance(body, dict):
                raise bad_request("the admin body must be a JSON object")
            return JSONResponse(control(state, request, body))
        except SandboxError as error:
            return error.response()
        except (ValueError, TypeError) as error:
            return bad_request(str(error)).response()

    return serve


def _need(body: dict[str, Any], name: str) -> Any:
    if name not in body:
        raise bad_request(f"{name} is required")
    return body[name]


def _when(value: Any) -> Any:
    when = parse_time(value)
    if when is None:
        raise bad_request("time is required")
    return when


def _review(state: SandboxState, request: Request, body: dict[str, Any]) -> Any:
    return state.set_review_status(
        request.path_params["id"], _need(body, "review_status"), body.get("reasons", [])
    )


def _fault(state: SandboxState, request: Request, body: dict[str, Any]) -> Any:
    fault = state.inject_fault(
        body.get("action", "status"),
        status=int(body.get("status", 500)),
        times=body.get("times", 1),
        method=body.get("method"),
        path=body.get("path"),
        latency_ms=int(body.get("latency_ms", 0)),
        retry_after_s=body.get("retry_after_s"),
        probability=float(body.get("probability", 1.0)),
    )
    return {"fault_id": fault.id}


def _issued(state: SandboxState, request: Request, body: dict[str, Any]) -> Any:
    with state.lock:
        return {"tokens": list(state.tokens.issued)}


def _entities(state: SandboxState, request: Request, body: dict[str, Any]) -> Any:
    with state.lock:
        return {
            "entities": [
                {"kind": r.kind, "ad_account_id": r.ad_account_id, "deleted": bool(r.deleted_at),
                 **r.entity}
                for r in state.store.records.values()
            ]
        }  # fmt: skip


def _clear_faults(state: SandboxState, request: Request, body: dict[str, Any]) -> Any:
    state.clear_faults()
    return {"cleared": True}
