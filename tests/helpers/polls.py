"""What the tests type into a date poll's forms."""

from tests.helpers.forms import event_form

#: Three dates of a poll, in Europe/Paris: (date, start, end).
DATES = [("2054-12-11", "19:30", ""), ("2054-12-12", "19:30", "23:00"), ("2054-12-13", "12:00", "")]


def poll_form(dates=DATES, **overrides) -> dict:
    """Valid fields of the poll's create form with these dates, and overrides."""
    fields = event_form(**overrides)
    del fields["date"], fields["time"]
    for number, (day, start, end) in enumerate(dates, 1):
        fields |= {
            f"option_{number}_date": day,
            f"option_{number}_time": start,
            f"option_{number}_end_time": end,
        }
    return fields


def vote(browser, slug: str, votes: dict[int, str], name: str = "Ana", **fields):
    """Post votes: {option id: "yes" | "maybe" | "no"}."""
    data = {"name": name, **{f"vote-{option}": choice for option, choice in votes.items()}}
    return browser.post(f"/events/{slug}/vote", data=data | fields)
