"""The calendars blueprint."""

from .routes import bp

__all__ = ["bp"]
