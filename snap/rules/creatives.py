"""Creative and media rules of Snap docs: Creatives and Snap docs: Media."""

from __future__ import annotations

from collections.abc import Mapping

from snap.rules.common import (
    Item,
    Violation,
    _bool,
    _check_op,
    _enums,
    _identity,
    _max_len,
    _name,
    _nested,
    _present,
)

# --- Creatives (Snap docs: Creatives) -----------------------------------------------

CREATIVE_TYPES: frozenset[str] = frozenset(
    {
        "SNAP_AD",
        "APP_INSTALL",
        "WEB_VIEW",
        "DEEP_LINK",
        "AD_TO_LENS",
        "AD_TO_CALL",
        "AD_TO_MESSAGE",
        "PREVIEW",
        "COMPOSITE",
        "LENS",
        "LENS_WEB_VIEW",
        "LENS_APP_INSTALL",
        "LENS_DEEP_LINK",
        "COLLECTION",
        "LEAD_GENERATION",
        # "older revisions/clients also know" these; Snap still returns them on old entities.
        "LONGFORM_VIDEO",
        "LENS_LONGFORM_VIDEO",
        "DYNAMIC",
    }
)
# Snap docs: Creatives, attributes: ad_account_id, name, type, headline and
# top_snap_media_id are R; brand_name is R unless profile_properties is set (newer
# revision). profile_properties is R on the current page only; it is not required here so
# accounts without a public profile keep working (closest documented reading).
CREATIVE_REQUIRED_FIELDS: tuple[str, ...] = (
    "ad_account_id",
    "name",
    "type",
    "headline",
    "top_snap_media_id",
)
CREATIVE_HEADLINE_MAX_LEN = 34
CREATIVE_BRAND_NAME_MAX_LEN = 32
APP_NAME_MAX_LEN = 30  # app_install_properties.app_name
TOP_SNAP_CROP_POSITIONS: frozenset[str] = frozenset({"OPTIMIZED", "MIDDLE", "TOP", "BOTTOM"})
FORCED_VIEW_ELIGIBILITY: frozenset[str] = frozenset({"FULL_DURATION", "SIX_SECONDS", "NONE"})
FAVORITE_DISPLAY_MODES: frozenset[str] = frozenset({"SHOW", "HIDE"})
# Snap docs: Creatives, call-to-action values (union; the per-type mapping is unconfirmed).
CALL_TO_ACTIONS: frozenset[str] = frozenset(
    {
        "BLANK",
        "INSTALL_NOW",
        "WATCH",
        "VIEW_MORE",
        "WATCH_EPISODE",
        "DOWNLOAD",
        "PLAY",
        "SHOP_NOW",
        "SIGN_UP",
        "USE_APP",
        "APPLY_NOW",
        "BOOK_NOW",
        "BUY_TICKETS",
        "GET_NOW",
        "LISTEN",
        "MORE",
        "ORDER_NOW",
        "READ",
        "SHOW",
        "SHOWTIMES",
        "VIEW",
        "OPEN_APP",
        "TRY",
    }
)
# Snap docs: Creatives, attributes: the properties object each creative type needs.
CREATIVE_TYPE_PROPERTIES: dict[str, str] = {
    "WEB_VIEW": "web_view_properties",
    "APP_INSTALL": "app_install_properties",
    "DEEP_LINK": "deep_link_properties",
}
# Snap docs: Creative elements: required inner fields (ios_app_id / android_app_url: one of).
CREATIVE_PROPERTIES_REQUIRED: dict[str, tuple[str, ...]] = {
    "web_view_properties": ("url",),
    "app_install_properties": ("app_name", "icon_media_id"),
    "deep_link_properties": ("deep_link_uri", "app_name", "icon_media_id"),
}
APP_ID_FIELDS: tuple[str, ...] = ("ios_app_id", "android_app_url")
# Snap docs: Creatives, "preview_creative_id: R for Story ads" (Story ads use COMPOSITE creatives).
CREATIVE_PREVIEW_REQUIRED_TYPES: frozenset[str] = frozenset({"COMPOSITE"})

