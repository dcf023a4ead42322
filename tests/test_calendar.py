"""The event as an .ics file, its cancellation after deletion, and the add-to-calendar links."""

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import parse_qsl
from urllib.parse import urlsplit

import pytest
from icalendar import Calendar
from sqlalchemy import select
from sqlalchemy import update

from skedjit.calendars import routes as calendar_routes
from skedjit.events import service
from skedjit.extensions import db
from skedjit.models import Event
from skedjit.models import Tombstone
from tests.helpers.apps import count_rows
from tests.helpers.forms import PASSWORD
from tests.helpers.forms import edit_fields
from tests.helpers.forms import event_form

START = datetime(2026, 12, 12, 18, 30, tzinfo=UTC)  # 19:30 in Paris
END = datetime(2026, 12, 12, 22, 0, tzinfo=UTC)  # 23:00 in Paris
TWO_HOURS = timedelta(hours=2)
TRICKY_TITLE = "Rock & Roll #1 + café, 日本語; “fun” 🎸"


def fetch_calendar(client, slug: str) -> Calendar:
    """The event's .ics, parsed."""
    response = client.get(f"/events/{slug}.ics")
    assert response.status_code == 200, response.get_data(as_text=True)
    return Calendar.from_ical(response.get_data())


def only_event(calendar: Calendar):
    """The calendar's one VEVENT."""
    (vevent,) = calendar.walk("VEVENT")
    return vevent


def fetch_event(client, slug: str):
    """The VEVENT of the event's .ics."""
    return only_event(fetch_calendar(client, slug))


def instant(vevent, name: str) -> datetime:
    """A date-time property of a VEVENT as a UTC instant."""
    return vevent.decoded(name).astimezone(UTC)


def zone_ids(calendar: Calendar) -> list[str]:
    """The TZIDs of the calendar's VTIMEZONEs."""
    return [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")]


def delete(browser, slug: str) -> None:
    """Delete the event with its password."""
    assert browser.post(f"/events/{slug}/delete", {"password": PASSWORD}).status_code == 303


def age_tombstone(app, slug: str, days: int) -> None:
    """Make the tombstone of a deleted event look deleted so many days ago."""
    with app.app_context():
        deleted_at = datetime.now(UTC) - timedelta(days=days)
        db.session.execute(
            update(Tombstone).where(Tombstone.slug == slug).values(deleted_at=deleted_at)
        )
        db.session.commit()


def tombstone_slugs(app) -> set[str]:
    """The slugs of the stored tombstones."""
    with app.app_context():
        return set(db.session.scalars(select(Tombstone.slug)))


def tombstone_deleted_at(app, slug: str) -> datetime:
    """When the event with this slug was deleted, as its tombstone says."""
    with app.app_context():
        return db.session.scalar(select(Tombstone.deleted_at).where(Tombstone.slug == slug))


# -- The calendar ---------------------------------------------------------------


def test_ics_is_a_published_calendar_of_one_event(client, make_event):
    calendar = fetch_calendar(client, make_event())
    assert str(calendar["PRODID"]) == "-//Skedjit//Skedjit//EN"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert len(calendar.walk("VEVENT")) == 1


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("Content-Type", "text/calendar; charset=utf-8"),
        ("Cache-Control", "private, no-cache"),
        ("X-Robots-Tag", "noindex"),
    ],
)
def test_ics_headers(client, make_event, header, value):
    response = client.get(f"/events/{make_event()}.ics")
    assert response.headers[header] == value


def test_ics_fields_are_what_was_stored(client, make_event, load_event):
    slug = make_event(
        title="Board games",
        starts_at=START,
        ends_at=END,
        location="12 Rue de la Paix",
        description="Bring snacks.",
    )
    event = load_event(slug)
    vevent = fetch_event(client, slug)
    assert str(vevent["UID"]) == f"{slug}-{event.id}@localhost"
    assert isinstance(vevent.decoded("DTSTAMP"), datetime)
    assert str(vevent["SUMMARY"]) == "Board games"
    assert str(vevent["DESCRIPTION"]) == "Bring snacks."
    assert str(vevent["LOCATION"]) == "12 Rue de la Paix"
    assert str(vevent["URL"]) == f"http://localhost/events/{slug}"
    assert instant(vevent, "DTSTART") == START
    assert instant(vevent, "DTEND") == END
    assert instant(vevent, "CREATED") == event.created_at.replace(microsecond=0)
    assert instant(vevent, "LAST-MODIFIED") == event.updated_at.replace(microsecond=0)
    assert vevent["SEQUENCE"] == 0
    assert str(vevent["STATUS"]) == "CONFIRMED"


