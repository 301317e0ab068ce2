"""Tokens at rest: unreadable without the key, rotatable, deleted on disconnect, never shown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from storage import connections
from storage.cipher import TokenCipher
from storage.errors import EncryptionKeyMissing, NotFound, TokenUnreadable
from storage.models import ConnectionState

REFRESH = "rt-very-secret-refresh-token"
ACCESS = "at-very-secret-access-token"
T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.fixture
def key() -> str:
    return Fernet.generate_key().decode()


def _connect(s: Session, cipher: TokenCipher) -> int:
    row = connections.connect(
        s,
        cipher,
        tenant_id="tenant-1",
        client_id="client-1",
        refresh_token=REFRESH,
        access_token=ACCESS,
        access_token_expires_at=T0 + timedelta(seconds=1800),
    )
    return row.id


def _raw_tokens(s: Session, connection_id: int) -> tuple[str | None, str | None]:
    row = s.execute(
        text(
            "SELECT refresh_token_ciphertext, access_token_ciphertext "
            "FROM connections WHERE id = :id"
        ),
        {"id": connection_id},
    ).one()
    return row[0], row[1]


def test_tokens_in_the_table_are_unreadable_without_the_key(
    factory: sessionmaker[Session], key: str
) -> None:
    cipher = TokenCipher([key])
    with factory.begin() as s:
        cid = _connect(s, cipher)
    with factory() as s:
        raw_refresh, raw_access = _raw_tokens(s, cid)
    assert REFRESH not in raw_refresh and ACCESS not in raw_access
    with pytest.raises(InvalidToken):
        Fernet(Fernet.generate_key()).decrypt(raw_refresh.encode())
    assert Fernet(key).decrypt(raw_refresh.encode()).decode() == REFRESH
    with factory() as s:
        row = connections.get(s, cid)
        assert connections.refresh_token(cipher, row) == REFRESH
        assert connections.access_token(cipher, row, now=T0) == ACCESS


def test_a_wrong_key_reads_nothing_and_says_so_without_the_token(
    factory: sessionmaker[Session], key: str
) -> None:
    with factory.begin() as s:
        cid = _connect(s, TokenCipher([key]))
    with factory() as s:
        row = connections.get(s, cid)
        with pytest.raises(TokenUnreadable) as caught:
            connections.refresh_token(TokenCipher([Fernet.generate_key()]), row)
    assert REFRESH not in str(caught.value) and key not in str(caught.value)


def test_rotation_moves_every_token_to_the_newest_key(
    factory: sessionmaker[Session], key: str
) -> None:
    new_key = Fernet.generate_key().decode()
    with factory.begin() as s:
        cid = _connect(s, TokenCipher([key]))
    # Given the new key first and the old one still listed, reads work before rotating
    both = TokenCipher([new_key, key])
    with factory() as s:
        assert connections.refresh_token(both, connections.get(s, cid)) == REFRESH
    # When rotated
    with factory.begin() as s:
        assert connections.rotate_encryption(s, both) == 2
    # Then the raw ciphertext opens with the new key alone, and no longer with the old
    with factory() as s:
        raw_refresh, raw_access = _raw_tokens(s, cid)
    assert Fernet(new_key).decrypt(raw_refresh.encode()).decode() == REFRESH
    assert Fernet(new_key).decrypt(raw_access.encode()).decode() == ACCESS
    with pytest.raises(InvalidToken):
        Fernet(key).decrypt(raw_refresh.encode())
    with factory() as s:
        assert connections.refresh_token(TokenCipher([new_key]), connections.get(s, cid)) == REFRESH


def test_disconnect_deletes_the_refresh_token(factory: sessionmaker[Session], key: str) -> None:
    cipher = TokenCipher([key])
    with factory.begin() as s:
        cid = _connect(s, cipher)
    with factory.begin() as s:
        row = connections.disconnect(s, cid, now=T0)
    assert row.state == ConnectionState.DISCONNECTED
    with factory() as s:
        assert _raw_tokens(s, cid) == (None, None)
        assert connections.refresh_token(cipher, connections.get(s, cid)) is None
        assert connections.active(s) == []


def test_reconnect_reactivates_and_replaces_the_tokens(
    factory: sessionmaker[Session], key: str
) -> None:
    cipher = TokenCipher([key])
    with factory.begin() as s:
        cid = _connect(s, cipher)
        connections.mark_needs_reauth(s, cid, "Snapchat Ads /me returned 401")
    with factory.begin() as s:
        assert connections.get(s, cid).state == ConnectionState.NEEDS_REAUTH
        again = connections.connect(
            s, cipher, tenant_id="tenant-1", client_id="client-1", refresh_token="rt-2"
        )
    assert again.id == cid and again.state == ConnectionState.ACTIVE
    assert connections.refresh_token(cipher, again) == "rt-2"
    assert again.reauth_reason is None


def test_access_token_expiry_and_refresh_bookkeeping(
    factory: sessionmaker[Session], key: str
) -> None:
    cipher = TokenCipher([key])
    with factory.begin() as s:
        cid = _connect(s, cipher)
    with factory.begin() as s:
        row = connections.get(s, cid)
        assert connections.access_token(cipher, row, now=T0 + timedelta(seconds=1800)) is None
        due = connections.due_for_refresh(s, margin_s=600, now=T0 + timedelta(seconds=1300))
        assert [c.id for c in due] == [cid]
        assert connections.due_for_refresh(s, margin_s=600, now=T0) == []
        # one refresher at a time
        assert connections.lock_refresh(s, cid, worker_id="w1", lease_s=30, now=T0)
        assert not connections.lock_refresh(s, cid, worker_id="w2", lease_s=30, now=T0)
        assert connections.lock_refresh(
            s, cid, worker_id="w2", lease_s=30, now=T0 + timedelta(seconds=31)
        )
        connections.store_refreshed(
            s,
            cipher,
            cid,
            access_token="at-2",
            expires_in_s=1800,
            refresh_token="rt-rotated",
            now=T0 + timedelta(seconds=40),
        )
    with factory() as s:
        row = connections.get(s, cid)
        assert connections.access_token(cipher, row, now=T0 + timedelta(seconds=60)) == "at-2"
        assert connections.refresh_token(cipher, row) == "rt-rotated"
        assert row.refresh_locked_by is None


def test_nothing_secret_in_reprs(factory: sessionmaker[Session], key: str) -> None:
    cipher = TokenCipher([key])
    with factory.begin() as s:
        row = connections.get(s, _connect(s, cipher))
    shown = repr(row) + str(row) + repr(cipher) + str(cipher)
    for secret in (REFRESH, ACCESS, key, row.refresh_token_ciphertext, row.access_token_ciphertext):
        assert secret not in shown


def test_a_missing_key_is_a_clear_error() -> None:
    with pytest.raises(EncryptionKeyMissing, match="SNAPFLEET_ENCRYPTION_KEY"):
        TokenCipher([])


def test_unknown_connection_is_not_found(factory: sessionmaker[Session]) -> None:
    with factory() as s, pytest.raises(NotFound):
        connections.get(s, 424242)
