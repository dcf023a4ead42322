"""The date poll: created with 2 to 10 dates, voted on like answers, picked by the owner
into the event, each vote carried over to an answer."""

import re
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from sqlalchemy import select

from skedjit.extensions import db
from skedjit.models import Event
from skedjit.models import PollOption
from skedjit.models import PollVote
from skedjit.models import Rsvp
from skedjit.polls import service as polls
from tests.helpers.forms import answer
from tests.helpers.html import field_error
from tests.helpers.html import html_of
from tests.helpers.html import input_value
from tests.helpers.html import page_text
from tests.helpers.polls import poll_form
from tests.helpers.polls import vote
from tests.helpers.worker import at_once

UNDECIDED = "Date not decided yet"
CHANGE_LINK = re.compile(r'class="private-link">http://localhost(/events/\w+/rsvp/[\w-]+)</a>')


def created(response) -> str:
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"].rsplit("/", 1)[1]


@pytest.fixture
def poll(browser) -> str:
    """A poll of three dates (11, 12 and 13 December 2054) that `browser` owns."""
    return created(browser.post("/create/poll", data=poll_form()))


def option_ids(app, slug: str) -> list[int]:
    """The poll's options, earliest first."""
    with app.app_context():
        query = (
            select(PollOption.id)
            .join(Event, Event.id == PollOption.event_id)
            .where(Event.slug == slug)
            .order_by(PollOption.starts_at)
        )
        return list(db.session.scalars(query))


def stored(app, slug: str) -> dict[str, tuple]:
    """Each answer's response and when it joined the waitlist, by name."""
    with app.app_context():
        query = select(Rsvp.name, Rsvp.response, Rsvp.waiting_since).join(Event)
        rows = db.session.execute(query.where(Event.slug == slug))
        return {name: (response, waiting) for name, response, waiting in rows}


def votes_of(app, slug: str) -> dict[str, dict[int, str]]:
    with app.app_context():
        query = (
            select(Rsvp.name, PollVote.option_id, PollVote.choice)
            .join(PollVote, PollVote.rsvp_id == Rsvp.id)
            .join(Event, Event.id == Rsvp.event_id)
            .where(Event.slug == slug)
        )
        found: dict[str, dict[int, str]] = {}
        for name, option, choice in db.session.execute(query):
            found.setdefault(name, {})[option] = choice
        return found


def event_of(app, slug: str) -> Event:
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        db.session.expunge(event)
        return event


def text(browser, path: str) -> str:
    return page_text(browser.get(path).get_data(as_text=True))


def pick(owner, slug: str, option: int, **fields):
    return owner.post(f"/events/{slug}/poll/pick", data={"option": str(option), **fields})


# Creating


def test_a_poll_stores_its_dates_and_shows_them_undecided(app, browser, poll, make_browser):
    event = event_of(app, poll)
    assert event.poll == "open"
    # Its times are the last date's, so that it lasts (and expires) as that event would.
    assert (event.starts_at, event.ends_at) == (datetime(2054, 12, 13, 11, 0, tzinfo=UTC), None)
    with app.app_context():
        rows = db.session.execute(
            select(PollOption.starts_at, PollOption.ends_at).order_by(PollOption.starts_at)
        ).all()
    assert [tuple(row) for row in rows] == [
        (datetime(2054, 12, 11, 18, 30, tzinfo=UTC), None),
        (datetime(2054, 12, 12, 18, 30, tzinfo=UTC), datetime(2054, 12, 12, 22, 0, tzinfo=UTC)),
        (datetime(2054, 12, 13, 11, 0, tzinfo=UTC), None),
    ]
    friend = make_browser().get(f"/events/{poll}")
    html = friend.get_data(as_text=True)
    assert UNDECIDED in page_text(html)
    assert "Friday 11 December 2054, 19:30 (Europe/Paris, UTC+01:00)" in page_text(html)
    assert "Saturday 12 December 2054, 19:30 (Europe/Paris, UTC+01:00) until 23:00" in page_text(
        html
    )
    assert f'<meta property="og:description" content="{UNDECIDED} · 12 Rue de la Paix' in html
    assert "Sunday 13 December 2054" not in html.split("<body", 1)[0]  # no made-up date
    assert 'name="response"' not in html  # friends vote, they do not answer yet
    assert f"/events/{poll}.ics" not in html
    assert make_browser().get(f"/events/{poll}.ics").status_code == 404


