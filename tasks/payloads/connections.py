"""The connect flow's payloads: authorize, complete (after the redirect), disconnect."""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from tasks.payloads.common import EntityId, Payload, field_error

TenantId = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^\S+$")]


def _absolute_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise ValueError("must be an absolute http(s) URL (the app's registered redirect URI)")
    return value


RedirectUri = Annotated[str, StringConstraints(max_length=2048), AfterValidator(_absolute_url)]


class ConnectionAuthorize(Payload):
    """snap.connection.authorize: the URL to send the user to, with a single-use state."""

    task_name: ClassVar[str] = "snap.connection.authorize"
    tenant_id: TenantId = Field(description="the dashboard tenant the connection is for")
    redirect_uri: RedirectUri = Field(
        description="where Snap sends the browser back; exactly the app's registered URI"
    )
    backfill_since: date | None = Field(
        default=None,
        description="also pull every account's stats history from this day once connected",
    )

    @model_validator(mode="after")
    def _not_future(self) -> ConnectionAuthorize:
        if self.backfill_since is not None and self.backfill_since > date.today():
            raise field_error("backfill_since", "must not be in the future")
        return self


class ConnectionComplete(Payload):
    """snap.connection.complete: exchange the redirect's code (once) and capture the accounts."""

    task_name: ClassVar[str] = "snap.connection.complete"
    code: Annotated[str, StringConstraints(min_length=1, max_length=2048)] = Field(
        description="the `code` query parameter of the redirect (single use)"
    )
    state: Annotated[str, StringConstraints(min_length=1, max_length=256)] = Field(
        description="the `state` query parameter of the redirect, as authorize issued it"
    )


class ConnectionDisconnect(Payload):
    """snap.connection.disconnect: delete the connection's refresh token (seed 000)."""

    task_name: ClassVar[str] = "snap.connection.disconnect"
    connection_id: EntityId | None = Field(default=None, description="the connection's id")
    tenant_id: TenantId | None = Field(default=None, description="or the tenant's id")

    @model_validator(mode="after")
    def _one_of(self) -> ConnectionDisconnect:
        if (self.connection_id is None) == (self.tenant_id is None):
            raise field_error("connection_id", "give connection_id or tenant_id (exactly one)")
        if self.connection_id is not None and not self.connection_id.isdigit():
            raise field_error("connection_id", "must be the number of a stored connection")
        return self
