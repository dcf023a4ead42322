"""Event passwords: bcrypt hashes of their NFC form, with bcrypt's 72-byte limit in one place.

A password is normalised to NFC before it is hashed or checked, so the same
characters typed on any keyboard (é as one code point or as e and an accent) are the
same password. Hashes made before that, from the raw input, still match: the raw
form is checked when the NFC one does not match.
"""

import unicodedata

import bcrypt

MIN_CHARACTERS = 8
MAX_BYTES = 72  # bcrypt ignores (bcrypt 5: refuses) anything longer


def normalized(password: str) -> str:
    """The password as it is hashed: NFC."""
    return unicodedata.normalize("NFC", password)


def hash_password(password: str, rounds: int) -> str:
    """Return the bcrypt hash of a password that fits bcrypt's limit."""
    secret = normalized(password).encode()
    if not secret or len(secret) > MAX_BYTES:
        raise ValueError("password must be 1 to 72 bytes of UTF-8")
    return bcrypt.hashpw(secret, bcrypt.gensalt(rounds)).decode()


def verify_password(password: str | None, password_hash: str | None) -> bool:
    """Tell whether the password matches the hash; empty or over-long never does."""
    if not password or not password_hash:
        return False
    for form in dict.fromkeys((normalized(password), password)):  # NFC, then the raw input
        secret = form.encode()
        if len(secret) <= MAX_BYTES and bcrypt.checkpw(secret, password_hash.encode()):
            return True
    return False


def hash_cost(password_hash: str) -> int:
    """The bcrypt cost a hash was made with ("$2b$12$…" → 12)."""
    return int(password_hash.split("$")[2])
