"""Ad rules of seed 001 (Snap's Ads page; docs/architecture.md, Sources)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from snap.rules.common import (
    AD_STATUSES,
    Item,
    Violation,
    _check_op,
    _deprecated,
    _enums,
    _identity,
    _name,
)

# seed 001 Attributes: type. seed 001's mapping table and seed 004's goal tables spell the
# lens web view ad LENS_REMOTE_WEBPAGE, so both spellings are accepted.
AD_TYPES: frozenset[str] = frozenset(
    {
        "SNAP_AD",
        "APP_INSTALL",
        "REMOTE_WEBPAGE",
        "DEEP_LINK",
        "STORY",
        "AD_TO_LENS",
        "AD_TO_CALL",
        "AD_TO_MESSAGE",
        "FILTER",
        "LENS",
        "LENS_WEB_VIEW",
        "LENS_REMOTE_WEBPAGE",
        "LENS_APP_INSTALL",
        "LENS_DEEP_LINK",
        "COLLECTION",
        "LEAD_GENERATION",
    }
)
# seed 001 "Ad Type <-> Creative Type Mapping". FILTER has no row: not checked.
AD_TYPE_TO_CREATIVE_TYPE: dict[str, str] = {
    "APP_INSTALL": "APP_INSTALL",
    "SNAP_AD": "SNAP_AD",
    "REMOTE_WEBPAGE": "WEB_VIEW",
    "DEEP_LINK": "DEEP_LINK",
    "STORY": "COMPOSITE",
    "AD_TO_LENS": "AD_TO_LENS",
    "AD_TO_CALL": "AD_TO_CALL",
    "AD_TO_MESSAGE": "AD_TO_MESSAGE",
    "LENS": "LENS",
    "LENS_REMOTE_WEBPAGE": "LENS_WEB_VIEW",
    "LENS_WEB_VIEW": "LENS_WEB_VIEW",  # the type enum's spelling of the row above
    "LENS_APP_INSTALL": "LENS_APP_INSTALL",
    "LENS_DEEP_LINK": "LENS_DEEP_LINK",
    "COLLECTION": "COLLECTION",
    "LEAD_GENERATION": "LEAD_GENERATION",
}
# seed 001 Attributes (R column) for a create.
AD_REQUIRED_FIELDS: tuple[str, ...] = ("ad_squad_id", "creative_id", "name", "status", "type")
# seed 001 "Update an Ad / Attributes that can be updated".
AD_UPDATABLE_FIELDS: frozenset[str] = frozenset(
    {"name", "status", "on_swipe_tracking_urls", "third_party_tracking_urls"}
)
AD_UPDATE_REQUIRED_FIELDS: tuple[str, ...] = ("name", "status")
# seed 001 "Approved Third Party Tracking URL domains" and "Notes: Ensure all tags are
# secure and use https".
TRACKING_URL_FIELDS: tuple[str, ...] = (
    "third_party_on_swipe_tracking_urls",
    "third_party_paid_impression_tracking_urls",
)
TRACKING_URL_DOMAINS: frozenset[str] = frozenset(
    {"secure-gl.imrworldwide.com", "ad.doubleclick.net", "pixel.adsafeprotected.com"}
)


def check_ad(item: Item, *, op: str, creative_type: str | None = None) -> list[Violation]:
    """Ad rules of seed 001; the ad type to creative type mapping when `creative_type`
    (the type of the creative the ad points at) is known."""
    _check_op(op)
    found = _identity(item, op, AD_REQUIRED_FIELDS)
    found += _name(item)
    found += _enums(item, _AD_ENUMS)
    found += _deprecated(item, op, "ads")
    found += _tracking_urls(item)
    found += _ad_creative_type(item, creative_type)
    return found


_AD_ENUMS: dict[str, frozenset[str]] = {"status": AD_STATUSES, "type": AD_TYPES}


def _ad_creative_type(item: Item, creative_type: str | None) -> list[Violation]:
    """seed 001 "Ad Type <-> Creative Type Mapping"."""
    expected = AD_TYPE_TO_CREATIVE_TYPE.get(item.get("type") or "")
    if creative_type is None or expected is None or creative_type == expected:
        return []
    return [
        Violation(
            "type", f"ad type {item['type']} requires a {expected} creative, not {creative_type}"
        )
    ]


def _tracking_urls(item: Item) -> list[Violation]:
    """seed 001 "Approved Third Party Tracking URL domains" and "use https"."""
    found = []
    for field in TRACKING_URL_FIELDS:
        urls = item.get(field)
        if urls is None:
            continue
        if not isinstance(urls, list):
            found.append(Violation(field, f"{field} must be a list of URLs"))
            continue
        found += [v for i, url in enumerate(urls) for v in _tracking_url(f"{field}[{i}]", url)]
    return found


def _tracking_url(path: str, url: Any) -> list[Violation]:
    if isinstance(url, Mapping):  # the API answers with {"tracking_url": ..., ...}
        url = url.get("tracking_url")
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme != "https":
        return [Violation(path, "tracking URL must be an https URL")]
    if parts.hostname not in TRACKING_URL_DOMAINS:
        return [
            Violation(
                path,
                f"tracking URL domain must be one of {', '.join(sorted(TRACKING_URL_DOMAINS))}",
            )
        ]
    return []
