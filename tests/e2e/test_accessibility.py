"""Every page the served site shows passes axe-core's checks in Chromium.

No violation of serious or critical impact on any page or form showing its errors,
at phone and desktop sizes. axe-core comes from npm (package-lock.json; ./build.sh
runs npm ci); these pages are opened with the Content-Security-Policy bypassed so
that its script can be added. Without node_modules the tests are skipped; under
SKEDJIT_REQUIRE_BROWSER=1 that is a failure. The 500 and 503 pages use the same
template as the 404 checked here (the served site cannot be made to fail on cue).
"""

import os
from pathlib import Path

import pytest

from .conftest import DESKTOP
from .conftest import PHONE

# Two minutes of the build's two cores: CI runs them on every change (see build.sh).
pytestmark = pytest.mark.slow

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")
PASSWORD = "correct horse"
WRONG = "not the password"
RUN_AXE = """async () => {
  const results = await axe.run(document, { resultTypes: ["violations"] });
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")),
  }));
}"""


@pytest.fixture(scope="session")
def axe_script() -> Path:
    """axe-core's script, installed from package-lock.json."""
    if not AXE.is_file():
        message = "no node_modules/axe-core: install npm, then ./build.sh runs npm ci"
        if os.environ.get("SKEDJIT_REQUIRE_BROWSER") == "1":
            pytest.fail(f"SKEDJIT_REQUIRE_BROWSER=1 but {message}")
        pytest.skip(message)
    return AXE


class Audit:
    """Runs axe on pages at both sizes and keeps its serious findings, page by page."""

    def __init__(self, script: Path):
        self.script = script
        self.checked: list[str] = []
        self.violations: dict[str, list[str]] = {}

    def check(self, page, name: str) -> None:
        for size_name, size in (("phone", PHONE), ("desktop", DESKTOP)):
            page.set_viewport_size(size)
            if not page.evaluate("typeof axe === 'object'"):
                page.add_script_tag(path=str(self.script))
            for found in page.evaluate(RUN_AXE):
                if found["impact"] in SERIOUS:
                    where = ", ".join(found["nodes"][:3])
                    summary = f"{found['id']} ({found['impact']}): {found['help']} at {where}"
                    self.violations.setdefault(f"{name} at {size_name} size", []).append(summary)
        page.set_viewport_size(PHONE)
        self.checked.append(name)


@pytest.fixture
def audit(axe_script) -> Audit:
    return Audit(axe_script)


@pytest.fixture
def open_page(new_context):
    """Return a callable that opens a page in a new browser whose CSP lets axe in."""
    return lambda: new_context(bypass_csp=True).new_page()


def submit(page, button: str) -> int:
    """Press a form's button and wait for the page it leads to; that page's status."""
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name=button, exact=True).click()
    return navigation.value.status


def summary_has_focus(page) -> bool:
    return page.evaluate("document.activeElement.classList.contains('error-summary')")


def fill_event(page, title: str) -> None:
    page.get_by_label("Title").fill(title)
    page.get_by_label("Date", exact=True).fill("2054-12-12")
    page.get_by_label("Start time").fill("19:30")
    page.get_by_label("Edit password", exact=True).fill(PASSWORD)
    page.get_by_label("Edit password again").fill(PASSWORD)


def create_event(page, title: str, hide_preview: bool = False) -> str:
    """Create an event through the form; its slug (this browser becomes its owner)."""
    page.goto("/create")
    fill_event(page, title)
    page.get_by_label("Place").fill("12 Rue de la Paix, Paris")
    page.get_by_label("Description").fill("Bring snacks. Menu: https://example.org/menu")
    if hide_preview:
        page.get_by_label("Keep details out of link previews").check()
    assert submit(page, "Create event") == 200
    return page.url.rsplit("/", 1)[1]


