"""Every page Skedjit shows, each form with its errors, rendered through the test client.

The HTML validity and page structure tests check all of them; a new page or a new kind
of error belongs here, with the title it should have. One email of each kind is here
too, for the HTML validity test.
"""

import re
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from email.message import EmailMessage
from html.parser import HTMLParser

from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from skedjit.events import service
from skedjit.extensions import db
from skedjit.invites import reminders
from skedjit.invites import service as invites
from skedjit.invites.emails import still_coming_links
from skedjit.models import BringItem
from skedjit.models import PollOption
from skedjit.models import Rsvp
from skedjit.polls import service as polls
from tests.helpers.browser import Browser
from tests.helpers.forms import PASSWORD
from tests.helpers.forms import answer
from tests.helpers.forms import edit_fields
from tests.helpers.forms import event_form
from tests.helpers.mail import mail_settings
from tests.helpers.polls import poll_form
from tests.helpers.polls import vote
from tests.helpers.smtp import MailServer
from tests.helpers.worker import SettlingClient
from tests.helpers.worker import running_worker
from tests.helpers.worker import settle

TITLE = "Board games"
WRONG = "not the password"
FUTURE = datetime(2099, 6, 1, 16, 0, tzinfo=UTC)
COHOST_LINK = re.compile(r'class="private-link">http://localhost(/events/\w+/host/[\w-]+)</a>')
CHANGE_LINK = re.compile(r'class="private-link">http://localhost(/events/\w+/rsvp/[\w-]+)</a>')
UNSUBSCRIBE_LINK = re.compile(r"^<http://localhost(/events/\w+/unsubscribe/[\w.-]+)>$")
CONFIRM_LINK = re.compile(r"http://localhost(/events/\w+/reminders/[\w.-]+)")
RECOVERY_LINK = re.compile(r"http://localhost(/events/\w+/recover/[\w-]+)")
OWNER_EMAIL = "owner@example.org"
OPTION_ID = re.compile(r'name="vote-(\d+)"')
NOTE = "Come early!\nThere will be cake <3"
#: The dates a poll offers (the first with its end), sooner than every other event here.
POLL_OPTIONS = {
    "option_1_date": "2054-03-10",
    "option_1_time": "19:00",
    "option_1_end_time": "23:00",
    "option_2_date": "2054-03-11",
    "option_2_time": "19:00",
}
#: What the bring list pages type: its things, and the friend who answers late.
BRING_TYPED = ("bottles of wine", "a board game", "Dan")
#: The fewest going for event_form's event, decided the day before it.
MINIMUM = {"min_going": "6", "decide_date": "2054-12-11", "decide_time": "18:00"}
# Limits that the first request of a kind uses up, for the refusal pages.
TIGHT_LIMITS = {
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_CREATES": "1 per hour",
    "RATELIMIT_WRONG_PASSWORDS": "1 per hour",
    "RATELIMIT_UNKNOWN_EVENTS": "1 per minute",
}


VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta"}
VOID_ELEMENTS |= {"source", "track", "wbr"}


