"""The rsvps blueprint: friends answer, change and withdraw; the owner manages the answers."""

from . import quorum  # noqa: F401 - the owner's minimum going: its views join the blueprint
from .routes import bp

__all__ = ["bp"]