def test_dtstamp_is_now_in_utc(client, make_event):
    before = datetime.now(UTC).replace(microsecond=0)
    response = client.get(f"/events/{make_event()}.ics")
    vevent = only_event(Calendar.from_ical(response.get_data()))
    assert before <= instant(vevent, "DTSTAMP") <= datetime.now(UTC)
    assert b"\r\nDTSTAMP:" in response.get_data()
    assert vevent["DTSTAMP"].to_ical().endswith(b"Z")


def test_uid_uses_the_configured_calendar_domain(app, client, make_event, load_event):
    app.config["CALENDAR_DOMAIN"] = "skedjit.example"
    slug = make_event()
    vevent = fetch_event(client, slug)
    assert str(vevent["UID"]) == f"{slug}-{load_event(slug).id}@skedjit.example"


@pytest.mark.parametrize("field", ["description", "location"])
def test_empty_text_fields_are_left_out(client, make_event, field):
    vevent = fetch_event(client, make_event(**{field: ""}))
    assert field.upper() not in vevent


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Snacks, drinks; games", id="comma-semicolon"),
        pytest.param("C:\\New folder\\notes \\N \\n \\, \\; \\\\ end\\", id="backslashes"),
        pytest.param("First line\nSecond line\n\nFourth", id="newlines"),
        pytest.param("Say \"cheese\" and 'hi'", id="quotes"),
        pytest.param("Café à l'école, 日本語 🎉👩‍👩‍👧", id="non-ascii"),
        pytest.param("Tab\there:colon;=equals", id="tab-colon"),
    ],
)
def test_tricky_text_survives_the_round_trip(client, make_event, text):
    title = text.replace("\n", " ")  # a title is one line
    slug = make_event(title=title, location=title, description=text)
    vevent = fetch_event(client, slug)
    assert str(vevent["SUMMARY"]) == title
    assert str(vevent["LOCATION"]) == title
    assert str(vevent["DESCRIPTION"]) == text


def test_long_description_is_folded_into_lines_of_at_most_75_octets(client, make_event):
    description = "Bring snacks, games; and friends: é日本語🎉 \\ done.\n" * 60
    slug = make_event(description=description)
    raw = client.get(f"/events/{slug}.ics").get_data()
    lines = raw.split(b"\r\n")
    assert any(line.startswith(b" ") for line in lines), "nothing was folded"
    assert max(len(line) for line in lines) <= 75
    for line in lines:
        line.decode("utf-8")  # no character is cut in two
    assert str(only_event(Calendar.from_ical(raw))["DESCRIPTION"]) == description


# -- Times and zones ------------------------------------------------------------


