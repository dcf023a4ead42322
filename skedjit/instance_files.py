"""Files kept in the instance folder: the generated secret key."""

import os
import secrets
from pathlib import Path

KEY_FILE_NAME = "secret_key"


def load_or_create_secret_key(instance_path: str) -> str:
    """Return the instance folder's secret key, creating it (mode 0600) if missing.

    The key is written to a private temporary file and linked into place, so
    several processes starting at once all end up with the same key.
    """
    folder = Path(instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / KEY_FILE_NAME
    if not path.exists():
        temporary = folder / f".{KEY_FILE_NAME}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_hex(32))
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process won the race; use its key
        finally:
            temporary.unlink()
    key = path.read_text().strip()
    if not key:
        raise RuntimeError(f"{path} is empty; delete it to have a new key made")
    return key