def test_an_end_before_the_start_is_on_the_next_day(app, browser):
    dates = [("2054-12-11", "21:00", "02:00"), ("2054-12-12", "21:00", "")]
    slug = created(browser.post("/create/poll", data=poll_form(dates)))
    assert event_of(app, slug).starts_at == datetime(2054, 12, 12, 20, 0, tzinfo=UTC)
    with app.app_context():
        ends = db.session.scalar(select(PollOption.ends_at).order_by(PollOption.starts_at))
    assert ends == datetime(2054, 12, 12, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("dates", "field", "message"),
    [
        ([("2054-12-11", "19:30", "")], "option_2_date", "Give at least 2 dates to vote on."),
        (
            [("2054-12-11", "19:30", ""), ("2054-12-11", "19:30", "")],
            "option_2_time",
            "Option 2 is the same as option 1.",
        ),
        (
            [("2054-03-29", "02:30", ""), ("2054-12-11", "19:30", "")],
            "option_1_time",
            "02:30 does not exist on that day in Europe/Paris",
        ),
        (
            [("2054-12-11", "", ""), ("2054-12-12", "19:30", "")],
            "option_1_time",
            "Choose the start",
        ),
        ([("", "19:30", ""), ("2054-12-12", "19:30", "")], "option_1_date", "Choose the date."),
        (
            [("2054-12-11", "19:30", ""), ("2020-06-01", "19:30", "")],
            "option_2_date",
            "This date has passed: choose one still to come.",
        ),
    ],
)
def test_bad_dates_are_400_with_the_form_kept_and_nothing_stored(
    app, browser, dates, field, message
):
    response = browser.post("/create/poll", data=poll_form(dates, title="Kept title"))
    assert response.status_code == 400
    html = html_of(response)
    assert message in field_error(html, field)
    assert input_value(html, "title") == "Kept title"
    assert input_value(html, "option_1_time") == dates[0][1]
    with app.app_context():
        assert db.session.scalar(select(Event.id)) is None


def test_more_than_ten_dates_are_400(app, browser):
    dates = [(f"2054-12-{day:02}", "19:30", "") for day in range(1, 11)]
    fields = poll_form(dates) | {"option_11_date": "2054-12-20", "option_11_time": "19:30"}
    response = browser.post("/create/poll", data=fields)
    assert response.status_code == 400
    assert "A poll offers at most 10 dates." in field_error(html_of(response), "option_10_date")
    with app.app_context():
        assert db.session.scalar(select(Event.id)) is None
    assert created(browser.post("/create/poll", data=poll_form(dates)))  # ten are fine


def test_the_create_form_offers_the_poll_and_back(browser):
    assert 'href="/create/poll"' in browser.get("/create").get_data(as_text=True)
    form = browser.get("/create/poll").get_data(as_text=True)
    assert 'href="/create"' in form
    assert 'name="option_10_end_time"' in form
    assert 'name="date"' not in form


# Voting


def test_a_vote_is_stored_counted_and_changed_from_the_cookie(app, poll, make_browser):
    first, second, third = option_ids(app, poll)
    ana = make_browser()
    response = vote(ana, poll, {first: "yes", second: "maybe", third: "no"})
    assert response.status_code == 303
    assert "Set-Cookie" in response.headers
    assert votes_of(app, poll) == {"Ana": {first: "yes", second: "maybe", third: "no"}}
    assert stored(app, poll) == {"Ana": ("vote", None)}
    page = text(ana, f"/events/{poll}")
    assert "Thanks, Ana! Your votes are saved." in page
    assert "1 yes · 0 if need be · 0 no" in page
    assert "Yes: Ana" in page
    assert "If need be: Ana" in page
    assert "No: Ana" in page
    html = ana.get(f"/events/{poll}").get_data(as_text=True)
    assert re.search(rf'id="vote-{second}-maybe" name="vote-{second}" value="maybe" checked', html)

    assert vote(ana, poll, {first: "no", third: "yes"}, name="Ana B").status_code == 303
    assert votes_of(app, poll) == {"Ana B": {first: "no", third: "yes"}}  # replaced, not added


