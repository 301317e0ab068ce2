"""`/login/oauth2/authorize` (redirects back with a one-time code) and
`/login/oauth2/access_token` (form body; authorization_code and refresh_token grants),
which counts against the app's rate like every API call and answers 429 past it."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from snap.sandbox.envelope import iso
from snap.sandbox.oauth import OAuthError
from snap.sandbox.requestlog import LoggedRequest, kept_headers, readable_body
from snap.sandbox.state import SandboxState


def oauth_routes(state: SandboxState) -> list[Route]:
    async def authorize(request: Request) -> Response:
        q = request.query_params
        if q.get("response_type") != "code" or not q.get("redirect_uri"):
            return _oauth_error(
                OAuthError(
                    400, "invalid_request", "response_type=code and redirect_uri are required"
                )
            )
        try:
            with state.lock:
                code = state.tokens.authorize(q.get("client_id"), q["redirect_uri"])
        except OAuthError as error:
            return _oauth_error(error)
        params = {"code": code, **({"state": q["state"]} if "state" in q else {})}
        separator = "&" if "?" in q["redirect_uri"] else "?"
        return RedirectResponse(
            f"{q['redirect_uri']}{separator}{urlencode(params)}", status_code=302
        )

    async def access_token(request: Request) -> Response:
        form = {k: str(v) for k, v in (await request.form()).items()}
        entry = LoggedRequest(
            "POST",
            request.url.path,
            dict(request.query_params),
            kept_headers(request.headers),
            readable_body(b"", form),
            None,
            iso(state.now()),
        )
        with state.lock:
            state.log.append(entry)
        response: Response
        # Counted against the app like any API call (Snap's per-app limit covers them).
        full = state.admit_oauth(form.get("client_id") or state.config.client_id)
        if full:
            entry.limited = full
            response = _oauth_error(
                OAuthError(429, "rate_limited", f"Too many requests: over the {full} rate limit")
            )
        else:
            try:
                with state.lock:
                    answer = state.tokens.exchange(form, state.now())
                response = JSONResponse(answer)
            except OAuthError as error:
                response = _oauth_error(error)
        entry.status = response.status_code
        return response

    return [
        Route("/authorize", authorize, methods=["GET"]),
        Route("/access_token", access_token, methods=["POST"]),
    ]


def _oauth_error(error: OAuthError) -> JSONResponse:
    return JSONResponse(
        {"error": error.error, "error_description": error.description}, status_code=error.status
    )
