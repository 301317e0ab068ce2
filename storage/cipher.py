"""Tokens encrypted at rest: Fernet, with MultiFernet for key rotation.

Storage never reads the environment: the worker passes `settings.encryption_keys`
(newest first). Encrypting always uses the first key; decrypting tries each in turn, so
rotation is: put the new key first, run `connections.rotate_encryption`, drop the old key.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from storage.errors import EncryptionKeyMissing, TokenUnreadable


class TokenCipher:
    """Encrypts and decrypts tokens; its repr never shows a key."""

    def __init__(self, keys: Sequence[str | bytes]) -> None:
        if not keys:
            raise EncryptionKeyMissing(
                "SNAPFLEET_ENCRYPTION_KEY is not set: tokens cannot be stored encrypted "
                "(make one with `snapfleet keygen`)"
            )
        self._fernet = MultiFernet([Fernet(k) for k in keys])
        self._key_count = len(keys)

    def __repr__(self) -> str:
        return f"TokenCipher(keys=<{self._key_count} hidden>)"

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode("ascii")

    def decrypt(self, ciphertext: str) -> str:
        try:
            return self._fernet.decrypt(ciphertext.encode("ascii")).decode()
        except InvalidToken:
            raise TokenUnreadable("stored token does not decrypt with any configured key") from None

    def rotate(self, ciphertext: str) -> str:
        """Re-encrypt under the newest key (MultiFernet.rotate)."""
        try:
            return self._fernet.rotate(ciphertext.encode("ascii")).decode("ascii")
        except InvalidToken:
            raise TokenUnreadable("stored token does not decrypt with any configured key") from None