def test_a_voter_withdraws_their_votes_from_the_cookie_or_the_private_link(app, poll, make_browser):
    first, second, _ = option_ids(app, poll)
    ana, ben = make_browser(), make_browser()
    vote(ana, poll, {first: "yes"})
    vote(ben, poll, {second: "maybe"}, name="Ben")
    assert "Withdraw my votes" in text(ana, f"/events/{poll}")
    assert "Withdraw my votes" not in text(make_browser(), f"/events/{poll}")  # no votes yet

    response = ana.post(f"/events/{poll}/vote/withdraw")
    assert response.status_code == 303
    assert votes_of(app, poll) == {"Ben": {second: "maybe"}}
    page = text(ana, f"/events/{poll}")
    assert "Your votes are withdrawn." in page
    assert "1 person voted" in page
    assert "Withdraw my votes" not in page  # the cookie is forgotten too
    assert ana.post(f"/events/{poll}/vote/withdraw").status_code == 404

    link = CHANGE_LINK.search(ben.get(f"/events/{poll}").get_data(as_text=True))[1]
    votes_page = link.replace("/rsvp/", "/vote/")
    token = input_value(ben.get(votes_page).get_data(as_text=True), "token")
    assert "Withdraw my votes" in text(ben, votes_page)
    other_phone = make_browser()
    assert (
        other_phone.post(f"/events/{poll}/vote/withdraw", data={"token": token}).status_code == 303
    )
    assert stored(app, poll) == {}
    assert other_phone.get(votes_page).status_code == 404


def test_votes_stay_once_voting_is_closed_or_the_date_picked(app, browser, poll, make_browser):
    first, second, _ = option_ids(app, poll)
    ana, ben = make_browser(), make_browser()
    vote(ana, poll, {first: "yes"})
    vote(ben, poll, {second: "yes"}, name="Ben")
    assert browser.post(f"/events/{poll}/poll/settings", data={"closed": "y"}).status_code == 303
    refused = ana.post(f"/events/{poll}/vote/withdraw")
    assert refused.status_code == 409
    assert "Voting on the date is closed" in page_text(html_of(refused))
    assert "Withdraw my votes" not in text(ana, f"/events/{poll}")

    assert pick(browser, poll, first).status_code == 303
    refused = ben.post(f"/events/{poll}/vote/withdraw")
    assert refused.status_code == 409
    assert "The date is already picked" in page_text(html_of(refused))
    assert stored(app, poll) == {"Ana": ("yes", None), "Ben": ("maybe", None)}
    assert ben.post(f"/events/{poll}/rsvp/withdraw").status_code == 303  # now an answer


def test_the_best_date_is_most_yes_then_most_if_need_be(app, poll, make_browser):
    first, second, third = option_ids(app, poll)
    friend = make_browser()
    assert "Best so far" not in text(friend, f"/events/{poll}")  # no yes or if need be yet
    vote(make_browser(), poll, {first: "yes", second: "yes"}, name="Ana")
    vote(make_browser(), poll, {second: "maybe", third: "yes"}, name="Ben")
    html = friend.get(f"/events/{poll}").get_data(as_text=True)
    best = html[html.index('class="poll-option best"') :]
    assert "Saturday 12 December 2054" in best[: best.index("</li>")]  # 1 yes + 1 if need be
    assert html.count('class="poll-option best"') == 1


