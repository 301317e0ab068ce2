"""What the storage layer can refuse.

StorageError
 +-- EncryptionKeyMissing   no SNAPFLEET_ENCRYPTION_KEY was given to the cipher
 +-- TokenUnreadable        a stored token does not decrypt with any of the keys
 +-- JournalConflict        an idempotency key reused for a different request
 +-- StaleAttempt           an outcome from an attempt that no longer holds the key
 +-- NotFound               the row the caller named does not exist
"""

from __future__ import annotations


class StorageError(Exception):
    """Base class of every error raised by `storage`."""


class EncryptionKeyMissing(StorageError):
    """Tokens cannot be stored or read without SNAPFLEET_ENCRYPTION_KEY."""


class TokenUnreadable(StorageError):
    """A stored token does not decrypt with any configured key (key rotated away?)."""


class JournalConflict(StorageError):
    """The idempotency key is already journaled for a request with another digest."""


class StaleAttempt(StorageError):
    """The journal entry moved on to a newer attempt; this outcome is refused (fencing)."""


class NotFound(StorageError):
    """The named row does not exist."""
