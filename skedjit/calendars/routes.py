"""Calendar views: the event as an .ics file."""

from flask import Blueprint

bp = Blueprint("calendars", __name__)
