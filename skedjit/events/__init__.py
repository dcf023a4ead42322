"""The events blueprint: create, view, edit and delete events."""

from .routes import bp

__all__ = ["bp"]
