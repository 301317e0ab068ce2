"""The media upload payload: a media entity, its file, the wait until READY."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import Field, HttpUrl, StringConstraints, model_validator

from tasks.payloads.common import AccountPayload, MediaType, MicroConverter, Name, field_error


class MediaUpload(AccountPayload):
    """snap.media.upload: create a media entity, upload the file, wait until READY."""

    task_name: ClassVar[str] = "snap.media.upload"
    name: Name
    media_type: MediaType
    source_url: HttpUrl | None = None
    file_path: Annotated[str, StringConstraints(min_length=1)] | None = None
    wait_ready_timeout_s: float | None = Field(default=None, gt=0, le=3600)

    @model_validator(mode="after")
    def _one_source(self) -> MediaUpload:
        if (self.source_url is None) == (self.file_path is None):
            raise field_error("source_url", "give exactly one of source_url, file_path")
        return self

    def to_snap_item(self, to_micro: MicroConverter | None = None) -> dict[str, Any]:
        """The `media[]` item of `POST /adaccounts/{id}/media` (the file goes up afterwards)."""
        return {"name": self.name, "type": self.media_type, "ad_account_id": self.ad_account_id}
