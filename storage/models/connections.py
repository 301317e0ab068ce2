"""The OAuth connection of one dashboard tenant to one Snap app (client id)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class ConnectionState(StrEnum):
    ACTIVE = "active"
    NEEDS_REAUTH = "needs_reauth"
    DISCONNECTED = "disconnected"


class Connection(Base):
    """Tokens are Fernet ciphertext. The access token is cached (encrypted) too: the fleet
    refreshes it ahead of expiry in one worker at a time, and every other worker must read
    that fresh token instead of refreshing on its own (which would spend Snap's per-token
    budget and race the refresh-token rotation)."""

    __tablename__ = "connections"
    __table_args__ = (
        UniqueConstraint("tenant_id", "client_id", name="uq_connections_tenant_client"),
        CheckConstraint("state IN ('active', 'needs_reauth', 'disconnected')", name="state_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    tenant_id: Mapped[str] = mapped_column(String(128))
    client_id: Mapped[str] = mapped_column(String(128))
    state: Mapped[str] = mapped_column(String(20), default=ConnectionState.ACTIVE.value)
    snap_user_id: Mapped[str | None] = mapped_column(String(64))
    refresh_token_ciphertext: Mapped[str | None] = mapped_column(Text)
    access_token_ciphertext: Mapped[str | None] = mapped_column(Text)
    access_token_expires_at: Mapped[datetime | None]
    refresh_locked_by: Mapped[str | None] = mapped_column(String(128))
    refresh_locked_until: Mapped[datetime | None]
    reauth_reason: Mapped[str | None] = mapped_column(Text)
    connected_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_refreshed_at: Mapped[datetime | None]
    disconnected_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return (
            f"<Connection id={self.id!r} tenant_id={self.tenant_id!r} "
            f"client_id={self.client_id!r} state={self.state!r}>"
        )
