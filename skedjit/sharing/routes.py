"""Sharing views: QR code, robots.txt."""

from flask import Blueprint
from flask import Response
from flask import abort
from flask import request

from ..event_page import find_event_page
from ..event_page.share import qr_svg
from ..links import event_url

bp = Blueprint("sharing", __name__)

ROBOTS_TXT = "User-agent: *\nDisallow: /events/\n"
QR_CACHE_CONTROL = "private, max-age=3600"  # the image follows the host asked for


@bp.get("/robots.txt")
def robots_txt():
    """Ask crawlers to stay out of event pages, which are private by link."""
    return Response(ROBOTS_TXT, mimetype="text/plain")


@bp.get("/events/<slug:slug>/qr.svg")
def qr_code(slug: str):
    """The event link's QR code as SVG; with ?download=1, as a file to save."""
    if find_event_page(slug) is None:
        abort(404)
    response = Response(qr_svg(event_url(slug)), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = QR_CACHE_CONTROL
    response.headers["X-Robots-Tag"] = "noindex"
    if request.args.get("download") == "1":
        response.headers["Content-Disposition"] = f'attachment; filename="skedjit-{slug}-qr.svg"'
    return response