@pytest.mark.parametrize(
    ("form", "wall_start", "wall_end", "utc_start", "utc_end"),
    [
        pytest.param(
            {"date": "2026-12-12", "time": "19:30", "end_date": "2026-12-12", "end_time": "23:00"},
            datetime(2026, 12, 12, 19, 30),
            datetime(2026, 12, 12, 23, 0),
            datetime(2026, 12, 12, 18, 30, tzinfo=UTC),
            datetime(2026, 12, 12, 22, 0, tzinfo=UTC),
            id="winter",
        ),
        pytest.param(
            {"date": "2026-03-28", "time": "23:00", "end_date": "2026-03-29", "end_time": "04:00"},
            datetime(2026, 3, 28, 23, 0),
            datetime(2026, 3, 29, 4, 0),
            datetime(2026, 3, 28, 22, 0, tzinfo=UTC),
            datetime(2026, 3, 29, 2, 0, tzinfo=UTC),
            id="clocks-go-forward",
        ),
        pytest.param(
            {"date": "2026-10-24", "time": "23:00", "end_date": "2026-10-25", "end_time": "04:00"},
            datetime(2026, 10, 24, 23, 0),
            datetime(2026, 10, 25, 4, 0),
            datetime(2026, 10, 24, 21, 0, tzinfo=UTC),
            datetime(2026, 10, 25, 3, 0, tzinfo=UTC),
            id="clocks-go-back",
        ),
    ],
)
def test_times_are_in_the_events_zone(
    browser, create_event_as, form, wall_start, wall_end, utc_start, utc_end
):
    slug = create_event_as(browser, timezone="Europe/Paris", **form)
    calendar = fetch_calendar(browser, slug)
    vevent = only_event(calendar)
    for name, wall, utc in (("DTSTART", wall_start, utc_start), ("DTEND", wall_end, utc_end)):
        assert vevent[name].params["TZID"] == "Europe/Paris"
        assert vevent.decoded(name).replace(tzinfo=None) == wall
        assert instant(vevent, name) == utc
    assert zone_ids(calendar) == ["Europe/Paris"]


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "years"),
    [
        pytest.param(START, END, {2026}, id="one-year"),
        pytest.param(
            datetime(2026, 12, 31, 21, 0, tzinfo=UTC),
            datetime(2027, 1, 1, 3, 0, tzinfo=UTC),
            {2026, 2027},
            id="new-years-eve",
        ),
    ],
)
def test_vtimezone_covers_only_the_events_years(client, make_event, starts_at, ends_at, years):
    calendar = fetch_calendar(client, make_event(starts_at=starts_at, ends_at=ends_at))
    (zone,) = calendar.walk("VTIMEZONE")
    lines = zone.to_ical().decode().split("\r\n")
    onsets = [
        value
        for line in lines
        if line.startswith(("DTSTART:", "RDATE:"))
        for value in line.split(":", 1)[1].split(",")
    ]
    assert {int(onset[:4]) for onset in onsets} == years


def test_utc_event_has_utc_times_and_no_vtimezone(client, make_event):
    slug = make_event(starts_at=START, ends_at=END, timezone="UTC")
    response = client.get(f"/events/{slug}.ics")
    calendar = Calendar.from_ical(response.get_data())
    vevent = only_event(calendar)
    assert zone_ids(calendar) == []
    assert "TZID" not in vevent["DTSTART"].params
    assert b"\r\nDTSTART:20261212T183000Z\r\n" in response.get_data()
    assert b"\r\nDTEND:20261212T220000Z\r\n" in response.get_data()


def test_event_without_end_lasts_two_hours(client, make_event):
    vevent = fetch_event(client, make_event(starts_at=START, ends_at=None))
    assert instant(vevent, "DTEND") == START + TWO_HOURS
    assert vevent["DTEND"].params["TZID"] == "Europe/Paris"


# -- Changes --------------------------------------------------------------------


def test_sequence_counts_the_edits(browser, create_event_as):
    slug = create_event_as(browser)
    assert fetch_event(browser, slug)["SEQUENCE"] == 0
    for edits in (1, 2):
        response = browser.post(f"/events/{slug}/edit", edit_fields(edits, title=f"Edit {edits}"))
        assert response.status_code == 303
        vevent = fetch_event(browser, slug)
        assert (vevent["SEQUENCE"], str(vevent["SUMMARY"])) == (edits, f"Edit {edits}")


def test_last_modified_follows_an_edit(browser, create_event_as, load_event):
    slug = create_event_as(browser)
    assert browser.post(f"/events/{slug}/edit", edit_fields(location="Hall")).status_code == 303
    updated_at = load_event(slug).updated_at.replace(microsecond=0)
    assert instant(fetch_event(browser, slug), "LAST-MODIFIED") == updated_at