# --- Media (Snap docs: Media) -------------------------------------------------------

MEDIA_TYPES: frozenset[str] = frozenset({"VIDEO", "IMAGE", "LENS_PACKAGE", "PLAYABLE"})
MEDIA_STATUSES: frozenset[str] = frozenset({"PENDING_UPLOAD", "READY", "ERROR"})
MEDIA_REQUIRED_FIELDS: tuple[str, ...] = ("ad_account_id", "name", "type")
# Snap docs: Media, size limits: simple upload up to 32 MB, chunked up to 1 GB.
MEDIA_SIMPLE_UPLOAD_MAX_BYTES = 32_000_000
MEDIA_CHUNKED_UPLOAD_MAX_BYTES = 1_000_000_000


def check_creative(item: Item, *, op: str) -> list[Violation]:
    """Creative rules of Snap docs: Creatives."""
    _check_op(op)
    found = _identity(item, op, CREATIVE_REQUIRED_FIELDS)
    found += _name(item)
    found += _max_len(item, "headline", CREATIVE_HEADLINE_MAX_LEN)
    found += _max_len(item, "brand_name", CREATIVE_BRAND_NAME_MAX_LEN)
    found += _enums(item, _CREATIVE_ENUMS)
    found += _bool(item, "shareable")
    found += _brand_name_required(item, op)
    found += _creative_properties(item, op)
    return found


def check_media(item: Item, *, op: str) -> list[Violation]:
    """Media rules of Snap docs: Media."""
    _check_op(op)
    found = _identity(item, op, MEDIA_REQUIRED_FIELDS)
    found += _name(item)
    found += _enums(item, {"type": MEDIA_TYPES})
    return found


# --- Creative rules (Snap docs: Creatives) ------------------------------------------

_CREATIVE_ENUMS: dict[str, frozenset[str]] = {
    "type": CREATIVE_TYPES,
    "top_snap_crop_position": TOP_SNAP_CROP_POSITIONS,
    "forced_view_eligibility": FORCED_VIEW_ELIGIBILITY,
    "favorite_display_mode": FAVORITE_DISPLAY_MODES,
    "call_to_action": CALL_TO_ACTIONS,
}


def _brand_name_required(item: Item, op: str) -> list[Violation]:
    if (
        op == "create"
        and not _present(item, "brand_name")
        and not _present(item, "profile_properties")
    ):
        return [Violation("brand_name", "brand_name is required unless profile_properties is set")]
    return []


def _creative_properties(item: Item, op: str) -> list[Violation]:
    """The properties object the creative type needs, and its required inner fields."""
    kind = item.get("type")
    found = []
    if (
        kind in CREATIVE_PREVIEW_REQUIRED_TYPES
        and op == "create"
        and not _present(item, "preview_creative_id")
    ):
        found.append(
            Violation(
                "preview_creative_id", f"preview_creative_id is required for {kind} creatives"
            )
        )
    field = CREATIVE_TYPE_PROPERTIES.get(kind or "")
    if field is None or (op == "update" and not _present(item, field)):
        return found
    props = item.get(field)
    if not isinstance(props, Mapping):
        return [*found, Violation(field, f"{field} is required for {kind} creatives")]
    return found + _nested(_properties_fields(field, props), field)


def _properties_fields(field: str, props: Item) -> list[Violation]:
    found = [
        Violation(f, f"{f} is required")
        for f in CREATIVE_PROPERTIES_REQUIRED[field]
        if not _present(props, f)
    ]
    found += _max_len(props, "app_name", APP_NAME_MAX_LEN)
    if field != "web_view_properties" and not any(_present(props, f) for f in APP_ID_FIELDS):
        found.append(Violation("ios_app_id", "one of ios_app_id or android_app_url is required"))
    return found