@dataclass(eq=False)
class Element:
    """An element of a parsed page: enough of a DOM for the structure tests."""

    tag: str
    attrs: dict[str, str]
    parent: "Element | None" = None
    children: list["Element | str"] = field(default_factory=list)

    def iter(self) -> Iterator["Element"]:
        """This element and every element inside it, in document order."""
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs: str) -> list["Element"]:
        """The elements inside (this one included) with the tag and attribute values."""
        return [
            element
            for element in self.iter()
            if tag in (None, element.tag)
            and all(element.attrs.get(name.rstrip("_")) == value for name, value in attrs.items())
        ]

    def has_class(self, name: str) -> bool:
        return name in self.attrs.get("class", "").split()

    def closest(self, tag: str) -> "Element | None":
        """This element or its nearest ancestor with the tag."""
        element = self
        while element is not None and element.tag != tag:
            element = element.parent
        return element

    @property
    def text(self) -> str:
        """The text inside, whitespace collapsed."""
        parts = [child if isinstance(child, str) else child.text for child in self.children]
        return " ".join(" ".join(parts).split())


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {name: value or "" for name, value in attrs}, self.current)
        self.current.children.append(element)
        if tag not in VOID_ELEMENTS:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_ELEMENTS:
            self.current = self.current.parent

    def handle_endtag(self, tag):
        open_element = self.current.closest(tag)
        if open_element is not None and open_element.parent is not None:
            self.current = open_element.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse_html(html: str) -> Element:
    """The page as a tree of elements (the document is the root)."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


@dataclass(frozen=True)
class Page:
    """One rendered page: what it is, its status, its HTML and the <title> it should have."""

    name: str
    status: int
    html: str
    title: str

    @property
    def document(self) -> Element:
        return parse_html(self.html)


class Pages:
    """Collects pages, checking each came with the status it should."""

    def __init__(self):
        self.pages: dict[str, Page] = {}

    def add(self, name: str, response, status: int, title: str) -> None:
        html = response.get_data(as_text=True)
        assert response.status_code == status, (name, response.status_code, html)
        assert name not in self.pages, name
        self.pages[name] = Page(name, status, html, f"{title} · Skedjit")


def edit_of_title(password: str = "", **overrides) -> dict:
    return edit_fields(**{"title": TITLE, "password": password, **overrides})


def add_failing_routes(app: Flask) -> None:
    """Routes that fail the way a bug or a lost database would (before any request)."""
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/test-only/bug")
    def bug():
        raise RuntimeError("a bug")

    @app.get("/test-only/database-down")
    def database_down():
        raise OperationalError("SELECT 1", {}, ConnectionError("the server went away"))


def store_event(app: Flask, **fields) -> str:
    """Store an event directly (no browser gets owner access); its slug."""
    values = {
        "title": TITLE,
        "starts_at": datetime(2054, 12, 12, 18, 30, tzinfo=UTC),
        "timezone": "Europe/Paris",
        "location": "",
        "description": "",
    }
    with app.app_context():
        return service.create_event(values | fields, PASSWORD)[0].slug


def render_every_page(
    app: Flask, make_app: Callable[..., Flask], mail_server: MailServer
) -> dict[str, Page]:
    """Render each page and each form's errors once; their names key the result.

    make_app(**settings) gives another app on the same database (for the limits, and
    for email, sent to the mail server).
    """
    add_failing_routes(app)

    def make_event(**fields) -> str:
        return store_event(app, **fields)

    pages = Pages()
    owner = Browser(app.test_client())
    friend = Browser(app.test_client())

    def new_browser() -> Browser:
        return Browser(app.test_client())

    # The landing page and the create form.
    pages.add("landing", owner.get("/"), 200, "Share an event with one link")
    pages.add("create", owner.get("/create"), 200, "Create an event")
    blank = dict.fromkeys(event_form(), "")
    pages.add(
        "create: every field missing",
        owner.post("/create", data=blank),
        400,
        "Error: Create an event",
    )
    malformed = event_form(
        title="x" * 121,
        date="2026-02-31",
        time="7pm",
        end_date="2054-12-13",
        timezone="Mars/Olympus_Mons",
        location="Bell\x07",
        description="Tab\ttab\x00",
        password="short",
        password_confirm="other",
    )
    pages.add(
        "create: malformed values",
        owner.post("/create", data=malformed),
        400,
        "Error: Create an event",
    )
    pages.add(
        "create: end before the start",
        owner.post("/create", data=event_form(end_time="18:00", password_confirm="differs")),
        400,
        "Error: Create an event",
    )
    pages.add(
        "create: a time the clocks skip",
        owner.post("/create", data=event_form(date="2026-03-29", time="02:30")),
        400,
        "Error: Create an event",
    )

    # The event page, as its owner sees it just after creating it.
    created = owner.post("/create", data=event_form(title=TITLE, end_time="23:00"))
    assert created.status_code == 303, created.get_data(as_text=True)
    slug = created.headers["Location"].rsplit("/", 1)[1]
    pages.add("event: owner, just created", owner.get(f"/events/{slug}"), 200, TITLE)
    pages.add("event: friend, no answers", friend.get(f"/events/{slug}"), 200, TITLE)

    # Answers: the friend's own, with its change link, and other people's.
    assert answer(friend, slug, guests="2", note="Bringing cake").status_code == 303
    pages.add("event: friend, just answered", friend.get(f"/events/{slug}"), 200, TITLE)
    change_path = CHANGE_LINK.search(pages.pages["event: friend, just answered"].html).group(1)
    for name, response in [("Ben", "maybe"), ("Chloé", "no")]:
        assert answer(new_browser(), slug, name=name, response=response).status_code == 303
    pages.add("event: friend, with answers", new_browser().get(f"/events/{slug}"), 200, TITLE)
    pages.add("event: owner, with answers", owner.get(f"/events/{slug}"), 200, TITLE)
    refused = answer(new_browser(), slug, name="", response="", guests="x", note="n" * 301)
    pages.add("event: answer with errors", refused, 400, f"Error: {TITLE}")
    pages.add("change answer", friend.get(change_path), 200, f"Change your answer to “{TITLE}”")

    # Events with answer settings that change the page.
    pages.add(
        "event: preview hidden",
        friend.get(f"/events/{make_event(title=TITLE, hide_preview=True)}"),
        200,
        "You're invited",
    )
    full = make_event(title=TITLE, capacity=1, rsvp_deadline=FUTURE, location="Ana's, 3rd floor")
    assert answer(new_browser(), full).status_code == 303
    pages.add("event: full", friend.get(f"/events/{full}"), 200, TITLE)
    pages.add("event: answer refused, full", answer(friend, full), 409, f"Error: {TITLE}")
    waiting = new_browser()
    assert answer(waiting, full, name="Ben", guests="1", waitlist="y").status_code == 303
    pages.add("event: friend on the waitlist", waiting.get(f"/events/{full}"), 200, TITLE)
    closed = make_event(title=TITLE, rsvps_closed=True, guest_list_hidden=True)
    pages.add("event: answers closed, list hidden", friend.get(f"/events/{closed}"), 200, TITLE)
    pages.add("event: answer refused, closed", answer(friend, closed), 409, f"Error: {TITLE}")

    # Editing.
    edit = f"/events/{slug}/edit"
    edit_title = f"Edit “{TITLE}”"
    pages.add("edit: owner", owner.get(edit), 200, edit_title)
    pages.add("edit: friend", friend.get(edit), 200, edit_title)
    pages.add(
        "edit: no password", friend.post(edit, data=edit_of_title()), 400, f"Error: {edit_title}"
    )
    pages.add(
        "edit: wrong password",
        friend.post(edit, data=edit_of_title(WRONG)),
        403,
        f"Error: {edit_title}",
    )
    pages.add(
        "edit: field errors",
        owner.post(edit, data=edit_of_title(title="", new_password="short")),
        400,
        f"Error: {edit_title}",
    )
    pages.add(
        "edit: someone else saved first",
        owner.post(edit, data=edit_of_title(version=2)),
        409,
        f"Error: {edit_title}",
    )
    locked = make_event(title=TITLE)
    guesser = new_browser()
    for _attempt in range(5):
        guess = guesser.post(f"/events/{locked}/edit", data=edit_of_title(WRONG))
        assert guess.status_code == 403
    pages.add(
        "edit: locked after wrong passwords",
        guesser.post(f"/events/{locked}/edit", data=edit_of_title(WRONG)),
        429,
        f"Error: {edit_title}",
    )

    # Deleting.
    delete = f"/events/{slug}/delete"
    delete_title = f"Delete “{TITLE}”"
    pages.add("delete: owner", owner.get(delete), 200, delete_title)
    pages.add("delete: friend", friend.get(delete), 200, delete_title)
    pages.add("delete: no password", friend.post(delete), 400, f"Error: {delete_title}")
    pages.add(
        "delete: wrong password",
        friend.post(delete, data={"password": WRONG}),
        403,
        f"Error: {delete_title}",
    )

    # The answers page and its settings.
    answers = f"/events/{slug}/answers"
    answers_title = f"Answers to “{TITLE}”"
    pages.add("answers: locked", friend.get(answers), 200, answers_title)
    pages.add(
        "answers: wrong password",
        friend.post(f"{answers}/unlock", data={"password": WRONG}),
        403,
        f"Error: {answers_title}",
    )
    pages.add("answers: owner", owner.get(answers), 200, answers_title)
    made = owner.post(f"/events/{slug}/cohosts")
    pages.add("answers: co-host link made", owner.get(made.headers["Location"]), 200, answers_title)
    cohost_path = COHOST_LINK.search(pages.pages["answers: co-host link made"].html)[1]
    cohost = new_browser()
    pages.add("co-host: join", cohost.get(cohost_path), 200, f"Co-host “{TITLE}”")
    assert cohost.post(cohost_path).status_code == 303
    pages.add("edit: co-host", cohost.get(edit), 200, edit_title)
    moved = owner.post("/create", data=event_form(title=TITLE)).headers["Location"].split("/")[-1]
    assert answer(friend, moved).status_code == 303
    moved_link = CHANGE_LINK.search(friend.get(f"/events/{moved}").get_data(as_text=True))[1]
    moving = edit_of_title(time="20:00", end_time="23:00", location="Ana's, 3rd floor")
    assert owner.post(f"/events/{moved}/edit", data=moving).status_code == 303
    pages.add("event: time and place changed", new_browser().get(f"/events/{moved}"), 200, TITLE)
    pages.add("event: friend asked if still coming", friend.get(f"/events/{moved}"), 200, TITLE)
    pages.add(
        "change answer: asked if still coming",
        new_browser().get(moved_link),
        200,
        f"Change your answer to “{TITLE}”",
    )
    with app.test_request_context():
        event = service.find_event(moved)
        rsvp = db.session.scalar(select(Rsvp).where(Rsvp.event_id == event.id))
        (_label, emailed_link), *_others = still_coming_links(event, rsvp)
    pages.add(
        "still coming: from an email",
        new_browser().get(emailed_link),
        200,
        "The plan changed. Still coming?",
    )
    pages.add(
        "answers: owner, with changes", owner.get(f"/events/{moved}/answers"), 200, answers_title
    )
    add_minimum_pages(pages, owner, new_browser, TITLE)
    bad_settings = {"capacity": "0", "deadline_date": "1/12/2026", "deadline_time": "6pm"}
    pages.add(
        "answers: settings with errors",
        owner.post(answers, data=bad_settings),
        400,
        f"Error: {answers_title}",
    )

    add_bring_pages(pages, app, owner, friend, slug, change_path)
    add_poll_pages(pages, new_browser, TITLE)

    # Error pages.
    pages.add("error: 404", friend.get("/no/such/page"), 404, "Page not found")
    pages.add("error: 404 event", friend.get("/events/zzzzzz"), 404, "Page not found")
    pages.add("error: 405", friend.client.put("/create"), 405, "Not allowed here")
    pages.add(
        "error: 400 expired form",
        friend.client.post(f"{answers}/unlock", data={"password": PASSWORD}),
        400,
        "This form has expired",
    )
    pages.add(
        "create: expired form",
        friend.client.post("/create", data=event_form()),
        400,
        "Error: Create an event",
    )
    pages.add(
        "error: 400 unknown host",
        friend.get("/", headers={"Host": "evil.invalid"}),
        400,
        "Unknown host name",
    )
    pages.add(
        "error: 413",
        friend.post("/create", data=event_form(description="x" * (65 * 1024))),
        413,
        "Too much data",
    )
    pages.add("error: 500", friend.get("/test-only/bug"), 500, "Something went wrong on our side")
    pages.add("error: 503", friend.get("/test-only/database-down"), 503, "Temporarily unavailable")

    # Refusals once an address has used up a limit.
    limited = make_app(**TIGHT_LIMITS)
    someone = Browser(limited.test_client())
    assert someone.post("/create", data=event_form()).status_code == 303
    pages.add(
        "create: too many new events",
        someone.post("/create", data=event_form()),
        429,
        "Error: Create an event",
    )
    for _attempt in range(2):
        refused = someone.post(f"/events/{slug}/delete", data={"password": WRONG})
    pages.add("error: 429 wrong passwords", refused, 429, f"Error: Delete “{TITLE}”")
    for _attempt in range(2):
        refused = someone.get("/events/zzzzzz")
    pages.add("error: 429 unknown events", refused, 429, "Too many requests")

    mailing = make_app(**mail_settings(mail_server))
    mailing.test_client_class = SettlingClient  # each page as it is once the emails are sent
    with running_worker(mailing):
        add_email_pages(pages, mailing, mail_server)
    return pages.pages


def add_bring_pages(
    pages: Pages, app: Flask, owner: Browser, friend: Browser, slug: str, change_path: str
) -> None:
    """The bring list: the owner's pages, a friend's claims, and their refusals. `friend`
    has answered the event; `change_path` is that answer's private link."""
    bring = f"/events/{slug}/bring"
    title = f"Bring list for “{TITLE}”"
    pages.add("bring: owner, empty", owner.get(bring), 200, title)
    pages.add("bring: friend", Browser(app.test_client()).get(bring), 200, title)
    bad = {"text": "", "quantity": "lots"}
    pages.add("bring: item with errors", owner.post(bring, data=bad), 400, f"Error: {title}")
    for text, quantity in zip(BRING_TYPED, ("3", ""), strict=False):
        assert owner.post(bring, data={"text": text, "quantity": quantity}).status_code == 303
    with app.app_context():
        event_id = service.find_event(slug).id
        query = select(BringItem.id).where(BringItem.event_id == event_id)
        wine, game = db.session.scalars(query.order_by(BringItem.position))
    claim, wine_field = f"{bring}/{wine}/claim", f"bring-{wine}-quantity"
    assert friend.client.post(claim, data={wine_field: "2"}).status_code == 303
    assert friend.client.post(f"{bring}/{game}/claim").status_code == 303
    pages.add("bring: owner, with claims", owner.get(bring), 200, title)
    pages.add("event: friend, bringing", friend.get(f"/events/{slug}"), 200, TITLE)
    stranger = Browser(app.test_client())
    pages.add("event: friend, with a bring list", stranger.get(f"/events/{slug}"), 200, TITLE)
    late = Browser(app.test_client())
    assert answer(late, slug, name=BRING_TYPED[2]).status_code == 303
    pages.add(
        "event: claim refused, too many",
        late.client.post(claim, data={wine_field: "2"}),
        409,
        f"Error: {TITLE}",
    )
    pages.add(
        "event: claim with errors",
        late.client.post(claim, data={wine_field: "lots"}),
        400,
        f"Error: {TITLE}",
    )
    edit = f"{bring}/{wine}/edit"
    pages.add("bring: change an item", owner.get(edit), 200, "Change a thing to bring")
    pages.add(
        "bring: change below what is claimed",
        owner.post(edit, data={"text": "bottles of wine", "quantity": "1"}),
        409,
        "Error: Change a thing to bring",
    )
    pages.add(
        "bring: remove a claimed item",
        owner.get(f"{bring}/{wine}/remove"),
        200,
        "Remove “bottles of wine” from the bring list?",
    )
    mine, token = f"{change_path}/bring", change_path.rsplit("/", 1)[1]
    mine_title = f"What you bring to “{TITLE}”"
    other_phone = Browser(app.test_client())
    pages.add("bring: private link", other_phone.get(mine), 200, mine_title)
    pages.add(
        "bring: private link, claim refused",
        other_phone.client.post(claim, data={wine_field: "4", f"bring-{wine}-token": token}),
        409,
        f"Error: {mine_title}",
    )


