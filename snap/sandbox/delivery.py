"""What the API shows about delivery, computed at read time from state and spend.

`review_status` (ads: PENDING, APPROVED, REJECTED with `review_status_reasons`) and
`delivery_status` (an array of codes, Snap docs: Delivery status): caps hit show
`INVALID_OVER_BUDGET_*` while `status` stays ACTIVE; a paused entity shows
`INVALID_NOT_ACTIVE` and its children `INVALID_NOT_EFFECTIVE_ACTIVE`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from snap.sandbox.ledger import SpendLedger, parse_time, review_status_at
from snap.sandbox.store import EntityStore, Record

# kind -> (daily cap code, lifetime cap code)
CAP_CODES = {
    "adaccounts": (None, "INVALID_OVER_BUDGET_AD_ACCOUNT_REALTIME_LIFETIME_SPEND"),
    "campaigns": (
        "INVALID_OVER_BUDGET_CAMPAIGN_DAILY_SPEND",
        "INVALID_OVER_BUDGET_CAMPAIGN_REALTIME_LIFETIME_SPEND",
    ),
    "adsquads": (
        "INVALID_OVER_BUDGET_AD_SQUAD_DAILY_SPEND",
        "INVALID_OVER_BUDGET_AD_SQUAD_REALTIME_LIFETIME_SPEND",
    ),
}
LIFETIME_CAP_FIELD = {
    "adaccounts": "lifetime_spend_cap_micro",
    "campaigns": "lifetime_spend_cap_micro",
    "adsquads": "lifetime_budget_micro",
}
PARENT_OF = {"campaigns": "ad_account_id", "adsquads": "campaign_id", "ads": "ad_squad_id"}


class DeliveryView:
    def __init__(self, store: EntityStore, ledger: SpendLedger) -> None:
        self.store, self.ledger = store, ledger

    def codes(self, record: Record, now: datetime) -> list[str]:
        """The `delivery_status` array of an ad account, campaign, ad squad or ad."""
        own = self._own_codes(record, now)
        if self._parent_blocks(record, now):
            own.append("INVALID_NOT_EFFECTIVE_ACTIVE")
        return own or ["VALID"]

    def _own_codes(self, record: Record, now: datetime) -> list[str]:
        entity, codes = record.entity, []
        if entity.get("status") != "ACTIVE":
            codes.append("INVALID_NOT_ACTIVE")
        start, end = parse_time(entity.get("start_time")), parse_time(entity.get("end_time"))
        if start and start > now:
            codes.append("INVALID_START_TIME")
        if end and end <= now:
            codes.append("INVALID_END_TIME")
        codes += self._cap_codes(record, now)
        if record.kind == "ads":
            review = self.review_status(record, now)
            if review == "PENDING":
                codes.append("INVALID_PENDING_REVIEW_STATUS")
            elif review == "REJECTED":
                codes.append("INVALID_NOT_APPROVED_REVIEW_STATUS")
        return codes

    def _cap_codes(self, record: Record, now: datetime) -> list[str]:
        if record.kind not in CAP_CODES:
            return []
        daily_code, lifetime_code = CAP_CODES[record.kind]
        entity, codes = record.entity, []
        daily = entity.get("daily_budget_micro")
        if (
            daily_code
            and daily
            and self.ledger.day_spend(entity["id"], self.tz(record), now) >= int(daily)
        ):
            codes.append(daily_code)
        cap = entity.get(LIFETIME_CAP_FIELD[record.kind])
        if cap and self.ledger.lifetime_spend(entity["id"]) >= int(cap):
            codes.append(lifetime_code)
        return codes

    def _parent_blocks(self, record: Record, now: datetime) -> bool:
        parent = self.parent(record)
        if parent is None:
            return False
        return parent.deleted_at is not None or self.codes(parent, now) != ["VALID"]

    def parent(self, record: Record) -> Record | None:
        attribute = PARENT_OF.get(record.kind)
        return self.store.find(record.entity.get(attribute, "")) if attribute else None

    def tz(self, record: Record) -> str:
        account = self.store.find(record.ad_account_id or record.entity["id"])
        return account.entity["timezone"] if account else "UTC"

    def review_status(self, record: Record, now: datetime) -> str:
        return review_status_at(record, now, self.ledger.review_delay_s)

    def render(
        self,
        record: Record,
        now: datetime,
        *,
        show_deleted: bool = False,
        placement_v2: bool = True,
    ) -> dict[str, Any]:
        """The entity as the API returns it, with its read-time fields filled in.

        `placement_v2=False`: an ad squad read without `return_placement_v2=true`, which
        seed 004 documents as the parameter "for retrieving placement_v2 attribute".
        """
        entity = dict(record.entity)
        if record.kind == "adsquads" and not placement_v2:
            entity.pop("placement_v2", None)
        if record.kind in ("adaccounts", "campaigns", "adsquads", "ads"):
            entity["delivery_status"] = self.codes(record, now)
        if record.kind == "ads":
            entity["review_status"] = self.review_status(record, now)
            if entity["review_status"] == "REJECTED":
                entity["review_status_reasons"] = list(record.review_reasons)
        if show_deleted and record.deleted_at is not None:
            entity["deleted"] = True
        return entity
