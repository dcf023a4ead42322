"""The rsvps blueprint: friends answer, change and withdraw; the owner manages the answers."""

from .routes import bp

__all__ = ["bp"]