# -- The file name --------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "disposition"),
    [
        pytest.param(
            "Board games at Ana's", "attachment; filename=board-games-at-anas.ics", id="ascii"
        ),
        pytest.param(
            "Fête à l’école",
            "attachment; filename=fete-a-lecole.ics; "
            "filename*=UTF-8''f%C3%AAte-%C3%A0-l%C3%A9cole.ics",
            id="accents",
        ),
        pytest.param(
            "日本語の会 2026",
            "attachment; filename=2026.ics; "
            "filename*=UTF-8''%E6%97%A5%E6%9C%AC%E8%AA%9E%E3%81%AE%E4%BC%9A-2026.ics",
            id="japanese",
        ),
        pytest.param(
            "日本語",
            "attachment; filename=event.ics; filename*=UTF-8''%E6%97%A5%E6%9C%AC%E8%AA%9E.ics",
            id="nothing-ascii",
        ),
        pytest.param("!!! ??? 🎉 ***", "attachment; filename=event.ics", id="symbols"),
        pytest.param(
            '../../etc/passwd; x="y"', "attachment; filename=etc-passwd-x-y.ics", id="path"
        ),
        pytest.param("— Picnic! —", "attachment; filename=picnic.ics", id="symbols-around"),
        pytest.param("a" * 120, f"attachment; filename={'a' * 60}.ics", id="long"),
        pytest.param(
            f"{'a' * 59} party", f"attachment; filename={'a' * 59}.ics", id="long-cut-at-a-space"
        ),
    ],
)
def test_download_is_named_after_the_title(client, make_event, title, disposition):
    response = client.get(f"/events/{make_event(title=title)}.ics")
    assert response.headers["Content-Disposition"] == disposition


# -- Deleted events -------------------------------------------------------------


def test_deleted_event_ics_says_cancelled(app, browser, make_event):
    slug = make_event(title="Picnic", starts_at=START, ends_at=END)
    before = fetch_event(browser, slug)
    delete(browser, slug)
    calendar = fetch_calendar(browser, slug)
    after = only_event(calendar)
    assert str(after["STATUS"]) == "CANCELLED"
    assert str(after["UID"]) == str(before["UID"])
    assert after["SEQUENCE"] == before["SEQUENCE"] + 1
    assert instant(after, "DTSTAMP") >= instant(before, "DTSTAMP")
    deleted_at = tombstone_deleted_at(app, slug).replace(microsecond=0)
    assert instant(after, "LAST-MODIFIED") == deleted_at
    assert str(after["SUMMARY"]) == "Picnic"
    assert (instant(after, "DTSTART"), instant(after, "DTEND")) == (START, END)
    assert after["DTSTART"].params["TZID"] == "Europe/Paris"
    assert zone_ids(calendar) == ["Europe/Paris"]
    assert str(calendar["METHOD"]) == "PUBLISH"


def test_cancellation_of_an_edited_event_tops_its_last_sequence(browser, create_event_as):
    slug = create_event_as(browser)
    assert browser.post(f"/events/{slug}/edit", edit_fields(title="Moved")).status_code == 303
    assert browser.post(f"/events/{slug}/delete").status_code == 303
    vevent = fetch_event(browser, slug)
    assert (vevent["SEQUENCE"], str(vevent["SUMMARY"])) == (2, "Moved")


def test_cancelled_event_without_end_lasts_two_hours(browser, make_event):
    slug = make_event(starts_at=START, ends_at=None)
    delete(browser, slug)
    assert instant(fetch_event(browser, slug), "DTEND") == START + TWO_HOURS


def test_deleted_event_page_stays_404(browser, make_event):
    slug = make_event()
    delete(browser, slug)
    assert browser.get(f"/events/{slug}").status_code == 404


@pytest.mark.parametrize(("days", "status"), [(29, 200), (31, 404)])
def test_cancellation_is_served_for_30_days(browser, make_event, monkeypatch, days, status):
    slug = make_event()
    delete(browser, slug)
    later = datetime.now(UTC) + timedelta(days=days)
    monkeypatch.setattr(service, "utcnow", lambda: later)
    assert browser.get(f"/events/{slug}.ics").status_code == status


def test_prune_tombstones_removes_only_those_older_than_30_days(app, browser, make_event):
    old, recent = make_event(), make_event()
    delete(browser, old)
    delete(browser, recent)
    age_tombstone(app, old, days=31)
    age_tombstone(app, recent, days=29)
    result = app.test_cli_runner().invoke(args=["prune"])
    assert result.exit_code == 0
    assert "1 tombstones" in result.output
    assert tombstone_slugs(app) == {recent}


# -- Unknown addresses ----------------------------------------------------------


def test_unknown_slug_ics_is_404(client, make_event):
    slug = make_event()
    unknown = "abcdef" if slug != "abcdef" else "bcdefg"
    assert client.get(f"/events/{unknown}.ics").status_code == 404


