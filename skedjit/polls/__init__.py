"""The date poll: friends vote on dates, and the owner picks one (see service.py)."""

from .routes import bp

__all__ = ["bp"]
