"""The event page for one viewer: from the rendered pages, as a 304, or freshly rendered."""

import hashlib
import threading

from cachetools import LRUCache
from flask import Response
from flask import abort
from flask import current_app
from flask import render_template
from flask import request
from flask import session

from ..answers.forms import RsvpForm
from ..answers.forms import VoteForm
from ..answers.forms import form_response
from ..answers.tokens import answer_token
from ..assets import release_tag
from ..changes import choices
from ..expiry import deleted_on
from ..i18n import current_locale
from ..owner_access import has_owner_access
from ..owner_access import may_have_owner_access
from ..owner_access import owner_access_hours_left
from ..timezones import PASSED
from ..timezones import format_day
from ..timezones import to_local
from . import shared
from .data import Answer
from .data import EventPage
from .rows import find_event_page
from .share import calendar_links
from .share import invitation
from .share import qr_pixels

CACHE_CONTROL = "private, no-cache"
#: The page differs by language: the browser's, or the one its cookie chose.
VARY = "Accept-Language, Cookie"
NOINDEX = "noindex"  # event pages are private by link
PAGES = "skedjit.rendered_pages"


class RenderedPages:
    """A bounded, thread-safe map of render keys to pages (the least recently used goes)."""

    def __init__(self, size: int):
        self._pages: LRUCache[tuple, bytes] = LRUCache(max(size, 1))
        self._lock = threading.Lock()

    def get(self, key: tuple) -> bytes | None:
        with self._lock:
            return self._pages.get(key)

    def put(self, key: tuple, page: bytes) -> None:
        with self._lock:
            self._pages[key] = page


def rendered_pages() -> RenderedPages:
    """This process's rendered event pages."""
    pages = current_app.extensions.get(PAGES)
    if pages is None:
        size = current_app.config["EVENT_PAGE_CACHE_SIZE"]
        pages = current_app.extensions.setdefault(PAGES, RenderedPages(size))
    return pages


def has_message() -> bool:
    """A one-off message waits for this browser (flashed by the request before)."""
    return bool(session.get("_flashes"))


def serve(slug: str) -> Response:
    """The event page for this browser, or 404 when there is no such event.

    A browser that may own the event, has answered, or has a message waiting
    reads the database directly: it must see its own changes at once.
    """
    private = may_have_owner_access(slug) or answer_token(slug) is not None or has_message()
    event = find_event_page(slug, cached=not private)
    if event is None:
        abort(404)
    return respond(event)


def respond(event: EventPage, form: RsvpForm | None = None, refusal=None, claim=None) -> Response:
    """The event page for this viewer.

    Its render key, which is also its ETag, covers everything the page shows: see
    the package's docstring. A refused answer or claim (`claim`: what the bring list
    shows of it) or a one-off message is rendered fresh and kept nowhere.
    """
    owner = has_owner_access(event)
    hours_left = owner_access_hours_left(event) if owner else None
    distance = event.distance()
    moved = event.recent_changes()
    answers_open = event.answers_open()
    voting_open = event.voting_open()
    mine = event.answer_held_by(answer_token(event.slug))
    message = has_message()

    def render() -> bytes:
        share = invitation(event)
        return render_template(
            "events/view.html",
            event=event,
            distance=distance,
            changes=moved,
            passed=distance == str(PASSED),
            owner=owner,
            share_first=owner and message,
            owner_hours_left=hours_left,
            answers_open=answers_open,
            my_answer=mine,
            still_coming=choices(mine.response)
            if mine is not None and answers_open and event.asks_again(mine)
            else (),
            voting_open=voting_open,
            rsvp_form=None
            if event.date_undecided
            else (form if isinstance(form, RsvpForm) else blank_answer_form(mine)),
            vote_form=(form if isinstance(form, VoteForm) else blank_vote_form(event, mine))
            if event.date_undecided
            else None,
            refusal=refusal,
            claim=claim,
            share=share,
            qr_size=qr_pixels(share.url),
            calendar=None if event.date_undecided else calendar_links(event),
            deleted_on=format_day(
                to_local(deleted_on(event.starts_at, event.ends_at), event.timezone)
            ),
        ).encode()

    if form is not None or claim is not None or message:
        headers = {"Cache-Control": "no-store", "X-Robots-Tag": NOINDEX}
        return Response(render(), 200, headers, content_type="text/html; charset=utf-8")

    key = (event.digest, answers_open, voting_open, distance, moved, hours_left)
    key += (mine.id if mine else None,)
    key += (request.scheme, request.host, current_locale())
    etag = hashlib.blake2b(repr((release_tag(), *key)).encode(), digest_size=12).hexdigest()
    headers = {
        "ETag": f'"{etag}"',
        "Cache-Control": CACHE_CONTROL,
        "X-Robots-Tag": NOINDEX,
        "Vary": VARY,
    }
    if request.if_none_match.contains_weak(etag):
        return Response(status=304, headers=headers)
    pages = rendered_pages()
    page = pages.get(key)
    if page is None:
        page = render()
        pages.put(key, page)
    if not owner and mine is None:
        shared.offer(event, etag)
    return Response(page, 200, headers, content_type="text/html; charset=utf-8")


def blank_answer_form(mine: Answer | None) -> RsvpForm:
    """The answer form, empty or holding the viewer's own answer."""
    data = {"response": "yes", "guests": 0}
    if mine is not None:
        data = {"name": mine.name, "response": form_response(mine.response)}
        data["guests"] = mine.guests
        data["note"] = mine.note
    return RsvpForm(data=data)


def blank_vote_form(event: EventPage, mine: Answer | None) -> VoteForm:
    """The vote form, empty or holding the viewer's own votes."""
    if mine is None:
        return VoteForm(formdata=None)
    votes = {o.id: o.choice_of(mine.id) for o in event.options if o.choice_of(mine.id)}
    return VoteForm(formdata=None, data={"name": mine.name}, votes=votes)


def answer_page(slug: str, form: RsvpForm, refusal=None) -> Response:
    """The event page again with a refused answer: its input kept, and why it was refused."""
    event = find_event_page(slug, cached=False)
    if event is None:
        abort(404)
    return respond(event, form, refusal)