def test_hidden_names_show_only_the_counts(app, browser, poll, make_browser):
    first, *_ = option_ids(app, poll)
    assert browser.post(f"/events/{poll}/answers", data={"guest_list_hidden": "y"}).status_code
    vote(make_browser(), poll, {first: "yes"}, name="Secret Sam")
    friend = text(make_browser(), f"/events/{poll}")
    assert "1 yes" in friend
    assert "Secret Sam" not in friend
    assert "Secret Sam" in text(browser, f"/events/{poll}")  # the owner sees who


@pytest.mark.parametrize(
    ("votes", "message"),
    [
        ({}, "Mark at least one date: yes, if need be or no."),
        ({0: "perhaps"}, "Mark each date yes, if need be or no."),
        ({999999: "yes"}, "That date is not one of this poll's options."),
    ],
)
def test_bad_votes_are_400_with_the_name_kept_and_nothing_stored(
    app, poll, make_browser, votes, message
):
    first, *_ = option_ids(app, poll)
    votes = {first if option == 0 else option: choice for option, choice in votes.items()}
    response = vote(make_browser(), poll, votes, name="Ben")
    assert response.status_code == 400
    html = html_of(response)
    assert message in page_text(html)
    assert input_value(html, "name") == "Ben"
    assert stored(app, poll) == {}


def test_refused_votes_from_a_link_no_voter_holds_come_back_on_the_event_page(
    app, poll, make_browser
):
    first, *_ = option_ids(app, poll)
    ana = make_browser()
    vote(ana, poll, {first: "yes"})
    link = CHANGE_LINK.search(ana.get(f"/events/{poll}").get_data(as_text=True))[1]
    token = input_value(ana.get(link.replace("/rsvp/", "/vote/")).get_data(as_text=True), "token")
    assert ana.post(f"/events/{poll}/vote/withdraw").status_code == 303  # the link is stale now
    for stale in (token, "not-a-token"):
        response = vote(make_browser(), poll, {first: "yes"}, name="", token=stale)
        assert response.status_code == 400
        html = html_of(response)
        assert "Which dates suit you?" in page_text(html)  # the event page, not the link's
        assert input_value(html, "token") is None  # votes sent again are a new voter's
    assert stored(app, poll) == {}


def test_the_private_link_leads_to_the_votes_then_to_the_answer(app, browser, poll, make_browser):
    first, second, _ = option_ids(app, poll)
    ana = make_browser()
    vote(ana, poll, {first: "yes"})
    link = CHANGE_LINK.search(ana.get(f"/events/{poll}").get_data(as_text=True))[1]
    other_phone = make_browser()
    redirected = other_phone.get(link)
    assert redirected.status_code == 303
    votes_page = redirected.headers["Location"]
    assert votes_page == link.replace("/rsvp/", "/vote/")
    html = other_phone.get(votes_page).get_data(as_text=True)
    assert "Change your votes on “Board games at Ana's”" in page_text(html)
    token = input_value(html, "token")
    assert vote(other_phone, poll, {second: "yes"}, token=token).status_code == 303
    assert make_browser().get(f"/events/{poll}/vote/not-a-token").status_code == 404
    assert votes_of(app, poll) == {"Ana": {second: "yes"}}  # the same voter, from the link

    assert pick(browser, poll, second).status_code == 303
    assert other_phone.get(votes_page).headers["Location"] == link  # now the answer's page
    assert "Change your answer" in text(other_phone, link)


def test_votes_after_closing_or_after_voting_ends_are_409(app, browser, poll, make_browser, clock):
    first, *_ = option_ids(app, poll)
    assert browser.post(f"/events/{poll}/poll/settings", data={"closed": "y"}).status_code == 303
    response = vote(make_browser(), poll, {first: "yes"})
    assert response.status_code == 409
    assert "Voting on the date is closed" in page_text(html_of(response))
    assert "Voting is closed. The organiser picks the date." in text(
        make_browser(), f"/events/{poll}"
    )

    data = {"closes_date": "2054-12-01", "closes_time": "18:00"}  # reopened, with an end
    assert browser.post(f"/events/{poll}/poll/settings", data=data).status_code == 303
    assert vote(make_browser(), poll, {first: "yes"}, name="Ben").status_code == 303
    clock(datetime(2054, 12, 1, 17, 0, tzinfo=UTC))
    assert vote(make_browser(), poll, {first: "yes"}, name="Chloé").status_code == 409
    assert set(stored(app, poll)) == {"Ben"}


