"""OAuth connections: tokens in, tokens out, always through the cipher.

The refresh token (and the cached access token) are stored as Fernet ciphertext; nothing
here logs, returns in a repr or raises with a token in it. Disconnect deletes both.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from storage.cipher import TokenCipher
from storage.errors import NotFound
from storage.models.base import utcnow
from storage.models.connections import Connection, ConnectionState


def connect(
    session: Session,
    cipher: TokenCipher,
    *,
    tenant_id: str,
    client_id: str,
    refresh_token: str,
    access_token: str | None = None,
    access_token_expires_at: datetime | None = None,
    snap_user_id: str | None = None,
    now: datetime | None = None,
) -> Connection:
    """Store the tokens of a (re)connected tenant; the connection becomes active."""
    now = now or utcnow()
    found = for_tenant(session, tenant_id, client_id)
    row = found or Connection(tenant_id=tenant_id, client_id=client_id, created_at=now)
    row.state = ConnectionState.ACTIVE.value
    row.snap_user_id = snap_user_id or row.snap_user_id
    row.refresh_token_ciphertext = cipher.encrypt(refresh_token)
    row.access_token_ciphertext = cipher.encrypt(access_token) if access_token else None
    row.access_token_expires_at = access_token_expires_at if access_token else None
    row.reauth_reason = None
    row.connected_at = now
    row.disconnected_at = None
    session.add(row)
    session.flush()
    return row


def get(session: Session, connection_id: int) -> Connection:
    row = session.get(Connection, connection_id, populate_existing=True)
    if row is None:
        raise NotFound(f"connection {connection_id} does not exist")
    return row


def state_of(session: Session, connection_id: int) -> str | None:
    """The connection's state as stored now (None if there is no such connection)."""
    return session.scalar(select(Connection.state).where(Connection.id == connection_id))


def for_tenant(session: Session, tenant_id: str, client_id: str) -> Connection | None:
    stmt = select(Connection).where(
        Connection.tenant_id == tenant_id, Connection.client_id == client_id
    )
    return session.scalars(stmt).one_or_none()


def active(session: Session) -> list[Connection]:
    stmt = select(Connection).where(Connection.state == ConnectionState.ACTIVE.value)
    return list(session.scalars(stmt.order_by(Connection.id)))


def refresh_token(cipher: TokenCipher, connection: Connection) -> str | None:
    """The plaintext refresh token, or None once disconnected."""
    if connection.refresh_token_ciphertext is None:
        return None
    return cipher.decrypt(connection.refresh_token_ciphertext)


def access_token(
    cipher: TokenCipher, connection: Connection, *, now: datetime | None = None
) -> str | None:
    """The cached access token while it is still valid, else None (refresh first)."""
    expires_at = connection.access_token_expires_at
    if connection.access_token_ciphertext is None or expires_at is None:
        return None
    if expires_at <= (now or utcnow()):
        return None
    return cipher.decrypt(connection.access_token_ciphertext)


def store_refreshed(
    session: Session,
    cipher: TokenCipher,
    connection_id: int,
    *,
    access_token: str,
    expires_in_s: float,
    refresh_token: str | None = None,
    now: datetime | None = None,
) -> Connection:
    """Keep a refreshed access token, and the rotated refresh token if Snap sent one."""
    now = now or utcnow()
    row = get(session, connection_id)
    row.access_token_ciphertext = cipher.encrypt(access_token)
    row.access_token_expires_at = now + timedelta(seconds=expires_in_s)
    if refresh_token:
        row.refresh_token_ciphertext = cipher.encrypt(refresh_token)
    row.last_refreshed_at = now
    row.refresh_locked_by = None
    row.refresh_locked_until = None
    session.flush()
    return row


def due_for_refresh(
    session: Session, *, margin_s: float, now: datetime | None = None
) -> list[Connection]:
    """Active connections whose access token is missing or expires within `margin_s`."""
    horizon = (now or utcnow()) + timedelta(seconds=margin_s)
    stmt = select(Connection).where(
        Connection.state == ConnectionState.ACTIVE.value,
        (Connection.access_token_expires_at.is_(None))
        | (Connection.access_token_expires_at <= horizon),
    )
    return list(session.scalars(stmt.order_by(Connection.id)))


def lock_refresh(
    session: Session,
    connection_id: int,
    *,
    worker_id: str,
    lease_s: float,
    now: datetime | None = None,
) -> bool:
    """Take the right to refresh this connection's token (one worker at a time)."""
    now = now or utcnow()
    result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(Connection)
        .where(
            Connection.id == connection_id,
            (Connection.refresh_locked_until.is_(None)) | (Connection.refresh_locked_until <= now),
        )
        .values(refresh_locked_by=worker_id, refresh_locked_until=now + timedelta(seconds=lease_s))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def release_refresh(session: Session, connection_id: int, *, worker_id: str) -> None:
    """Give back the right to refresh, if `worker_id` still holds it (after a transient
    failure, so the retry need not wait for the lease to run out)."""
    session.execute(
        update(Connection)
        .where(Connection.id == connection_id, Connection.refresh_locked_by == worker_id)
        .values(refresh_locked_by=None, refresh_locked_until=None)
        .execution_options(synchronize_session=False)
    )


def mark_needs_reauth(session: Session, connection_id: int, reason: str) -> Connection:
    """A refused refresh: the tenant must connect again (`Snapchat Ads /me returned 401`)."""
    row = get(session, connection_id)
    row.state = ConnectionState.NEEDS_REAUTH.value
    row.reauth_reason = reason
    row.access_token_ciphertext = None
    row.access_token_expires_at = None
    row.refresh_locked_by = None
    row.refresh_locked_until = None
    session.flush()
    return row


def disconnect(session: Session, connection_id: int, *, now: datetime | None = None) -> Connection:
    """Delete the refresh token (and the cached access token); keep the row for history."""
    row = get(session, connection_id)
    row.state = ConnectionState.DISCONNECTED.value
    row.refresh_token_ciphertext = None
    row.access_token_ciphertext = None
    row.access_token_expires_at = None
    row.disconnected_at = now or utcnow()
    session.flush()
    return row


def rotate_encryption(session: Session, cipher: TokenCipher) -> int:
    """Re-encrypt every stored token under the cipher's newest key; returns tokens rotated."""
    rotated = 0
    for row in session.scalars(select(Connection).order_by(Connection.id)):
        for column in ("refresh_token_ciphertext", "access_token_ciphertext"):
            value = getattr(row, column)
            if value is not None:
                setattr(row, column, cipher.rotate(value))
                rotated += 1
    session.flush()
    return rotated