def answer(page, name: str, response: str = "Going", guests: str = "0", note: str = "") -> int:
    page.get_by_label("Your name").fill(name)
    page.get_by_label(response, exact=True).check()
    page.get_by_label("Extra people you bring").fill(guests)
    page.get_by_label("Note (optional)").fill(note)
    return submit(page, "Send my answer")


def test_the_home_page_and_the_create_form_with_its_errors(open_page, audit):
    page = open_page()
    assert page.goto("/").status == 200
    audit.check(page, "landing")
    assert page.goto("/create").status == 200
    audit.check(page, "create")

    assert submit(page, "Create event") == 400
    assert summary_has_focus(page)
    audit.check(page, "create: every field missing")

    # What a browser without date and time pickers may send.
    page.evaluate("for (const id of ['date', 'time']) document.getElementById(id).type = 'text'")
    page.get_by_label("Title").fill("Board games")
    page.get_by_label("Date", exact=True).fill("31/02/2026")
    page.get_by_label("Start time").fill("7pm")
    page.get_by_label("Edit password", exact=True).fill("short")
    page.get_by_label("Edit password again").fill("other")
    assert submit(page, "Create event") == 400
    audit.check(page, "create: malformed values")

    fill_event(page, "Board games")
    page.get_by_label("End time").fill("18:00")
    assert submit(page, "Create event") == 400
    audit.check(page, "create: end before the start")

    fill_event(page, "Board games")
    page.eval_on_selector("#description", "box => box.removeAttribute('maxlength')")
    page.get_by_label("Description").fill("x" * 70_000)
    assert submit(page, "Create event") == 413
    audit.check(page, "error: 413")

    assert audit.violations == {}


def test_the_event_page_for_its_owner_and_its_friends(open_page, audit):
    owner = open_page()
    slug = create_event(owner, "Board games")
    audit.check(owner, "event: owner, just created")

    friend = open_page()
    friend.goto(f"/events/{slug}")
    audit.check(friend, "event: friend, no answers")
    assert answer(friend, "") == 400
    assert summary_has_focus(friend)
    audit.check(friend, "event: answer with errors")
    assert answer(friend, "Ana", guests="2", note="Bringing cake") == 200
    audit.check(friend, "event: friend, just answered")
    change_link = friend.locator("a.private-link").get_attribute("href")

    for name, response in [("Ben", "Maybe"), ("Chloé", "Can't go")]:
        other = open_page()
        other.goto(f"/events/{slug}")
        assert answer(other, name, response) == 200
    assert owner.goto(f"/events/{slug}").status == 200
    audit.check(owner, "event: owner, with answers")
    stranger = open_page()
    stranger.goto(f"/events/{slug}")
    audit.check(stranger, "event: friend, with answers")

    assert friend.goto(change_link).status == 200
    audit.check(friend, "change answer")

    hidden = create_event(owner, "Surprise party", hide_preview=True)
    stranger.goto(f"/events/{hidden}")
    audit.check(stranger, "event: preview hidden")

    assert audit.violations == {}


def test_the_answers_page_and_what_its_settings_do(open_page, audit):
    owner = open_page()
    slug = create_event(owner, "Dinner")
    friend = open_page()
    assert friend.goto(f"/events/{slug}/answers").status == 200
    audit.check(friend, "answers: locked")
    friend.get_by_label("Event password").fill(WRONG)
    assert submit(friend, "Continue") == 403
    audit.check(friend, "answers: wrong password")

    owner.goto(f"/events/{slug}/answers")
    audit.check(owner, "answers: owner")
    owner.get_by_label("Most people going (leave empty for no limit)").fill("0")
    owner.get_by_label("Answers close on").fill("2054-12-01")
    assert submit(owner, "Save settings") == 400
    assert summary_has_focus(owner)
    audit.check(owner, "answers: settings with errors")
    owner.get_by_label("Most people going (leave empty for no limit)").fill("1")
    owner.get_by_label("Answers close at").fill("18:00")
    assert submit(owner, "Save settings") == 200

    friend.goto(f"/events/{slug}")
    assert answer(friend, "Ana") == 200
    late = open_page()
    late.goto(f"/events/{slug}")
    audit.check(late, "event: full")
    assert answer(late, "Ben") == 409
    audit.check(late, "event: answer refused, full")
    assert submit(late, "Join the waitlist") == 200
    audit.check(late, "event: on the waitlist")
    later = open_page()
    later.goto(f"/events/{slug}")

    owner.goto(f"/events/{slug}/answers")
    audit.check(owner, "answers: owner, with answers")
    owner.get_by_label("Close answers now").check()
    owner.get_by_label("Show friends only the counts, not who answered").check()
    assert submit(owner, "Save settings") == 200
    assert answer(later, "Cy", "Maybe") == 409  # the form was open before answers closed
    audit.check(later, "event: answer refused, closed")
    later.goto(f"/events/{slug}")
    audit.check(later, "event: answers closed, list hidden")

    assert audit.violations == {}