def test_answering_an_undecided_poll_is_409_and_a_vote_on_an_event_404(
    app, poll, make_browser, make_event
):
    response = answer(make_browser(), poll)
    assert response.status_code == 409
    assert "The date is not decided yet: vote on the dates" in page_text(html_of(response))
    assert stored(app, poll) == {}
    dated = make_event()
    assert vote(make_browser(), dated, {1: "yes"}).status_code == 404
    assert make_browser().get(f"/events/{dated}/poll").status_code == 404
    assert make_browser().post(f"/events/{dated}/vote/withdraw").status_code == 404
    assert pick(make_browser(), dated, 1, password="anything").status_code == 404


# Picking


def test_the_pick_makes_the_event_and_carries_each_vote_over(app, browser, poll, make_browser):
    first, second, third = option_ids(app, poll)
    friends = {name: make_browser() for name in ("Ana", "Ben", "Chloé", "Dan")}
    vote(friends["Ana"], poll, {second: "yes"}, name="Ana")
    vote(friends["Ben"], poll, {second: "maybe"}, name="Ben")
    vote(friends["Chloé"], poll, {second: "no"}, name="Chloé")
    vote(friends["Dan"], poll, {first: "yes"}, name="Dan")  # said nothing of the second

    response = pick(browser, poll, second)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/events/{poll}"
    event = event_of(app, poll)
    assert event.poll == "picked"
    assert (event.starts_at, event.ends_at) == (
        datetime(2054, 12, 12, 18, 30, tzinfo=UTC),
        datetime(2054, 12, 12, 22, 0, tzinfo=UTC),
    )
    assert {name: response for name, (response, _) in stored(app, poll).items()} == {
        "Ana": "yes",
        "Ben": "maybe",
        "Chloé": "no",
        "Dan": "maybe",
    }
    expected = {"Ana": "Going", "Ben": "Maybe", "Chloé": "Can't go", "Dan": "Maybe"}
    for name, label in expected.items():
        assert f"Your answer: {label} ." in text(friends[name], f"/events/{poll}")
    page = text(make_browser(), f"/events/{poll}")
    assert UNDECIDED not in page
    assert "Saturday 12 December 2054, 19:30" in page
    assert make_browser().get(f"/events/{poll}.ics").status_code == 200
    assert make_browser().get(f"/events/{poll}/poll").status_code == 404


def test_picking_twice_is_409_and_says_what_was_picked(app, browser, poll):
    first, second, _ = option_ids(app, poll)
    assert pick(browser, poll, first).status_code == 303
    again = pick(browser, poll, second)
    assert again.status_code == 409
    assert "The date is already picked: Friday 11 December 2054, 19:30" in page_text(html_of(again))
    assert event_of(app, poll).starts_at == datetime(2054, 12, 11, 18, 30, tzinfo=UTC)


def test_a_pick_needs_owner_access_or_the_password(app, poll, make_browser):
    first, *_ = option_ids(app, poll)
    stranger = make_browser()
    assert "Give the event's password" in text(stranger, f"/events/{poll}/poll")
    assert pick(stranger, poll, first).status_code == 400  # no password given
    assert pick(stranger, poll, first, password="not the password").status_code == 403
    assert event_of(app, poll).poll == "open"
    assert pick(stranger, poll, first, password="correct horse").status_code == 303
    assert pick(make_browser(), poll, 999999, password="correct horse").status_code == 409


