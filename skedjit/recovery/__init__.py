"""Owner recovery: a one-time link, emailed to the owner's address, to set a new password."""

from .routes import bp

__all__ = ["bp"]
