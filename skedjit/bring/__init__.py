"""The bring blueprint: the owner's bring list, and friends saying what they bring."""

from .routes import bp

__all__ = ["bp"]