def test_an_unknown_option_is_400(app, browser, poll):
    assert pick(browser, poll, 999999).status_code == 400
    assert pick(browser, poll, 0).status_code == 400
    assert browser.post(f"/events/{poll}/poll/pick", data={"option": "x"}).status_code == 400
    assert event_of(app, poll).poll == "open"


def test_a_capacity_set_before_the_pick_sends_the_rest_to_the_waitlist_in_vote_order(
    app, browser, poll, make_browser
):
    _, second, _ = option_ids(app, poll)
    assert browser.post(f"/events/{poll}/answers", data={"capacity": "2"}).status_code == 303
    for name in ("Ana", "Ben", "Chloé", "Dan"):
        vote(make_browser(), poll, {second: "yes"}, name=name)
    assert pick(browser, poll, second).status_code == 303
    answers = stored(app, poll)
    assert [answers[name][0] for name in ("Ana", "Ben", "Chloé", "Dan")] == [
        "yes",
        "yes",
        "wait",
        "wait",
    ]
    assert answers["Chloé"][1] < answers["Dan"][1]  # Chloé voted first: she is next
    assert "2 going · Full" in text(make_browser(), f"/events/{poll}")


# The owner's controls


def test_the_owner_adds_a_date_and_refuses_a_duplicate(app, browser, poll):
    data = {"date": "2054-12-20", "time": "20:00", "end_time": "23:30"}
    assert browser.post(f"/events/{poll}/poll/options", data=data).status_code == 303
    assert len(option_ids(app, poll)) == 4
    assert event_of(app, poll).starts_at == datetime(2054, 12, 20, 19, 0, tzinfo=UTC)
    again = browser.post(f"/events/{poll}/poll/options", data=data)
    assert again.status_code == 400
    assert "That date and time is already an option." in field_error(html_of(again), "time")
    assert len(option_ids(app, poll)) == 4
    bad = browser.post(f"/events/{poll}/poll/options", data={"date": "2054-12-21", "time": ""})
    assert bad.status_code == 400
    assert input_value(html_of(bad), "date") == "2054-12-21"
    past = browser.post(
        f"/events/{poll}/poll/options", data={"date": "2020-06-01", "time": "20:00"}
    )
    assert past.status_code == 400
    assert "This date has passed" in field_error(html_of(past), "date")
    assert input_value(html_of(past), "date") == "2020-06-01"
    assert len(option_ids(app, poll)) == 4


def test_an_expired_owner_form_comes_back_as_it_was_typed(app, browser, poll):
    stale = {"csrf_token": "IjEyMzQ1Njc4OTAi.ZZZZZZ.not-a-signature"}
    for path, field, typed in [
        ("options", "date", {"date": "2054-12-20", "time": "20:00"}),
        ("settings", "closes_date", {"closes_date": "2054-12-01", "closes_time": "18:00"}),
    ]:
        response = browser.client.post(f"/events/{poll}/poll/{path}", data=typed | stale)
        assert response.status_code == 400
        html = html_of(response)
        assert "This form expired: check it and send it again." in page_text(html)
        assert input_value(html, field) == typed[field]
    assert len(option_ids(app, poll)) == 3
    assert event_of(app, poll).poll_closes_at is None


def test_a_poll_offers_at_most_ten_dates(app, browser, poll):
    for day in range(1, 8):
        data = {"date": f"2054-11-{day:02}", "time": "20:00"}
        assert browser.post(f"/events/{poll}/poll/options", data=data).status_code == 303
    data = {"date": "2054-11-20", "time": "20:00"}
    response = browser.post(f"/events/{poll}/poll/options", data=data)
    assert response.status_code == 409
    assert "at most 10 dates" in page_text(html_of(response))


