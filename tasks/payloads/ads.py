"""Ad payloads: create, update, pause, resume, delete (seed 001)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from tasks.payloads.common import (
    AccountPayload,
    AdType,
    Change,
    EntityId,
    MicroConverter,
    Name,
    Status,
    StatusChange,
    carried,
    compact,
)


class AdCreate(AccountPayload):
    """snap.ad.create: bind a creative into an ad squad (seed 001 "Create an Ad")."""

    task_name: ClassVar[str] = "snap.ad.create"
    ad_squad_id: EntityId
    creative_id: EntityId
    name: Name
    type: AdType
    status: Status = "PAUSED"

    def to_snap_item(self, to_micro: MicroConverter | None = None) -> dict[str, Any]:
        """The `ads[]` item of `POST /adsquads/{ad_squad_id}/ads` (no money in an ad)."""
        return {
            "ad_squad_id": self.ad_squad_id,
            "creative_id": self.creative_id,
            "name": self.name,
            "type": self.type,
            "status": self.status,
        }


class AdUpdate(Change):
    """snap.ad.update: rename an ad or change its status (seed 001 updatable attributes)."""

    task_name: ClassVar[str] = "snap.ad.update"
    id_fields: ClassVar[tuple[str, ...]] = ("ad_account_id", "ad_id")
    ad_id: EntityId
    name: Name | None = None
    status: Status | None = None

    def to_snap_item(
        self, to_micro: MicroConverter | None = None, *, current: Mapping[str, Any]
    ) -> dict[str, Any]:
        """The `ads[]` item of the PUT: the current ad with the changes on top."""
        changes = compact({"name": self.name, "status": self.status})
        return {**carried("ads", current), "id": self.ad_id, **changes}


class AdPause(StatusChange):
    """snap.ad.pause: set the ad PAUSED."""

    task_name: ClassVar[str] = "snap.ad.pause"
    kind: ClassVar[str] = "ads"
    target_status: ClassVar[Status] = "PAUSED"
    id_field: ClassVar[str] = "ad_id"
    ad_id: EntityId


class AdResume(AdPause):
    """snap.ad.resume: set the ad ACTIVE."""

    task_name: ClassVar[str] = "snap.ad.resume"
    target_status: ClassVar[Status] = "ACTIVE"


class AdDelete(AccountPayload):
    """snap.ad.delete: `DELETE /ads/{id}`; no body."""

    task_name: ClassVar[str] = "snap.ad.delete"
    ad_id: EntityId
