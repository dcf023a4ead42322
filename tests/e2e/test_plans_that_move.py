"""A plan that moves, in Chromium: the owner moves it, a friend sees what changed and
says again whether they come, and the owner sees who has not."""

import pytest
from playwright.sync_api import expect

from .conftest import EVENT
from .conftest import BrowserErrors
from .conftest import create_event


@pytest.mark.parametrize("javascript", [True, False], ids=["with javascript", "without javascript"])
def test_the_owner_moves_the_event_and_a_friend_says_again(new_context, javascript):
    owner_context = new_context(java_script_enabled=javascript)
    friend_context = new_context(java_script_enabled=javascript)
    errors = BrowserErrors(owner_context), BrowserErrors(friend_context)
    owner, friend = owner_context.new_page(), friend_context.new_page()
    path = create_event(owner)

    friend.goto(path)
    friend.get_by_label("Your name").fill("Chloé")
    friend.get_by_label("Going", exact=True).check()
    friend.locator(".answer-form button[type=submit]").click()
    expect(friend.locator(".my-answer")).to_have_text("Your answer: Going.")
    still_unsure = new_context(java_script_enabled=javascript).new_page()
    still_unsure.goto(path)
    still_unsure.get_by_label("Your name").fill("Ben")
    still_unsure.get_by_label("Maybe", exact=True).check()
    still_unsure.locator(".answer-form button[type=submit]").click()
    expect(friend.get_by_role("group", name="The plan changed. Still coming?")).to_have_count(0)

    owner.get_by_role("link", name="Edit event").click()
    owner.locator("input[type=time][name=time]").fill("20:30")
    owner.get_by_label("Place").fill("Café Oberkampf, 3 Rue Neuve Popincourt, Paris")
    owner.get_by_role("button", name="Save changes").click()
    expect(owner.locator(".flash")).to_contain_text("Your changes are saved.")

    friend.reload()
    notices = friend.locator(".change-notice")
    expect(notices.first).to_contain_text("The time changed on")
    expect(notices.first).to_contain_text("19:30 → now")
    expect(notices.nth(1)).to_contain_text(f"was {EVENT['location']} → now Café Oberkampf")
    question = friend.get_by_role("group", name="The plan changed. Still coming?")
    expect(question).to_be_visible()
    question.get_by_role("button", name="Now maybe").click()
    expect(friend.locator(".flash")).to_contain_text("Thanks, Chloé! Your answer is saved.")
    expect(friend.locator(".my-answer")).to_have_text("Your answer: Maybe.")
    expect(friend.get_by_role("group", name="The plan changed. Still coming?")).to_have_count(0)

    owner.get_by_role(
        "link", name="Manage answers: capacity, deadline, closing, who sees the list"
    ).click()
    answers = owner.locator(".guest-list")
    expect(answers).to_contain_text("Ben: Maybe (not reconfirmed since the change)")
    expect(answers.locator("li", has_text="Chloé")).not_to_contain_text("not reconfirmed")
    expect(owner.locator(".change-list")).to_contain_text("the place was")
    assert errors[0].found + errors[1].found == []


@pytest.mark.parametrize("javascript", [True, False], ids=["with javascript", "without javascript"])
def test_a_friend_waits_for_a_place_and_gets_one(new_context, javascript):
    contexts = [new_context(java_script_enabled=javascript) for _ in range(3)]
    errors = [BrowserErrors(context) for context in contexts]
    owner, ana, ben = (context.new_page() for context in contexts)
    path = create_event(owner)
    owner.get_by_role(
        "link", name="Manage answers: capacity, deadline, closing, who sees the list"
    ).click()
    owner.get_by_label("Most people going (leave empty for no limit)").fill("1")
    owner.get_by_role("button", name="Save settings").click()

    for friend, name in ((ana, "Ana"), (ben, "Ben")):
        friend.goto(path)
        friend.get_by_label("Your name").fill(name)
        friend.get_by_label("Going", exact=True).check()
    ana.get_by_role("button", name="Send my answer").click()
    expect(ana.locator(".my-answer")).to_have_text("Your answer: Going.")
    ben.get_by_role("button", name="Send my answer").click()
    expect(ben.locator(".field-error")).to_contain_text("The event is full: join the waitlist")
    ben.get_by_role("button", name="Join the waitlist").click()
    expect(ben.locator(".my-answer")).to_contain_text("You are on the waitlist, number 1.")
    expect(ben.locator(".waitlist")).to_have_text("Ben")

    ana.get_by_role("button", name="Withdraw my answer").click()
    expect(ana.locator(".flash")).to_contain_text("Your answer is withdrawn.")
    ben.reload()
    expect(ben.locator(".my-answer")).to_have_text(
        "A place freed up: you're going now. You were next on the waitlist."
    )
    expect(ben.locator(".headcount")).to_contain_text("1 going · Full")
    assert [found for error in errors for found in error.found] == []