def add_poll_pages(pages: Pages, new_browser, title: str) -> None:
    """The date poll: its create form and errors, voting, the owner's page, and closing."""
    owner = new_browser()
    create_title = "Create a date poll"
    pages.add("poll create", owner.get("/create/poll"), 200, create_title)
    blank = dict.fromkeys(poll_form(), "")
    pages.add(
        "poll create: every field missing",
        owner.post("/create/poll", data=blank),
        400,
        f"Error: {create_title}",
    )
    wrong_dates = [("2026-02-31", "19:30", ""), ("2054-12-12", "7pm", ""), ("2054-12-13", "", "")]
    wrong_dates += [("2054-12-14", "19:30", ""), ("2054-12-14", "19:30", "")]
    pages.add(
        "poll create: dates with errors",
        owner.post("/create/poll", data=poll_form(wrong_dates, title=title)),
        400,
        f"Error: {create_title}",
    )
    slug = created_slug(owner.post("/create/poll", data=poll_form(title=title)))
    event = f"/events/{slug}"
    pages.add("poll: owner, just created", owner.get(event), 200, title)
    friend = new_browser()
    pages.add("poll: friend, no votes", friend.get(event), 200, title)
    options = dict.fromkeys(OPTION_ID.findall(pages.pages["poll: friend, no votes"].html))
    first, second, third = map(int, options)
    voted = vote(friend, slug, {first: "yes", second: "maybe", third: "no"})
    assert voted.status_code == 303, voted.get_data(as_text=True)
    pages.add("poll: voter, just voted", friend.get(event), 200, title)
    pages.add(
        "poll: a vote with no date marked",
        vote(new_browser(), slug, {}, name="Chloé"),
        400,
        f"Error: {title}",
    )
    change_link = CHANGE_LINK.search(pages.pages["poll: voter, just voted"].html)[1]
    votes_path = change_link.replace("/rsvp/", "/vote/")  # where the change link leads
    assert vote(new_browser(), slug, {first: "no", second: "yes"}, name="Ben").status_code == 303
    pages.add("poll: friend, with votes", new_browser().get(event), 200, title)
    pages.add("poll: owner, with votes", owner.get(event), 200, title)
    change_title = f"Change your votes on “{title}”"
    pages.add(
        "poll: voter's own link",
        new_browser().get(votes_path),
        200,
        change_title,
    )

    poll = f"{event}/poll"
    poll_title = f"The date poll of “{title}”"
    pages.add("poll page: locked", new_browser().get(poll), 200, poll_title)
    pages.add("poll page: owner", owner.get(poll), 200, poll_title)
    bad_date = {"date": "2054-12-32", "time": "", "end_time": "25:00"}
    pages.add(
        "poll page: date with errors",
        owner.post(f"{poll}/options", data=bad_date),
        400,
        f"Error: {poll_title}",
    )
    pages.add(
        "poll page: remove a date with votes",
        owner.get(f"{poll}/options/{first}/remove"),
        200,
        "Remove this date from the poll?",
    )
    assert owner.post(f"{poll}/settings", data={"closed": "y"}).status_code == 303
    pages.add("poll: voting closed", new_browser().get(event), 200, title)
    pages.add("poll page: owner, voting closed", owner.get(poll), 200, poll_title)