def test_removing_a_date_with_votes_asks_first(app, browser, poll, make_browser):
    first, second, third = option_ids(app, poll)
    vote(make_browser(), poll, {first: "yes", second: "yes"})
    path = f"/events/{poll}/poll/options/{first}/remove"
    asked = browser.get(path)
    assert asked.status_code == 200
    assert "Friends voted on it." in page_text(asked.get_data(as_text=True))
    assert browser.post(path).status_code == 200  # not confirmed: asked again
    assert len(option_ids(app, poll)) == 3
    assert browser.post(path, data={"confirm": "1"}).status_code == 303
    assert option_ids(app, poll) == [second, third]
    assert votes_of(app, poll) == {"Ana": {second: "yes"}}
    path = f"/events/{poll}/poll/options/{third}/remove"
    assert browser.post(path, data={"confirm": "1"}).status_code == 409  # two stay
    assert make_browser().post(path, data={"confirm": "1"}).status_code == 403
    missing = f"/events/{poll}/poll/options/999999/remove"
    assert browser.get(missing).status_code == 404


def test_auto_pick_needs_when_voting_ends(app, browser, poll):
    response = browser.post(f"/events/{poll}/poll/settings", data={"auto_pick": "y"})
    assert response.status_code == 400
    assert "Give the time voting ends" in field_error(html_of(response), "closes_date")
    assert not event_of(app, poll).poll_auto_pick


def test_the_worker_picks_the_best_date_when_voting_ends_once(app, browser, poll, make_browser):
    first, second, _ = option_ids(app, poll)
    data = {"closes_date": "2054-12-01", "closes_time": "18:00", "auto_pick": "y"}
    assert browser.post(f"/events/{poll}/poll/settings", data=data).status_code == 303
    vote(make_browser(), poll, {second: "yes", first: "maybe"})
    due = datetime(2054, 12, 1, 17, 0, tzinfo=UTC)
    with app.app_context():
        assert polls.pick_due(due - timedelta(minutes=1)) == 0
    assert sorted(at_once(app, polls.pick_due, due)) == [0, 1]
    event = event_of(app, poll)
    assert (event.poll, event.starts_at) == ("picked", datetime(2054, 12, 12, 18, 30, tzinfo=UTC))
    assert stored(app, poll)["Ana"][0] == "yes"


def test_without_auto_pick_the_owner_is_shown_the_best_date(app, browser, poll, make_browser):
    _, second, _ = option_ids(app, poll)
    data = {"closes_date": "2054-12-01", "closes_time": "18:00"}
    assert browser.post(f"/events/{poll}/poll/settings", data=data).status_code == 303
    vote(make_browser(), poll, {second: "yes"})
    with app.app_context():
        assert polls.pick_due(datetime(2054, 12, 2, tzinfo=UTC)) == 0
    browser.post(f"/events/{poll}/poll/settings", data={"closed": "y"})
    page = text(browser, f"/events/{poll}/poll")
    assert "Voting has ended. The best date is Saturday 12 December 2054, 19:30" in page


def test_no_minimum_going_before_the_pick_and_no_date_on_the_edit_form(app, browser, poll):
    data = {"min_going": "3", "decide_date": "2054-12-01", "decide_time": "18:00"}
    assert browser.post(f"/events/{poll}/minimum", data=data).status_code == 409
    assert event_of(app, poll).min_going is None
    form = browser.get(f"/events/{poll}/edit").get_data(as_text=True)
    assert 'name="date"' not in form
    assert 'name="timezone"' not in form
    assert "The date is not decided yet: friends vote on it." in page_text(form)


# The friend's page


def test_a_friend_without_a_vote_gets_the_shared_page_in_a_query_per_table(
    app, poll, make_browser, count_queries
):
    first, *_ = option_ids(app, poll)
    vote(make_browser(), poll, {first: "yes"})
    one, two = make_browser(), make_browser()
    with count_queries() as statements:
        response = one.get(f"/events/{poll}")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert len(statements) <= 5  # events, rsvps, changes, bring list, options with votes
    assert response.headers["ETag"] == two.get(f"/events/{poll}").headers["ETag"]
    before = response.headers["ETag"]
    vote(make_browser(), poll, {first: "no"}, name="Ben")
    assert one.get(f"/events/{poll}").headers["ETag"] != before  # a vote is a new state
