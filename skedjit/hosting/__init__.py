"""The hosting blueprint: co-host links."""

from .routes import bp

__all__ = ["bp"]