def add_minimum_pages(pages: Pages, owner: Browser, new_browser, title: str) -> None:
    """It's on if enough say yes: the owner's form, its errors, deciding, and the event page."""
    answers_title = f"Answers to “{title}”"

    def minimum_event() -> str:
        slug = created_slug(owner.post("/create", data=event_form(title=title)))
        assert owner.post(f"/events/{slug}/minimum", data=MINIMUM).status_code == 303
        return slug

    pending = minimum_event()
    pages.add("event: on if enough say yes", new_browser().get(f"/events/{pending}"), 200, title)
    pages.add(
        "answers: owner, with a minimum",
        owner.get(f"/events/{pending}/answers"),
        200,
        answers_title,
    )
    bad = {"min_going": "0", "decide_date": "2054-12-31", "decide_time": "25:00"}
    pages.add(
        "answers: minimum with errors",
        owner.post(f"/events/{pending}/minimum", data=bad),
        400,
        f"Error: {answers_title}",
    )
    pages.add(
        "call off: confirm",
        owner.get(f"/events/{pending}/minimum/off"),
        200,
        f"Call off “{title}”?",
    )
    too_soon = edit_of_title(date="2054-12-11", time="17:00")
    pages.add(
        "edit: starts before the decision",
        owner.post(f"/events/{pending}/edit", data=too_soon),
        409,
        f"Error: Edit “{title}”",
    )
    assert owner.post(f"/events/{pending}/minimum/off").status_code == 303
    pages.add("event: called off", new_browser().get(f"/events/{pending}"), 200, title)
    pages.add(
        "answers: owner, called off", owner.get(f"/events/{pending}/answers"), 200, answers_title
    )
    confirmed = minimum_event()
    assert owner.post(f"/events/{confirmed}/minimum/on").status_code == 303
    pages.add("event: it's on", new_browser().get(f"/events/{confirmed}"), 200, title)