def test_the_minimum_going_its_errors_and_calling_off(open_page, audit):
    owner = open_page()
    slug = create_event(owner, "Hike")
    owner.goto(f"/events/{slug}/answers")
    owner.get_by_label("Fewest people going").fill("0")
    owner.get_by_label("Decided on").fill("2054-12-11")
    assert submit(owner, "Save the minimum") == 400
    assert summary_has_focus(owner)
    audit.check(owner, "answers: minimum with errors")
    owner.get_by_label("Fewest people going").fill("6")
    owner.get_by_label("Decided at").fill("18:00")
    assert submit(owner, "Save the minimum") == 200
    audit.check(owner, "answers: owner, with a minimum")
    friend = open_page()
    friend.goto(f"/events/{slug}")
    audit.check(friend, "event: on if enough say yes")

    with owner.expect_navigation():
        owner.get_by_role("link", name="Call it off").click()
    audit.check(owner, "call off: confirm")
    assert submit(owner, "Call it off") == 200
    audit.check(owner, "answers: owner, called off")
    friend.goto(f"/events/{slug}")
    audit.check(friend, "event: called off")

    assert audit.violations == {}


def test_editing_and_deleting_with_every_refusal(open_page, audit):
    owner = open_page()
    slug = create_event(owner, "Picnic")
    owner.goto(f"/events/{slug}/edit")
    audit.check(owner, "edit: owner")
    owner.get_by_label("Title").fill("")
    assert submit(owner, "Save changes") == 400
    assert summary_has_focus(owner)
    audit.check(owner, "edit: field errors")

    behind = owner.context.new_page()
    behind.goto(f"/events/{slug}/edit")
    owner.goto(f"/events/{slug}/edit")
    owner.get_by_label("Title").fill("Picnic in the park")
    assert submit(owner, "Save changes") == 200
    assert submit(behind, "Save changes") == 409
    audit.check(behind, "edit: someone else saved first")

    friend = open_page()
    friend.goto(f"/events/{slug}/edit")
    audit.check(friend, "edit: friend")
    assert submit(friend, "Save changes") == 400
    audit.check(friend, "edit: no password")
    for attempt in range(5):
        friend.get_by_label("Event password").fill(WRONG)
        assert submit(friend, "Save changes") == 403
        if attempt == 0:
            audit.check(friend, "edit: wrong password")
    friend.get_by_label("Event password").fill(WRONG)
    assert submit(friend, "Save changes") == 429
    audit.check(friend, "edit: locked after wrong passwords")

    other = create_event(owner, "Barbecue")
    friend.goto(f"/events/{other}/delete")
    audit.check(friend, "delete: friend")
    assert submit(friend, "Delete event") == 400
    audit.check(friend, "delete: no password")
    friend.get_by_label("Event password").fill(WRONG)
    assert submit(friend, "Delete event") == 403
    audit.check(friend, "delete: wrong password")
    owner.goto(f"/events/{other}/delete")
    audit.check(owner, "delete: owner")
    assert submit(owner, "Delete event") == 200
    audit.check(owner, "landing: just deleted")

    assert audit.violations == {}


