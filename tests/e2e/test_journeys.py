"""Whole journeys in Chromium: an owner shares, friends answer and edit, the owner deletes.

Each person has their own browser context, so they never share cookies. The site sends
email to the test SMTP server, which shows what the invited friends receive.
"""

import pytest
from playwright.sync_api import expect

from .conftest import EVENT
from .conftest import PASSWORD
from .conftest import BrowserErrors
from .conftest import create_event

CLIPBOARD = ["clipboard-read", "clipboard-write"]
NOTE = "Bring your favourite game!"


def answer(page, name: str, response: str) -> None:
    """Send or change an answer through the form on the event page."""
    page.get_by_label("Your name").fill(name)
    page.get_by_label(response, exact=True).check()
    page.locator(".answer-form button[type=submit]").click()


def friend_answers_then_changes_the_answer(friend) -> None:
    answer(friend, "Chloé", "Going")
    expect(friend.locator(".flash")).to_contain_text("Thanks, Chloé! Your answer is saved.")
    expect(friend.locator(".my-answer")).to_have_text("Your answer: Going.")
    expect(friend.locator(".headcount")).to_contain_text("1 going")
    expect(friend.locator(".guest-list")).to_contain_text("Chloé")

    answer(friend, "Chloé", "Maybe")
    expect(friend.locator(".my-answer")).to_have_text("Your answer: Maybe.")
    expect(friend.locator(".headcount")).to_contain_text("0 going")
    expect(friend.locator(".headcount")).to_contain_text("1 maybe")


def friend_edits_with_a_wrong_then_the_right_password(friend) -> None:
    friend.get_by_role("link", name="Edit event").click()
    friend.get_by_label("Event password").fill("not-the-password")
    friend.get_by_label("Place").fill("Café Oberkampf, 3 Rue Neuve Popincourt, Paris")
    friend.get_by_role("button", name="Save changes").click()
    expect(friend.locator(".error-summary")).to_contain_text("That is not this event's password")
    expect(friend.get_by_label("Event password")).to_have_attribute("aria-invalid", "true")

    friend.get_by_label("Event password").fill(PASSWORD)
    friend.get_by_role("button", name="Save changes").click()
    expect(friend.locator(".flash")).to_contain_text("Your changes are saved.")
    expect(friend.locator(".event-facts")).to_contain_text("Café Oberkampf")


def owner_edits_without_the_password_then_deletes(owner, path: str) -> None:
    owner.goto(path)
    owner.get_by_role("link", name="Edit event").click()
    expect(owner.get_by_role("heading", level=1)).to_contain_text(EVENT["title"])
    expect(owner.get_by_label("Event password")).to_have_count(0)
    expect(owner.get_by_label("Place")).to_have_value(
        "Café Oberkampf, 3 Rue Neuve Popincourt, Paris"
    )
    owner.get_by_label("Title").fill("Board games night, now at the café")
    owner.locator("input[type=time][name=time]").fill("20:00")
    owner.get_by_role("button", name="Save changes").click()
    expect(owner.locator(".flash")).to_contain_text("Your changes are saved.")
    expect(owner.get_by_role("heading", level=1)).to_have_text("Board games night, now at the café")
    expect(owner.locator("time.event-time")).to_contain_text("20:00 (Europe/Paris")

    owner.get_by_role("link", name="Delete event").click()
    expect(owner.get_by_role("heading", level=1)).to_have_text(
        "Delete “Board games night, now at the café”?"
    )
    owner.get_by_role("button", name="Delete event").click()
    owner.wait_for_url("**/")
    expect(owner.locator(".flash")).to_contain_text("is deleted. Its link no longer works.")


def friend_reload_finds_nothing(friend) -> None:
    response = friend.reload()
    assert response.status == 404
    expect(friend.get_by_role("heading", level=1)).to_have_text("Page not found")


def test_share_answer_edit_and_delete_with_javascript(new_context, site):
    owner_context = new_context(permissions=CLIPBOARD)
    errors = BrowserErrors(owner_context)
    owner = owner_context.new_page()
    path = create_event(owner)
    expect(owner.locator(".flash")).to_contain_text("Your event is ready.")
    expect(owner.locator("time.event-time")).to_contain_text("19:30 (Europe/Paris")

    owner.get_by_role("button", name="Copy link").click()
    expect(owner.locator(".copy-status")).to_have_text(
        "Copied. Paste it in a message to your friends."
    )
    link = owner.evaluate("navigator.clipboard.readText()")
    assert link == site + path

    friend_context = new_context()
    friend_errors = BrowserErrors(friend_context)
    friend = friend_context.new_page()
    friend.goto(link)
    expect(friend.get_by_role("heading", level=1)).to_have_text(EVENT["title"])
    expect(friend.locator(".event-facts")).to_contain_text(EVENT["location"])
    onlooker = new_context().new_page()  # only ever looks: served the shared, cached page
    onlooker.goto(link)
    friend_answers_then_changes_the_answer(friend)
    friend_edits_with_a_wrong_then_the_right_password(friend)
    onlooker.reload()
    expect(onlooker.locator(".event-facts")).to_contain_text("Café Oberkampf")
    expect(onlooker.locator(".headcount")).to_contain_text("1 maybe")
    owner_edits_without_the_password_then_deletes(owner, path)
    friend_reload_finds_nothing(friend)
    friend_reload_finds_nothing(onlooker)
    assert errors.found + friend_errors.found == []


def test_share_answer_edit_and_delete_without_javascript(new_context, site):
    owner_context = new_context(java_script_enabled=False)
    errors = BrowserErrors(owner_context)
    owner = owner_context.new_page()
    path = create_event(owner)
    expect(owner.locator(".flash")).to_contain_text("Your event is ready.")
    expect(owner.get_by_role("button", name="Copy link")).to_be_hidden()
    link = owner.get_by_label("Event link").input_value()
    assert link == site + path

    friend = new_context(java_script_enabled=False).new_page()
    friend.goto(link)
    expect(friend.get_by_role("heading", level=1)).to_have_text(EVENT["title"])
    friend_answers_then_changes_the_answer(friend)
    friend_edits_with_a_wrong_then_the_right_password(friend)
    owner_edits_without_the_password_then_deletes(owner, path)
    friend_reload_finds_nothing(friend)
    assert errors.found == []  # nothing missing or refused, scripts off too


@pytest.mark.parametrize("javascript", [True, False], ids=["with javascript", "without javascript"])
def test_invite_two_friends_by_email(new_context, site, mail_server, javascript):
    context = new_context(java_script_enabled=javascript)
    errors = BrowserErrors(context)
    owner = context.new_page()
    path = create_event(owner)

    owner.get_by_role("link", name="Invite by email").click()
    expect(owner.get_by_role("heading", level=1)).to_have_text(
        f"Invite friends to “{EVENT['title']}”"
    )
    owner.get_by_label("Email addresses").fill("ana@example.org\nBen <ben@example.org>")
    owner.get_by_label("Personal message (optional)").fill(NOTE)
    owner.get_by_role("button", name="Send invitations").click()
    expect(owner.locator(".flash")).to_contain_text("Invitation on its way to 2 addresses.")
    expect(owner.locator(".invitees")).to_contain_text("ben@example.org")

    received = {m.rcpt_tos[0]: m.message for m in mail_server.wait_for(2)}
    assert sorted(received) == ["ana@example.org", "ben@example.org"]
    for message in received.values():
        plain = message.get_body(("plain",)).get_content()
        assert f"> {NOTE}" in plain
        assert site + path in plain
    assert errors.found == []