def add_email_pages(pages: Pages, app: Flask, mail_server: MailServer) -> None:
    """The pages that only an app sending email shows, and its forms' errors."""
    owner = Browser(app.test_client())
    friend = Browser(app.test_client())

    # The create form asks for the owner's address; the owner's page offers invitations.
    pages.add("create: email on", owner.get("/create"), 200, "Create an event")
    pages.add(
        "create: bad owner email",
        owner.post("/create", data=event_form(owner_email="me@example")),
        400,
        "Error: Create an event",
    )
    slug = created_slug(
        owner.post("/create", data=event_form(title=TITLE, owner_email=OWNER_EMAIL))
    )
    pages.add("event: owner, email on", owner.get(f"/events/{slug}"), 200, TITLE)

    # Inviting: a friend needs the password; mistakes, a refused address.
    invite = f"/events/{slug}/invite"
    invite_title = f"Invite friends to “{TITLE}”"
    pages.add("invite: friend", friend.get(invite), 200, invite_title)
    pages.add(
        "invite: field errors",
        owner.post(invite, data={"addresses": "ana@example, not-an-address", "note": "n" * 501}),
        400,
        f"Error: {invite_title}",
    )
    mail_server.refuse_recipient("ben@example.org", "550 5.1.1 No such user here")
    sent = owner.post(invite, data={"addresses": "ana@example.org ben@example.org", "note": NOTE})
    assert sent.status_code == 303

    # Leaving the emails through the link in one, then opening the link again.
    unsubscribe = unsubscribe_path(mail_server.to("ana@example.org")[-1].message)
    ana = Browser(app.test_client())
    leave_title = f"Stop emails about “{TITLE}”"
    pages.add("unsubscribe", ana.get(unsubscribe), 200, leave_title)
    pages.add("unsubscribed", ana.post(unsubscribe), 200, f"No more emails about “{TITLE}”")
    pages.add("unsubscribe: already", ana.get(unsubscribe), 200, leave_title)

    # A friend asks for the reminder with their answer, then confirms the address.
    pages.add(
        "answer: reminder without an address",
        answer(friend, slug, remind="y", email=""),
        400,
        f"Error: {TITLE}",
    )
    assert answer(friend, slug, remind="y", email="dee@example.org").status_code == 303
    confirm = CONFIRM_LINK.search(
        mail_server.to("dee@example.org")[-1].message.get_body(("plain",)).get_content()
    )[1]
    confirm_title = f"Confirm the reminder for “{TITLE}”"
    pages.add("reminder: confirm", friend.get(confirm), 200, confirm_title)
    assert friend.post(confirm).status_code == 303
    pages.add("reminder: confirmed", friend.get(confirm), 200, confirm_title)

    # The owner's list (one sent, unsubscribed, one failed) and the box to tell invitees.
    pages.add("invite: owner, with invitees", owner.get(invite), 200, invite_title)
    pages.add(
        "edit: owner, with invitees", owner.get(f"/events/{slug}/edit"), 200, f"Edit “{TITLE}”"
    )
    pages.add(
        "delete: owner, with invitees",
        owner.get(f"/events/{slug}/delete"),
        200,
        f"Delete “{TITLE}”",
    )

    # Forgetting the password: asking for a link, and setting a new one with it.
    forgot = f"/events/{slug}/forgot"
    ask_title = f"Forgot the password of “{TITLE}”?"
    pages.add("recovery: ask", friend.get(forgot), 200, ask_title)
    asked = friend.post(forgot)
    pages.add("recovery: asked", friend.get(asked.headers["Location"]), 200, ask_title)
    link = recovery_path(mail_server.messages[-1].message)
    new_title = f"New password for “{TITLE}”"
    pages.add("recovery: new password", friend.get(link), 200, new_title)
    pages.add(
        "recovery: new password errors",
        friend.post(link, data={"new_password": "short", "new_password_confirm": "other"}),
        400,
        f"Error: {new_title}",
    )
    pages.add("recovery: link used up", friend.get(link + "x"), 404, "Page not found")

    # An event that has sent all of today's invitations.
    spent = store_event(app, title=TITLE)
    with app.app_context():
        invites.take_allowance(service.find_event(spent).id, invites.PER_DAY)
    pages.add(
        "invite: refused, daily allowance",
        friend.post(
            f"/events/{spent}/invite", data={"addresses": "late@example.org", "password": PASSWORD}
        ),
        429,
        f"Error: {invite_title}",
    )


