"""The read payloads: organizations, ad accounts, and campaigns, ad squads and ads.

Reads answer from the fleet's mirrors (with how fresh each entity is) unless `fresh` is
true, which reads through to Snap (gated, in the mutation lane). Answers are paged:
`limit` rows per page (default 100, at most 1000) and `cursor`, the `next_cursor` of
the previous page.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field, StringConstraints, model_validator

from tasks.payloads.common import AccountPayload, EntityId, Payload, field_error
from tasks.payloads.connections import TenantId

PAGE_LIMIT_DEFAULT = 100
PAGE_LIMIT_MAX = 1000
EntityStatus = Literal["ACTIVE", "PAUSED"]
Cursor = Annotated[str, StringConstraints(min_length=1, max_length=128)]


class Paged(Payload):
    limit: int = Field(PAGE_LIMIT_DEFAULT, ge=1, le=PAGE_LIMIT_MAX, description="rows per page")
    cursor: Cursor | None = Field(default=None, description="`next_cursor` of the last page")


class ConnectionScoped(Paged):
    """Whose accounts: a connection id or a tenant id (exactly one)."""

    connection_id: EntityId | None = None
    tenant_id: TenantId | None = None

    @model_validator(mode="after")
    def _one_owner(self) -> ConnectionScoped:
        if (self.connection_id is None) == (self.tenant_id is None):
            raise field_error("connection_id", "give connection_id or tenant_id (exactly one)")
        if self.connection_id is not None and not self.connection_id.isdigit():
            raise field_error("connection_id", "must be the number of a stored connection")
        return self


class OrganizationsList(ConnectionScoped):
    """snap.organizations.list: the organizations a connection may act on."""

    task_name: ClassVar[str] = "snap.organizations.list"
    fresh: bool = Field(False, description="read /me/organizations from Snap first")


class AdAccountsList(ConnectionScoped):
    """snap.adaccounts.list: ad accounts with currency, time zone, status and last sync."""

    task_name: ClassVar[str] = "snap.adaccounts.list"
    organization_id: EntityId | None = None
    statuses: list[Annotated[str, StringConstraints(min_length=1, max_length=32)]] | None = Field(
        default=None, min_length=1, description="only these ad account statuses"
    )
    fresh: bool = Field(False, description="read the organizations' ad accounts from Snap first")


class EntityList(AccountPayload, Paged):
    """One entity kind of one ad account, filtered by parent and status."""

    kind: ClassVar[str]
    parent_field: ClassVar[str | None] = None
    statuses: list[EntityStatus] | None = Field(default=None, min_length=1)
    include_deleted: bool = Field(False, description="also entities Snap no longer lists")
    fresh: bool = Field(False, description="read through to Snap (gated) instead of the mirror")

    @property
    def parent_id(self) -> str | None:
        return getattr(self, self.parent_field) if self.parent_field else None


class CampaignList(EntityList):
    """snap.campaign.list: an ad account's campaigns, from the mirror or fresh from Snap."""

    task_name: ClassVar[str] = "snap.campaign.list"
    kind: ClassVar[str] = "campaigns"


class AdSquadList(EntityList):
    """snap.adsquad.list: an ad account's ad squads, optionally of one campaign."""

    task_name: ClassVar[str] = "snap.adsquad.list"
    kind: ClassVar[str] = "adsquads"
    parent_field: ClassVar[str | None] = "campaign_id"
    campaign_id: EntityId | None = None


class AdList(EntityList):
    """snap.ad.list: an ad account's ads, optionally of one ad squad."""

    task_name: ClassVar[str] = "snap.ad.list"
    kind: ClassVar[str] = "ads"
    parent_field: ClassVar[str | None] = "ad_squad_id"
    ad_squad_id: EntityId | None = None