@pytest.mark.parametrize("path", ["/events/abc.ics", "/events/abcdeO.ics", "/events/abcdefg.ics"])
def test_malformed_slug_ics_is_404(client, path):
    assert client.get(path).status_code == 404


# -- The links on the event page ------------------------------------------------


class _CalendarSection(HTMLParser):
    """Collects the add-to-calendar section's heading and links."""

    def __init__(self):
        super().__init__()
        self.labelled_by: str | None = None
        self.heading_ids: list[str] = []
        self.links: list[dict[str, str]] = []
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section" and attrs.get("class") == "add-to-calendar":
            self.labelled_by = attrs.get("aria-labelledby")
            self._depth = 1
        elif tag == "section" and self._depth:
            self._depth += 1
        elif self._depth and tag == "h2":
            self.heading_ids.append(attrs.get("id"))
        elif self._depth and tag == "a":
            self.links.append(attrs)

    def handle_endtag(self, tag):
        if tag == "section" and self._depth:
            self._depth -= 1


def calendar_section(client, slug: str) -> _CalendarSection:
    """The event page's add-to-calendar section, parsed."""
    response = client.get(f"/events/{slug}")
    assert response.status_code == 200
    section = _CalendarSection()
    section.feed(response.get_data(as_text=True))
    return section


def link_kind(href: str) -> str:
    """Which of the four calendar links an address is."""
    url = urlsplit(href)
    if url.scheme == "webcal":
        return "webcal"
    if url.netloc == "calendar.google.com":
        return "google"
    if url.netloc == "outlook.live.com":
        return "outlook"
    assert url.path.endswith(".ics"), href
    return "ics"


def calendar_links(client, slug: str) -> dict[str, dict[str, str]]:
    """The section's links by kind, each as its attributes."""
    links = {link_kind(link["href"]): link for link in calendar_section(client, slug).links}
    assert len(links) == 4
    return links


def query(href: str) -> dict[str, str]:
    """The parameters of a link, decoded."""
    pairs = parse_qsl(urlsplit(href).query, keep_blank_values=True, strict_parsing=True)
    assert len(pairs) == len(dict(pairs)), "a parameter is repeated"
    return dict(pairs)


def test_event_page_has_a_labelled_section_with_the_four_links(client, make_event):
    section = calendar_section(client, make_event())
    assert section.labelled_by
    assert section.heading_ids == [section.labelled_by]
    assert sorted(link_kind(link["href"]) for link in section.links) == [
        "google",
        "ics",
        "outlook",
        "webcal",
    ]


def test_ics_link_downloads_the_events_calendar(client, make_event):
    slug = make_event()
    href = calendar_links(client, slug)["ics"]["href"]
    assert href == f"http://localhost/events/{slug}.ics"
    assert client.get(href).headers["Content-Type"] == "text/calendar; charset=utf-8"


def test_webcal_link_points_at_the_ics(client, make_event):
    links = calendar_links(client, make_event())
    ics, webcal = urlsplit(links["ics"]["href"]), urlsplit(links["webcal"]["href"])
    assert webcal.scheme == "webcal"
    assert (webcal.netloc, webcal.path, webcal.query) == (ics.netloc, ics.path, ics.query)


@pytest.mark.parametrize("kind", ["google", "outlook"])
def test_outbound_links_do_not_pass_referrer_or_ranking(client, make_event, kind):
    link = calendar_links(client, make_event())[kind]
    assert set(link["rel"].split()) == {"nofollow", "noopener", "noreferrer"}


@pytest.mark.parametrize("title", ["Board games", TRICKY_TITLE])
def test_google_link_carries_the_event(client, make_event, title):
    slug = make_event(
        title=title,
        starts_at=START,
        ends_at=END,
        location="Ana's, 12 Rue de la Paix & co",
        description="Bring snacks.\nSecond line #2",
    )
    assert query(calendar_links(client, slug)["google"]["href"]) == {
        "action": "TEMPLATE",
        "text": title,
        "dates": "20261212T183000Z/20261212T220000Z",
        "details": f"Bring snacks.\nSecond line #2\n\nhttp://localhost/events/{slug}",
        "location": "Ana's, 12 Rue de la Paix & co",
        "ctz": "Europe/Paris",
    }