def test_inviting_by_email_and_leaving_the_emails(open_page, audit, mail_server):
    owner = open_page()
    create_event(owner, "Board games")
    with owner.expect_navigation():
        owner.get_by_role("link", name="Invite by email").click()
    audit.check(owner, "invite: owner")
    owner.get_by_label("Email addresses").fill("ana@example, ben@example.org")
    assert submit(owner, "Send invitations") == 400
    assert summary_has_focus(owner)
    audit.check(owner, "invite: field errors")
    owner.get_by_label("Email addresses").fill("ana@example.org")
    assert submit(owner, "Send invitations") == 200
    audit.check(owner, "invite: owner, with invitees")

    mail_server.wait_for(1)
    (received,) = mail_server.to("ana@example.org")
    ana = open_page()
    assert ana.goto(received.message["List-Unsubscribe"].strip()[1:-1]).status == 200
    audit.check(ana, "unsubscribe")
    assert submit(ana, "Stop the emails") == 200
    audit.check(ana, "unsubscribed")

    assert audit.violations == {}


def test_the_date_poll_voting_and_the_owners_page(open_page, audit):
    owner = open_page()
    assert owner.goto("/create/poll").status == 200
    audit.check(owner, "poll create")
    assert submit(owner, "Create poll") == 400
    assert summary_has_focus(owner)
    audit.check(owner, "poll create: every field missing")
    owner.get_by_label("Title").fill("Board games")
    for number, day in enumerate(["2054-12-11", "2054-12-12", "2054-12-13"], 1):
        owner.get_by_label(f"Option {number}: date").fill(day)
        owner.get_by_label(f"Option {number}: start time").fill("19:30")
    owner.get_by_label("Edit password", exact=True).fill(PASSWORD)
    owner.get_by_label("Edit password again").fill(PASSWORD)
    assert submit(owner, "Create poll") == 200
    audit.check(owner, "poll: owner, just created")
    slug = owner.url.rsplit("/", 1)[1]

    for name, choice in [("Ana", "Yes"), ("Ben", "If need be")]:
        friend = open_page()
        friend.goto(f"/events/{slug}")
        audit.check(friend, "poll: friend, no votes")
        friend.locator(".poll-option").first.get_by_label(choice, exact=True).check()
        friend.get_by_label("Your name").fill(name)
        assert submit(friend, "Send my votes") == 200
    audit.check(friend, "poll: voter, just voted")
    assert friend.goto(friend.locator("a.private-link").get_attribute("href")).status == 200
    audit.check(friend, "poll: voter's own link")

    stranger = open_page()
    assert stranger.goto(f"/events/{slug}/poll").status == 200
    audit.check(stranger, "poll page: locked")
    assert owner.goto(f"/events/{slug}/poll").status == 200
    audit.check(owner, "poll page: owner")
    owner.get_by_label("Start time").fill("25:00")
    assert submit(owner, "Add this date") == 400
    audit.check(owner, "poll page: date with errors")
    owner.get_by_role("link", name="Remove this date").first.click()
    audit.check(owner, "poll page: remove a date with votes")
    owner.goto(f"/events/{slug}/poll")
    owner.get_by_label("Close voting now").check()
    assert submit(owner, "Save voting settings") == 200
    stranger.goto(f"/events/{slug}")
    audit.check(stranger, "poll: voting closed")

    assert audit.violations == {}


def test_the_error_pages(open_page, audit):
    page = open_page()
    assert page.goto("/no/such/page").status == 404
    audit.check(page, "error: 404")
    assert page.goto("/events/abcdef/rsvp").status == 405
    audit.check(page, "error: 405")

    page.goto("/create")
    fill_event(page, "Board games")
    page.eval_on_selector("input[name=csrf_token]", "input => input.remove()")
    assert submit(page, "Create event") == 400
    audit.check(page, "error: 400 expired form")

    assert audit.violations == {}


