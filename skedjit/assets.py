"""Content hashes: cache-busting static URLs and the release tag in page ETags."""

import hashlib
from functools import cache
from pathlib import Path

from flask import Flask

PACKAGE = Path(__file__).resolve().parent
RELEASE_FILES = ("*.py", "templates/**/*.html", "static/*")


@cache
def file_hash(path: Path) -> str:
    """A short hash of a file's content (files do not change while the app runs)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


@cache
def release_tag() -> str:
    """A hash of the code, templates and static files: it changes with every release."""
    digest = hashlib.sha256()
    for pattern in RELEASE_FILES:
        for path in sorted(PACKAGE.glob(pattern)):
            digest.update(path.relative_to(PACKAGE).as_posix().encode())
            digest.update(file_hash(path).encode())
    return digest.hexdigest()[:12]


def init_app(app: Flask) -> None:
    """Give static URLs a content hash so browsers may keep the files for a year."""
    static = Path(app.static_folder)

    @app.url_defaults
    def hashed_static_url(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values:
            path = static / values["filename"]
            if path.is_file():
                values["v"] = file_hash(path)
