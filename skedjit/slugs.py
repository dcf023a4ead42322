"""Event slugs: six characters from an alphabet with no look-alike symbols."""

import re
import secrets
import string

# Letters and digits without 0/O and 1/l/I: 57 symbols.
ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")
LENGTH = 6
PATTERN = f"[{re.escape(ALPHABET)}]{{{LENGTH}}}"


def new_slug() -> str:
    """Return a random slug drawn with the secrets module."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
