"""URL converters."""

from werkzeug.routing import BaseConverter

from .slugs import PATTERN


class SlugConverter(BaseConverter):
    """Match only well-formed slugs, so a malformed one is a 404 with no query."""

    regex = PATTERN
