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


def answer_going(page, path: str, name: str) -> None:
    page.goto(path)
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Going", exact=True).check()
    page.get_by_role("button", name="Send my answer").click()


@pytest.mark.parametrize("javascript", [True, False], ids=["with javascript", "without javascript"])
def test_a_full_event_moves_one_friend_off_and_the_waiting_one_in_who_brings_what(
    new_context, javascript
):
    contexts = [new_context(java_script_enabled=javascript) for _ in range(4)]
    errors = [BrowserErrors(context) for context in contexts]
    owner, chloe, ben, dee = (context.new_page() for context in contexts)
    path = create_event(owner)
    owner.goto(f"{path}/answers")
    owner.get_by_label("Most people going (leave empty for no limit)").fill("2")
    owner.get_by_role("button", name="Save settings").click()
    expect(owner.locator(".flash")).to_contain_text("Your answer settings are saved.")
    owner.goto(f"{path}/bring")
    owner.get_by_label("What to bring").fill("bottles of wine")
    owner.get_by_label("How many (optional)").fill("3")
    owner.get_by_role("button", name="Add to the list").click()

    answer_going(chloe, path, "Chloé")
    answer_going(ben, path, "Ben")
    answer_going(dee, path, "Dee")
    expect(dee.locator(".error-summary")).to_contain_text("The event is full: join the waitlist")
    dee.get_by_role("button", name="Join the waitlist").click()
    expect(dee.locator(".my-answer")).to_contain_text("You are on the waitlist, number 1.")

    owner.goto(path)
    owner.get_by_role("link", name="Edit event").click()
    owner.locator("input[type=time][name=time]").fill("20:30")
    owner.get_by_role("button", name="Save changes").click()
    expect(owner.locator(".flash")).to_contain_text("Your changes are saved.")
    chloe.reload()
    chloe.get_by_role("group", name="The plan changed. Still coming?").get_by_role(
        "button", name="Can't go any more"
    ).click()
    expect(chloe.locator(".my-answer")).to_have_text("Your answer: Can't go.")

    dee.reload()
    expect(dee.locator(".my-answer")).to_have_text(
        "A place freed up: you're going now. You were next on the waitlist."
    )
    expect(dee.locator(".headcount")).to_contain_text("2 going · Full")

    ben.reload()
    ben.get_by_label("How many you bring").fill("2")
    ben.get_by_role("button", name="I'll bring them").click()
    wine = ben.locator(".bring-item", has_text="bottles of wine")
    expect(wine).to_contain_text("1 of 3 still needed")
    expect(wine).to_contain_text("Ben brings 2")
    assert [found for error in errors for found in error.found] == []
