"""What the tests type into Skedjit's forms."""

PASSWORD = "correct horse"
WRONG = "not the password"
#: A friend's answer: Ana, going, alone.
ANSWER = {"name": "Ana", "response": "yes", "guests": "0", "note": ""}


def event_form(**overrides) -> dict:
    """Valid create-form fields, with overrides."""
    fields = {
        "title": "Board games at Ana's",
        "date": "2054-12-12",
        "time": "19:30",
        "timezone": "Europe/Paris",
        "location": "12 Rue de la Paix, Paris",
        "description": "Bring snacks.\nWe start on time.",
        "password": PASSWORD,
        "password_confirm": PASSWORD,
    }
    fields.update(overrides)
    return fields


def edit_fields(version: int = 1, **overrides) -> dict:
    """Valid edit-form fields of an event at `version`, as its owner (no password) sends them."""
    fields = event_form(version=str(version), password="", new_password="")
    del fields["password_confirm"]
    fields["new_password_confirm"] = ""
    fields.update(overrides)
    return fields


def answer(browser, slug: str, **fields):
    """Post an answer: Ana, going, alone, unless overridden (None leaves a field out)."""
    data = {key: value for key, value in (ANSWER | fields).items() if value is not None}
    return browser.post(f"/events/{slug}/rsvp", data=data)