def created_slug(response) -> str:
    """The slug of the event a create form's answer leads to."""
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"].rsplit("/", 1)[1]


def unsubscribe_path(message: EmailMessage) -> str:
    """The path in an email's List-Unsubscribe header."""
    return UNSUBSCRIBE_LINK.fullmatch(message["List-Unsubscribe"].strip()).group(1)


def recovery_path(message: EmailMessage) -> str:
    """The path of the recovery link in an email."""
    return RECOVERY_LINK.search(message.get_body(("plain",)).get_content()).group(1)


def receive_every_email(app: Flask, mail_server: MailServer) -> dict[str, EmailMessage]:
    """One email of each kind, as the mail server received it; the kinds key the result.

    The app sends to the mail server, which holds no messages yet; an owner creates an
    event, invites a friend, changes the event and deletes it; then makes a date poll,
    invites the friend to vote, and picks the date once they are reminded to vote.
    """
    app.test_client_class = SettlingClient
    with running_worker(app):
        return _receive_every_email(app, mail_server)


def _receive_every_email(app: Flask, mail_server: MailServer) -> dict[str, EmailMessage]:
    owner = Browser(app.test_client())
    emails = {}

    def receive(kind: str, response) -> None:
        assert response.status_code == 303, response.get_data(as_text=True)
        emails[kind] = mail_server.messages[-1].message
        assert len(mail_server.messages) == len(emails), kind

    # Sooner than the events of render_every_page, so that only its reminder is due first.
    response = owner.post(
        "/create", data=event_form(title=TITLE, owner_email=OWNER_EMAIL, date="2054-06-01")
    )
    receive("receipt", response)
    slug = created_slug(response)
    data = {"addresses": "ana@example.org", "note": NOTE}
    receive("invitation", owner.post(f"/events/{slug}/invite", data=data))
    # Zed takes the one place, so Ana waits for it, with her address confirmed.
    zed, friend = Browser(app.test_client()), Browser(app.test_client())
    assert owner.post(f"/events/{slug}/answers", data={"capacity": "1"}).status_code == 303
    assert answer(zed, slug, name="Zed").status_code == 303
    response = answer(friend, slug, remind="y", email="ana@example.org", waitlist="y")
    receive("confirmation", response)
    confirm = CONFIRM_LINK.search(emails["confirmation"].get_body(("plain",)).get_content())
    assert friend.post(confirm[1]).status_code == 303
    receive("place", zed.post(f"/events/{slug}/rsvp/withdraw"))
    with app.app_context():
        assert reminders.send_reminders(service.find_event(slug).remind_at) == 1
    settle(app)
    emails["reminder"] = mail_server.messages[-1].message
    data = edit_fields(date="2054-06-01", time="21:00", notify="y")
    receive("change", owner.post(f"/events/{slug}/edit", data=data))
    receive("recovery", owner.post(f"/events/{slug}/forgot"))
    minimum = {"min_going": "1", "decide_date": "2054-05-31", "decide_time": "18:00"}
    assert owner.post(f"/events/{slug}/minimum", data=minimum).status_code == 303
    receive("called_off", owner.post(f"/events/{slug}/minimum/off"))
    receive("cancellation", owner.post(f"/events/{slug}/delete", data={"notify": "y"}))
    add_poll_emails(app, owner, receive, emails, mail_server)
    return emails


