"""The creative payload and its per-type properties (Snap docs: Creatives)."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, HttpUrl, StringConstraints, model_validator

from snap import rules
from tasks.payloads.common import (
    AccountPayload,
    CallToAction,
    CreativeType,
    CropPosition,
    EntityId,
    MicroConverter,
    Name,
    Payload,
    field_error,
    not_blank,
)


class WebViewProperties(Payload):
    """Snap docs: Creatives: `web_view_properties` (WEB_VIEW)."""

    url: HttpUrl
    allow_snap_javascript_sdk: bool | None = None
    block_preload: bool | None = None


class AppProperties(Payload):
    """The app a creative installs or opens: at least one store id."""

    app_name: Annotated[
        str, StringConstraints(max_length=rules.APP_NAME_MAX_LEN), AfterValidator(not_blank)
    ]
    ios_app_id: str | None = None
    android_app_url: str | None = None
    icon_media_id: EntityId

    @model_validator(mode="after")
    def _one_store(self) -> AppProperties:
        if self.ios_app_id is None and self.android_app_url is None:
            raise field_error("ios_app_id", "give ios_app_id, android_app_url or both")
        return self


class DeepLinkProperties(AppProperties):
    """Snap docs: Creatives: `deep_link_properties` (DEEP_LINK)."""

    deep_link_uri: Annotated[str, StringConstraints(min_length=1)]
    fallback_type: str | None = None
    web_view_fallback_url: HttpUrl | None = None


class CreativeCreate(AccountPayload):
    """snap.creative.create: bind uploaded media into a creative (Snap docs: Creatives)."""

    task_name: ClassVar[str] = "snap.creative.create"
    name: Name
    type: CreativeType
    headline: Annotated[
        str,
        StringConstraints(max_length=rules.CREATIVE_HEADLINE_MAX_LEN),
        AfterValidator(not_blank),
    ]
    brand_name: (
        Annotated[str, StringConstraints(max_length=rules.CREATIVE_BRAND_NAME_MAX_LEN)] | None
    ) = None
    profile_id: EntityId | None = None
    top_snap_media_id: EntityId
    top_snap_crop_position: CropPosition | None = None
    shareable: bool | None = None
    call_to_action: CallToAction | None = None
    web_view_properties: WebViewProperties | None = None
    app_install_properties: AppProperties | None = None
    deep_link_properties: DeepLinkProperties | None = None

    @model_validator(mode="after")
    def _properties_match_type(self) -> CreativeCreate:
        if self.brand_name is None and self.profile_id is None:
            raise field_error("brand_name", "is required unless profile_id is given")
        for creative_type, field in rules.CREATIVE_TYPE_PROPERTIES.items():
            given = getattr(self, field) is not None
            if given != (self.type == creative_type):
                verb = "is required for" if not given else "is only for"
                raise field_error(field, f"{verb} {creative_type} creatives")
        return self

    def to_snap_item(self, to_micro: MicroConverter | None = None) -> dict[str, Any]:
        """The `creatives[]` item of `POST /adaccounts/{id}/creatives`."""
        item = self.model_dump(mode="json", exclude_none=True, exclude={"profile_id"})
        if self.profile_id is not None:
            item["profile_properties"] = {"profile_id": self.profile_id}
        return item
