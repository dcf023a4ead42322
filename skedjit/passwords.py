"""Event passwords: bcrypt hashes, with bcrypt's 72-byte limit in one place."""

import bcrypt

MIN_BYTES = 8
MAX_BYTES = 72  # bcrypt ignores (bcrypt 5: refuses) anything longer


def hash_password(password: str, rounds: int) -> str:
    """Return the bcrypt hash of a password that fits bcrypt's limit."""
    secret = password.encode()
    if not secret or len(secret) > MAX_BYTES:
        raise ValueError("password must be 1 to 72 bytes of UTF-8")
    return bcrypt.hashpw(secret, bcrypt.gensalt(rounds)).decode()


def verify_password(password: str | None, password_hash: str | None) -> bool:
    """Tell whether the password matches the hash; empty or over-long never does."""
    if not password or not password_hash:
        return False
    secret = password.encode()
    if len(secret) > MAX_BYTES:
        return False
    return bcrypt.checkpw(secret, password_hash.encode())


def hash_cost(password_hash: str) -> int:
    """The bcrypt cost a hash was made with ("$2b$12$…" → 12)."""
    return int(password_hash.split("$")[2])