def test_the_audit_finds_what_axe_calls_serious(open_page, audit):
    page = open_page()
    page.goto("/")
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=x>')")
    audit.check(page, "landing with an image that has no text")
    assert (
        "image-alt" in audit.violations["landing with an image that has no text at phone size"][0]
    )


@pytest.mark.parametrize("locale", ["de-DE", "ar"])
def test_the_main_pages_in_german_and_arabic(new_context, audit, locale):
    """In a long language and in one written right to left: the same pages, no finding."""
    owner = new_context(bypass_csp=True, locale=locale).new_page()
    assert owner.goto("/").status == 200
    audit.check(owner, "landing")
    assert owner.goto("/create").status == 200
    audit.check(owner, "create")
    with owner.expect_navigation() as refused:
        owner.locator("form.event-form button[type=submit]").click()
    assert refused.value.status == 400
    audit.check(owner, "create: every field missing")

    owner.locator("#title").fill("Board games")
    owner.locator("#date").fill("2054-12-12")
    owner.locator("#time").fill("19:30")
    owner.locator("#location").fill("12 Rue de la Paix, Paris")
    owner.locator("#password").fill(PASSWORD)
    owner.locator("#password_confirm").fill(PASSWORD)
    with owner.expect_navigation() as created:
        owner.locator("form.event-form button[type=submit]").click()
    assert created.value.status == 200
    audit.check(owner, "event: owner, just created")
    path = "/events/" + owner.url.rsplit("/", 1)[1]

    friend = new_context(bypass_csp=True, locale=locale).new_page()
    friend.goto(path)
    audit.check(friend, "event: friend")
    friend.locator("#name").fill("Chloé")
    friend.locator("#response-0").check()
    with friend.expect_navigation():
        friend.locator(".answer-form button[type=submit]").click()
    audit.check(friend, "event: friend who answered")
    assert owner.goto(f"{path}/edit").status == 200
    audit.check(owner, "edit")
    assert owner.goto("/events/nothere").status == 404
    audit.check(owner, "error: 404")

    assert audit.violations == {}


def test_the_bring_list_and_the_claim_form(open_page, audit):
    owner = open_page()
    slug = create_event(owner, "Picnic")
    assert owner.goto(f"/events/{slug}/bring").status == 200
    audit.check(owner, "bring: owner, empty")
    owner.get_by_label("How many (optional)").fill("0")
    assert submit(owner, "Add to the list") == 400
    assert summary_has_focus(owner)
    audit.check(owner, "bring: item with errors")
    owner.get_by_label("What to bring").fill("bottles of wine")
    owner.get_by_label("How many (optional)").fill("3")
    assert submit(owner, "Add to the list") == 200
    owner.get_by_label("What to bring").fill("a board game")
    assert submit(owner, "Add to the list") == 200

    friend = open_page()
    friend.goto(f"/events/{slug}")
    audit.check(friend, "event: friend, with a bring list")
    assert answer(friend, "Ana") == 200
    audit.check(friend, "event: friend, the claim forms")
    friend.get_by_label("How many you bring").fill("2")
    assert submit(friend, "I'll bring them") == 200
    assert submit(friend, "I'll bring it") == 200
    audit.check(friend, "event: friend, bringing")

    late = open_page()
    late.goto(f"/events/{slug}")
    assert answer(late, "Ben") == 200
    late.get_by_label("How many you bring").fill("2")
    assert submit(late, "I'll bring them") == 409
    assert summary_has_focus(late)
    audit.check(late, "event: claim refused, too many")

    assert owner.goto(f"/events/{slug}/bring").status == 200
    audit.check(owner, "bring: owner, with claims")
    assert owner.goto(f"/events/{slug}").status == 200
    audit.check(owner, "event: owner, with a bring list")

    assert audit.violations == {}