@pytest.mark.parametrize("title", ["Board games", TRICKY_TITLE])
def test_outlook_link_carries_the_event(client, make_event, title):
    slug = make_event(
        title=title,
        starts_at=START,
        ends_at=END,
        location="Ana's, 12 Rue de la Paix & co",
        description="Bring snacks.\nSecond line #2",
    )
    href = calendar_links(client, slug)["outlook"]["href"]
    assert href.startswith("https://outlook.live.com/calendar/0/deeplink/compose?")
    assert query(href) == {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": title,
        "startdt": "2026-12-12T18:30:00Z",
        "enddt": "2026-12-12T22:00:00Z",
        "body": f"Bring snacks.\nSecond line #2\n\nhttp://localhost/events/{slug}",
        "location": "Ana's, 12 Rue de la Paix & co",
    }


def test_links_without_an_end_last_two_hours(client, make_event):
    links = calendar_links(client, make_event(starts_at=START, ends_at=None))
    assert query(links["google"]["href"])["dates"] == "20261212T183000Z/20261212T203000Z"
    outlook = query(links["outlook"]["href"])
    assert (outlook["startdt"], outlook["enddt"]) == (
        "2026-12-12T18:30:00Z",
        "2026-12-12T20:30:00Z",
    )


@pytest.mark.parametrize(("kind", "details"), [("google", "details"), ("outlook", "body")])
def test_links_of_an_event_without_place_or_description(client, make_event, kind, details):
    slug = make_event(location="", description="")
    params = query(calendar_links(client, slug)[kind]["href"])
    assert params[details] == f"http://localhost/events/{slug}"
    assert "location" not in params


def test_links_follow_the_host_the_page_was_asked_on(client, make_event):
    slug = make_event()
    assert client.get(f"/events/{slug}").status_code == 200  # cached for localhost first
    response = client.get(f"/events/{slug}", base_url="https://skedjit.example")
    section = _CalendarSection()
    section.feed(response.get_data(as_text=True))
    hrefs = {link_kind(link["href"]): link["href"] for link in section.links}
    assert hrefs["ics"] == f"https://skedjit.example/events/{slug}.ics"
    assert hrefs["webcal"] == f"webcal://skedjit.example/events/{slug}.ics"
    assert query(hrefs["google"])["details"] == f"https://skedjit.example/events/{slug}"


# Long events: refused past 366 days; an old one's calendar stays small; files are kept.


@pytest.mark.parametrize(("end_date", "status"), [("2027-12-13", 303), ("2027-12-14", 400)])
def test_an_event_may_last_at_most_366_days(app, browser, end_date, status):
    fields = event_form(date="2026-12-12", time="19:30", end_date=end_date, end_time="19:30")
    response = browser.post("/create", data=fields)
    assert response.status_code == status
    if status == 400:
        assert "An event can last at most 366 days." in response.get_data(as_text=True)
    assert count_rows(app, Event) == (1 if status == 303 else 0)


def test_a_centuries_long_event_from_before_the_limit_gets_a_small_calendar(client, make_event):
    slug = make_event(
        starts_at=datetime(1900, 1, 1, 12, tzinfo=UTC), ends_at=datetime(2999, 1, 1, tzinfo=UTC)
    )
    response = client.get(f"/events/{slug}.ics")
    assert response.status_code == 200
    assert len(response.data) < 8_000  # the zone's rules for two years, not eleven centuries
    calendar = Calendar.from_ical(response.data)
    assert only_event(calendar)["DTEND"].dt.year == 2999


def test_a_calendar_file_is_built_once_per_version(browser, create_event_as, monkeypatch):
    built = []
    real = calendar_routes.event_calendar
    monkeypatch.setattr(
        calendar_routes, "event_calendar", lambda *args: built.append(args) or real(*args)
    )
    slug = create_event_as(browser)
    first = browser.get(f"/events/{slug}.ics").data
    assert browser.get(f"/events/{slug}.ics").data == first
    assert len(built) == 1
    browser.post(f"/events/{slug}/edit", data=edit_fields(title="Moved"))
    assert b"SUMMARY:Moved" in browser.get(f"/events/{slug}.ics").data
    assert len(built) == 2