def add_poll_emails(
    app: Flask,
    owner: Browser,
    receive: Callable[[str, object], None],
    emails: dict[str, EmailMessage],
    mail_server: MailServer,
) -> None:
    """A date poll's emails: the invitation to vote, the reminder before voting ends (the
    first due, so that no other poll's is), and the date picked."""
    data = event_form(title=TITLE, **POLL_OPTIONS)
    del data["date"], data["time"]
    poll = created_slug(owner.post("/create/poll", data=data))
    invite = {"addresses": "ana@example.org", "note": NOTE}
    receive("poll_invitation", owner.post(f"/events/{poll}/invite", data=invite))
    voting_ends = {"closes_date": "2054-03-01", "closes_time": "18:00"}
    assert owner.post(f"/events/{poll}/poll/settings", data=voting_ends).status_code == 303
    with app.app_context():
        event = service.find_event(poll)
        assert polls.remind_due(event.poll_remind_at) == 1
        first = select(PollOption.id).where(PollOption.event_id == event.id)
        option = db.session.scalars(first.order_by(PollOption.starts_at)).first()
    settle(app)
    emails["vote_reminder"] = mail_server.messages[-1].message
    assert len(mail_server.messages) == len(emails)
    picking = {"option": str(option), "notify": "y"}
    receive("picked", owner.post(f"/events/{poll}/poll/pick", data=picking))
