"""SnapClient: the Snap Marketing API over httpx.

Layered like httpx's `Client.send`: an entity method builds a `_Call` and hands it to
`_request` (one token refresh and one retry on 401) -> `_send_with_retries` (tenacity,
policy in `snap.retry`) -> `_send_once`, the only place that touches the network and the
one boundary where httpx exceptions and error answers become `snap.errors`.

Paths follow the API reference pages (seeds 001-004, seeds/README.md), not the
overview's table: ad squads are written under their campaign, ads under their ad squad.

Idempotency-Key: every write takes the caller's key (the journal's) and sends it on every
attempt. A bulk write split into several requests sends `f"{key}:{chunk_index}"` on each
chunk (the key itself when it fits in one request), so each chunk keeps a distinct key
that is stable across retries of the task. Media uploads send `f"{key}:upload"`, or
`f"{key}:init"`, `f"{key}:part-{n}"`, `f"{key}:finalize"` for a chunked upload.
Snap documents no idempotency, so the key is not what prevents duplicates
(docs/architecture.md, The journal).
"""

from __future__ import annotations

import hashlib
import io
import math
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import IO, Any
from urllib.parse import urlsplit

import httpx

from snap import bulk, envelope, models, query, retry, rules
from snap.errors import (
    ConnectError,
    MalformedAnswer,
    NotFound,
    OutcomeUnknown,
    SnapError,
    StatusError,
    TransportError,
    Unauthorized,
    ValidationError,
    error_for_status,
)
from snap.oauth import TokenProvider

DEFAULT_TIMEOUT_S = 30.0
DEFAULT_CONNECT_TIMEOUT_S = 5.0
DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_MAX_ELAPSED_S = 60.0

# Snap docs: Media: simple upload takes up to 32 MB; larger files (up to 1 GB) go
# through multipart-upload-v2. The part size is unconfirmed; 25 MiB is what a
# third-party client uses and stays under the 32 MB the Public Profile API documents.
SIMPLE_UPLOAD_MAX_BYTES = 32_000_000
UPLOAD_PART_BYTES = 25 * 1024 * 1024

# The request extension naming the API operation (`create_campaigns`, ...), for a transport
# below the client that counts requests by operation.
OPERATION_EXTENSION = "snapfleet.operation"


@dataclass(frozen=True)
class _Call:
    """One logical request: what `_send_once` sends on every attempt."""

    operation: str
    method: str
    url: str
    params: Mapping[str, Any] | None = None
    json: Any = None
    data: Mapping[str, Any] | None = None
    files: Mapping[str, Any] | None = None
    idempotency_key: str | None = None
    idempotent: bool = True


class SnapClient:
    """One instance per process, reused across calls (pooled connections).

    Parameters:
        base_url(str): `SNAPCHAT_ADS_API_BASE_URL`, e.g. `https://adsapi.snapchat.com/v1`.
        token_provider: `.access_token()` for every request, `.refresh()` after a 401.
        transport(httpx.BaseTransport): injected in tests (`httpx.MockTransport`).
        sleep: called with the backoff in seconds; tests pass a recorder.
    """

    def __init__(
        self,
        base_url: str,
        token_provider: TokenProvider | None,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        connect_timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        max_elapsed_s: float = DEFAULT_MAX_ELAPSED_S,
        max_connections: int = 20,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._origin = "{0.scheme}://{0.netloc}".format(urlsplit(self.base_url))
        self._token_provider = token_provider
        self._max_attempts = max_attempts
        self._max_elapsed_s = max_elapsed_s
        self._sleep = sleep
        self._http = httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(timeout_s, connect=connect_timeout_s),
            limits=httpx.Limits(
                max_connections=max_connections, max_keepalive_connections=max_connections
            ),
            headers={"Accept": "application/json", "User-Agent": "snapfleet"},
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SnapClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- Organizations and ad accounts ------------------------------------------------

    def me(self) -> Any:
        """`GET /me`: who the token belongs to; the connection probe."""
        body = self._request(_Call("/me", "GET", self._url("/me")))
        return models.Me.model_validate(_field("/me", body, "me"))

    def organizations(self, *, with_ad_accounts: bool = False) -> list[Any]:
        params = {"with_ad_accounts": "true"} if with_ad_accounts else None
        call = _Call("/me/organizations", "GET", self._url("/me/organizations"), params=params)
        return self._entities(call, "organizations")

    def ad_accounts(self, organization_id: str, **params: Any) -> list[Any]:
        path = f"/organizations/{organization_id}/adaccounts"
        return self._list("list_ad_accounts", "organizations", "adaccounts", path, params)

    def ad_account(self, ad_account_id: str) -> Any:
        return self._get_one("get_ad_account", "adaccounts", f"/adaccounts/{ad_account_id}")

    # --- Campaigns --------------------------------------------------------------------

    def create_campaigns(
        self, ad_account_id: str, items: Sequence[Mapping[str, Any]], *, idempotency_key: str
    ) -> list[Any]:
        path = f"/adaccounts/{ad_account_id}/campaigns"
        return self._write("create_campaign", "campaigns", "POST", path, items, idempotency_key)

    def update_campaigns(
        self, ad_account_id: str, items: Sequence[Mapping[str, Any]], *, idempotency_key: str
    ) -> list[Any]:
        path = f"/adaccounts/{ad_account_id}/campaigns"
        return self._write("update_campaign", "campaigns", "PUT", path, items, idempotency_key)

    def get_campaign(self, campaign_id: str, **params: Any) -> Any:
        return self._get_one("get_campaign", "campaigns", f"/campaigns/{campaign_id}", params)

    def list_campaigns(self, ad_account_id: str, **params: Any) -> list[Any]:
        path = f"/adaccounts/{ad_account_id}/campaigns"
        return self._list("list_campaigns", "adaccounts", "campaigns", path, params)

    def delete_campaign(self, campaign_id: str, *, idempotency_key: str) -> None:
        self._delete("delete_campaign", f"/campaigns/{campaign_id}", idempotency_key)

    # --- Ad squads --------------------------------------------------------------------

    def create_ad_squads(
        self,
        campaign_id: str,
        items: Sequence[Mapping[str, Any]],
        *,
        idempotency_key: str,
        **context: Any,
    ) -> list[Any]:
        """`context` (currency=, campaign=) feeds `snap.models.validate_write`."""
        path = f"/campaigns/{campaign_id}/adsquads"
        return self._write(
            "create_ad_squad", "adsquads", "POST", path, items, idempotency_key, context
        )

    def update_ad_squads(
        self,
        campaign_id: str,
        items: Sequence[Mapping[str, Any]],
        *,
        idempotency_key: str,
        **context: Any,
    ) -> list[Any]:
        path = f"/campaigns/{campaign_id}/adsquads"
        return self._write(
            "update_ad_squad", "adsquads", "PUT", path, items, idempotency_key, context
        )

    def get_ad_squad(self, ad_squad_id: str, **params: Any) -> Any:
        """`return_placement_v2=true` by default: without it Snap leaves `placement_v2` out
        (seed 004), and an update that carries the ad squad over would drop it."""
        params = {"return_placement_v2": True, **params}
        return self._get_one("get_ad_squad", "adsquads", f"/adsquads/{ad_squad_id}", params)

    def list_ad_squads(
        self, parent_id: str, *, parent: str = "campaigns", **params: Any
    ) -> list[Any]:
        """Ad squads under a campaign (`parent="campaigns"`) or an ad account ("adaccounts"),
        with `placement_v2` (`return_placement_v2=true` unless said otherwise)."""
        _check_parent(parent, ("campaigns", "adaccounts"))
        path = f"/{parent}/{parent_id}/adsquads"
        params = {"return_placement_v2": True, **params}
        return self._list("list_ad_squads", parent, "adsquads", path, params)

    def delete_ad_squad(self, ad_squad_id: str, *, idempotency_key: str) -> None:
        self._delete("delete_ad_squad", f"/adsquads/{ad_squad_id}", idempotency_key)

    # --- Ads --------------------------------------------------------------------------

    def create_ads(
        self,
        ad_squad_id: str,
        items: Sequence[Mapping[str, Any]],
        *,
        idempotency_key: str,
        **context: Any,
    ) -> list[Any]:
        """`context` (creative_type=) feeds `snap.models.validate_write`."""
        path = f"/adsquads/{ad_squad_id}/ads"
        return self._write("create_ad", "ads", "POST", path, items, idempotency_key, context)

    def update_ads(
        self,
        ad_squad_id: str,
        items: Sequence[Mapping[str, Any]],
        *,
        idempotency_key: str,
        **context: Any,
    ) -> list[Any]:
        path = f"/adsquads/{ad_squad_id}/ads"
        return self._write("update_ad", "ads", "PUT", path, items, idempotency_key, context)

    def get_ad(self, ad_id: str, **params: Any) -> Any:
        return self._get_one("get_ad", "ads", f"/ads/{ad_id}", params)

    def list_ads(self, parent_id: str, *, parent: str = "adsquads", **params: Any) -> list[Any]:
        """Ads under an ad squad (default), a campaign or an ad account."""
        _check_parent(parent, ("adsquads", "campaigns", "adaccounts"))
        return self._list("list_ads", parent, "ads", f"/{parent}/{parent_id}/ads", params)

    def delete_ad(self, ad_id: str, *, idempotency_key: str) -> None:
        self._delete("delete_ad", f"/ads/{ad_id}", idempotency_key)

    # --- Media ------------------------------------------------------------------------

    def create_media(
        self, ad_account_id: str, items: Sequence[Mapping[str, Any]], *, idempotency_key: str
    ) -> list[Any]:
        """The media entities (`PENDING_UPLOAD`); then `upload_media` each file."""
        path = f"/adaccounts/{ad_account_id}/media"
        return self._write("create_media", "media", "POST", path, items, idempotency_key)

    def get_media(self, media_id: str) -> Any:
        return self._get_one("get_media", "media", f"/media/{media_id}")

    def media_preview(self, media_id: str) -> dict[str, Any]:
        """`GET /media/{id}/preview`: the answer as Snap sends it (its shape is unconfirmed)."""
        path = f"/media/{media_id}/preview"
        return self._request(_Call("media_preview", "GET", self._url(path)))

    def media_thumbnail(self, media_id: str) -> dict[str, Any]:
        """`GET /media/{id}/thumbnail`: the answer as Snap sends it (its shape is unconfirmed)."""
        path = f"/media/{media_id}/thumbnail"
        return self._request(_Call("media_thumbnail", "GET", self._url(path)))

    def list_media(self, ad_account_id: str, **params: Any) -> list[Any]:
        path = f"/adaccounts/{ad_account_id}/media"
        return self._list("list_media", "adaccounts", "media", path, params)

    def upload_media(
        self,
        media_id: str,
        content: bytes | IO[bytes],
        *,
        file_name: str,
        idempotency_key: str,
        part_bytes: int = UPLOAD_PART_BYTES,
        simple_max_bytes: int | None = None,
    ) -> Any:
        """Upload a file into a media entity: one request up to `simple_max_bytes`
        (default SIMPLE_UPLOAD_MAX_BYTES, 32 MB), else chunked.

        Re-sending an upload to the same media id has the same effect, so upload requests
        are retried like updates.
        """
        stream = io.BytesIO(content) if isinstance(content, bytes | bytearray) else content
        size = stream.seek(0, io.SEEK_END)
        stream.seek(0)
        if size <= (SIMPLE_UPLOAD_MAX_BYTES if simple_max_bytes is None else simple_max_bytes):
            return self._upload_simple(media_id, stream.read(), file_name, idempotency_key)
        return self._upload_chunked(media_id, stream, size, file_name, idempotency_key, part_bytes)

    def _upload_simple(self, media_id: str, data: bytes, file_name: str, key: str) -> Any:
        call = _Call(
            "upload_media",
            "POST",
            self._url(f"/media/{media_id}/upload"),
            files={"file": (file_name, data)},
            idempotency_key=f"{key}:upload",
        )
        answer = self._send_write(call, "media", [])
        return envelope.to_model("media", _field(call.operation, answer, "result"))

    def _upload_chunked(
        self, media_id: str, stream: IO[bytes], size: int, file_name: str, key: str, part: int
    ) -> Any:
        """multipart-upload-v2: INIT, one ADD per part (1-based), FINALIZE (Snap docs: Media)."""
        parts = math.ceil(size / part)
        url = self._url(f"/media/{media_id}/multipart-upload-v2")
        fields = {"file_name": file_name, "file_size": str(size), "number_of_parts": str(parts)}
        init = self._send_write(_upload_call(url, "INIT", fields, None, f"{key}:init"), "media", [])
        upload_id = str(_field("upload_media", init, "upload_id"))
        add_url = self._rebase(str(_field("upload_media", init, "add_path")))
        finalize_url = self._rebase(str(_field("upload_media", init, "finalize_path")))
        for number in range(1, parts + 1):
            fields = {"part_number": str(number), "upload_id": upload_id}
            file = (file_name, stream.read(part))
            call = _upload_call(add_url, None, fields, file, f"{key}:part-{number}")
            self._send_write(call, "media", [])
        call = _upload_call(finalize_url, None, {"upload_id": upload_id}, None, f"{key}:finalize")
        answer = self._send_write(call, "media", [])
        return envelope.to_model("media", _field(call.operation, answer, "result"))

    # --- Creatives --------------------------------------------------------------------

    def create_creatives(
        self, ad_account_id: str, items: Sequence[Mapping[str, Any]], *, idempotency_key: str
    ) -> list[Any]:
        path = f"/adaccounts/{ad_account_id}/creatives"
        return self._write("create_creative", "creatives", "POST", path, items, idempotency_key)

    def update_creatives(
        self, ad_account_id: str, items: Sequence[Mapping[str, Any]], *, idempotency_key: str
    ) -> list[Any]:
        """PUT of whole creatives (Snap docs: Creatives; partial update unconfirmed)."""
        path = f"/adaccounts/{ad_account_id}/creatives"
        return self._write("update_creative", "creatives", "PUT", path, items, idempotency_key)

    def get_creative(self, creative_id: str) -> Any:
        return self._get_one("get_creative", "creatives", f"/creatives/{creative_id}")

    def list_creatives(self, ad_account_id: str, **params: Any) -> list[Any]:
        path = f"/adaccounts/{ad_account_id}/creatives"
        return self._list("list_creatives", "adaccounts", "creatives", path, params)

    # --- Stats ------------------------------------------------------------------------

    def stats(
        self,
        level: str,
        entity_id: str,
        *,
        granularity: str,
        fields: Sequence[str] | str,
        start_time: datetime | str | None = None,
        end_time: datetime | str | None = None,
        breakdown: str | None = None,
        **params: Any,
    ) -> list[Any]:
        """`GET /{level}s/{id}/stats`: one stat object per entity (`total_stat`,
        `timeseries_stat` or `lifetime_stat`), breakdown pages merged into it.

        `params` pass through: swipe_up_attribution_window, view_attribution_window,
        action_report_time, conversion_source_types, omit_empty, limit, ...
        """
        plural = query.STATS_LEVELS.get(level)
        if plural is None:
            raise ValidationError(f"unknown stats level {level!r}", field="level")
        checked = query.stats_query(
            plural, granularity, fields, start_time, end_time, breakdown, params
        )
        call = _Call(f"get_{plural[:-1]}_stats", "GET", self._url(f"/{plural}/{entity_id}/stats"))
        key = query.STATS_GRANULARITY_KEYS[checked["granularity"]]
        merged: list[dict[str, Any]] = []
        for body in self._pages(replace(call, params=checked)):
            envelope.merge_stat_pages(merged, _stat_objects(body, key, call.operation))
        return [models.Stat.model_validate(stat) for stat in merged]

    # --- Entity layer -----------------------------------------------------------------

    def _get_one(
        self, operation: str, kind: str, path: str, params: Mapping[str, Any] | None = None
    ) -> Any:
        call = _Call(operation, "GET", self._url(path), params=query.query_params(params or {}))
        found = self._entities(call, kind)
        if not found:
            raise NotFound(
                f"Snapchat Ads {operation}: 404 — not in the answer", operation=operation
            )
        return found[0]

    def _entities(self, call: _Call, kind: str) -> list[Any]:
        """One answer's entities; a failed item in a read is an error."""
        body = self._request(call)
        items = _items(call.operation, body, kind)
        if items.failed:
            raise _item_error(call.operation, body, items.failed[0])
        return [envelope.to_model(kind, entity) for _, entity in items.succeeded]

    def _list(
        self, operation: str, parent: str, kind: str, path: str, params: Mapping[str, Any]
    ) -> list[Any]:
        """Every page of a list, following `paging.next_link` to the end."""
        checked = query.list_query(parent, kind, params)
        found: list[Any] = []
        for body in self._pages(_Call(operation, "GET", self._url(path), params=checked)):
            items = _items(operation, body, kind)
            if items.failed:
                raise _item_error(operation, body, items.failed[0])
            found.extend(envelope.to_model(kind, entity) for _, entity in items.succeeded)
        return found

    def _pages(self, call: _Call) -> Iterator[dict[str, Any]]:
        while True:
            body = self._request(call)
            yield body
            link = envelope.next_link(body)
            if link is None:
                return
            call = replace(call, url=self._rebase(link), params=None)

    def _write(
        self,
        operation: str,
        kind: str,
        method: str,
        path: str,
        items: Sequence[Mapping[str, Any]],
        idempotency_key: str,
        context: Mapping[str, Any] | None = None,
    ) -> list[Any]:
        """Validate every item, send them in chunks of `BULK_LIMITS[kind]`, parse results.

        Raises PartialFailure when some items failed (the succeeded ones ride on it). A
        request-level error stops sending; if nothing succeeded before it, it is raised
        as is, otherwise the items of that chunk and of the unsent ones are reported failed.
        """
        bulk.require_key(operation, idempotency_key)
        op = "create" if method == "POST" else "update"
        cleaned = bulk.validated(kind, items, op, context or {})
        chunks = bulk.chunks(kind, cleaned)
        size = rules.BULK_LIMITS[kind]
        done: list[tuple[int, Any]] = []
        failed: list[dict[str, Any]] = []
        for index, chunk in enumerate(chunks):
            offset = index * size
            call = _Call(
                operation,
                method,
                self._url(path),
                json=envelope.wrap(kind, chunk),
                idempotency_key=bulk.chunk_key(idempotency_key, index, len(chunks)),
                idempotent=method != "POST",
            )
            try:
                body = self._send_write(call, kind, chunk)
                answered = _items(operation, body, kind, sent=len(chunk))
            except SnapError as exc:
                if not done and not failed:
                    raise
                failed.extend(bulk.chunk_failures(exc, cleaned, offset, size))
                break
            bulk.collect(answered, chunk, offset, kind, done, failed)
        return bulk.outcome(operation, cleaned, done, failed)

    def _send_write(self, call: _Call, kind: str, items: Sequence[Mapping[str, Any]]) -> dict:
        """The network step of every write; the dry-run client replaces only this."""
        return self._request(call)

    def _delete(self, operation: str, path: str, idempotency_key: str) -> None:
        bulk.require_key(operation, idempotency_key)
        call = _Call(operation, "DELETE", self._url(path), idempotency_key=idempotency_key)
        self._send_write(call, "", [])

    # --- Transport layer --------------------------------------------------------------

    def _request(self, call: _Call) -> dict[str, Any]:
        """Send with retries; after a 401, refresh the token once and try once more."""
        try:
            return self._send_with_retries(call)
        except Unauthorized as first:
            if self._token_provider is None:
                raise
            try:
                self._token_provider.refresh()
            except Unauthorized as exc:
                raise _unauthorized(call.operation, first) from exc
            # Any other refresh error (token endpoint 5xx, unreachable) propagates as
            # itself: an outage is retryable, not a refused token (no re-authorisation).
            try:
                return self._send_with_retries(call)
            except Unauthorized as second:
                raise _unauthorized(call.operation, second) from second

    def _send_with_retries(self, call: _Call) -> dict[str, Any]:
        loop = retry.retrying(
            idempotent=call.idempotent,
            has_key=call.idempotency_key is not None,
            max_attempts=self._max_attempts,
            max_elapsed_s=self._max_elapsed_s,
            sleep=self._sleep,
        )
        for attempt in loop:
            with attempt:
                return self._send_once(call, attempt.retry_state.attempt_number)
        raise AssertionError("unreachable: tenacity re-raises the last error")  # pragma: no cover

    def _send_once(self, call: _Call, attempt: int) -> dict[str, Any]:
        """One HTTP exchange: the only network call, and the one error boundary."""
        request = self._http.build_request(
            call.method,
            call.url,
            params=call.params,
            json=call.json,
            data=call.data,
            files=call.files,
            headers=self._headers(call),
            extensions={OPERATION_EXTENSION: call.operation},
        )
        try:
            response = self._http.send(request)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise ConnectError(
                _lost(call, exc, "could not connect"), operation=call.operation
            ) from exc
        except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            raise OutcomeUnknown(_lost(call, exc, "answer lost"), operation=call.operation) from exc
        except httpx.HTTPError as exc:
            raise TransportError(_lost(call, exc, "failed"), operation=call.operation) from exc
        if call.method == "DELETE" and response.status_code == 404 and attempt > 1:
            return {}  # an earlier attempt of this delete took effect
        return _answer(call, response)

    def _headers(self, call: _Call) -> dict[str, str]:
        headers = {}
        if self._token_provider is not None:
            headers["Authorization"] = f"Bearer {self._token_provider.access_token()}"
        if call.idempotency_key is not None:
            headers["Idempotency-Key"] = call.idempotency_key
            if call.files is not None:
                # A boundary derived from the key (httpx takes it from the header), so a
                # re-sent upload is byte-identical to the first, not "the same key with
                # another request" to a server that fingerprints bodies.
                boundary = hashlib.sha256(call.idempotency_key.encode()).hexdigest()[:32]
                headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        return headers

    def _url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def _rebase(self, link: str) -> str:
        """A Snap-given link (absolute `next_link`, server-relative `add_path`) on our origin.

        Only the path and query are kept, so the bearer token never goes to a host other
        than `base_url`'s (a sandbox's links may name another host).
        """
        parts = urlsplit(link)
        return f"{self._origin}{parts.path}" + (f"?{parts.query}" if parts.query else "")


def _upload_call(
    url: str, action: str | None, fields: Mapping[str, str], file: Any, key: str
) -> _Call:
    """A multipart-upload-v2 step: form fields as multipart parts (the doc's `curl -F`)."""
    files: dict[str, Any] = {name: (None, value) for name, value in fields.items()}
    if file is not None:
        files["file"] = file
    params = {"action": action} if action else None
    return _Call("upload_media", "POST", url, params=params, files=files, idempotency_key=key)


def _answer(call: _Call, response: httpx.Response) -> dict[str, Any]:
    """The JSON of a success, or the mapped error of anything else."""
    try:
        body = response.json() if response.content else {}
    except ValueError:
        body = None
    if response.status_code >= 400:
        raise _status_error(call.operation, response, body)
    try:
        # A delete's success is its status; every other answer must be the envelope.
        envelope.check(body, require_status=call.method != "DELETE")
    except envelope.Malformed as exc:
        what = "not JSON (an HTML page, or cut short)" if body is None else str(exc)
        raise _malformed(call.operation, body, what, response.status_code) from None
    assert isinstance(body, dict)
    if envelope.is_error(body.get("request_status")):
        raise _status_error(call.operation, response, body, status=400)
    return body  # SUCCESS, or PARTIAL (seen from the sandbox): the items decide


def _items(
    operation: str, body: Mapping[str, Any], kind: str, *, sent: int | None = None
) -> envelope.Unwrapped:
    """The answer's items by outcome; an answer not of Snap's shape is MalformedAnswer."""
    try:
        return envelope.unwrap_checked(body, kind, sent=sent)
    except envelope.Malformed as exc:
        raise _malformed(operation, body, str(exc)) from None


def _field(operation: str, body: Mapping[str, Any], key: str) -> Any:
    """One top-level value a non-list answer must carry (`me`, an upload's `result`)."""
    value = body.get(key)
    if value in (None, ""):
        raise _malformed(operation, body, f"the answer has no {key}")
    return value


def _malformed(operation: str, body: Any, what: str, http_status: int = 200) -> MalformedAnswer:
    said = envelope.api_message(body)
    return MalformedAnswer(
        f"Snapchat Ads {operation}: {http_status} — malformed answer: {what}",
        operation=operation,
        http_status=http_status,
        request_id=said.request_id,
        body=body if isinstance(body, dict) else None,
    )


def _status_error(
    operation: str, response: httpx.Response, body: Any, *, status: int | None = None
) -> StatusError:
    """The error for an error answer: class by status, Snap's own words attached."""
    http_status = response.status_code
    said = envelope.api_message(body)
    cls = error_for_status(status or http_status)
    if cls is Unauthorized:
        message = f"Snapchat Ads {operation} returned 401"
    else:
        message = f"Snapchat Ads {operation}: {http_status} — {said.text or response.reason_phrase}"
    kwargs: dict[str, Any] = {}
    if http_status == 429:
        kwargs["retry_after_s"] = retry.parse_retry_after(response.headers)
    return cls(
        message,
        operation=operation,
        http_status=http_status,
        request_id=said.request_id,
        error_code=said.error_code,
        debug_message=said.debug_message,
        display_message=said.display_message,
        body=body,
        **kwargs,
    )


def _unauthorized(operation: str, cause: SnapError) -> Unauthorized:
    return Unauthorized(
        f"Snapchat Ads {operation} returned 401",
        operation=operation,
        http_status=401,
        request_id=cause.request_id,
        error_code=cause.error_code,
        debug_message=cause.debug_message,
        display_message=cause.display_message,
    )


def _lost(call: _Call, exc: Exception, what: str) -> str:
    # The exception's class only: its text may carry the URL, never headers, but keep it short.
    return f"Snapchat Ads {call.operation}: {what} ({type(exc).__name__})"


def _item_error(operation: str, body: Mapping[str, Any], failure: Mapping[str, Any]):
    return error_for_status(400)(
        f"Snapchat Ads {operation}: {failure['message']}",
        operation=operation,
        request_id=envelope.api_message(body).request_id,
        error_code=failure.get("error_code"),
        body=body,
    )


def _check_parent(parent: str, allowed: tuple[str, ...]) -> None:
    if parent not in allowed:
        raise ValidationError(f"parent must be one of {', '.join(allowed)}", field="parent")


def _stat_objects(body: Mapping[str, Any], key: str, operation: str) -> list[dict[str, Any]]:
    items = _items(operation, body, key)
    if items.failed:
        raise _item_error(operation, body, items.failed[0])
    return [entity for _, entity in items.succeeded]
