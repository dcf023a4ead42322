"""Smoke test: `./build.sh serve` migrates a fresh database and serves the app over real HTTP."""

import pytest

from tests.helpers.forms import edit_fields
from tests.helpers.served import Visitor
from tests.helpers.served import served

pytestmark = pytest.mark.served


def test_owner_creates_edits_and_deletes_an_event_over_http(empty_database_url):
    with served(empty_database_url) as base_url:
        owner = Visitor(base_url)
        assert owner.get("/").status == 200
        session_cookie = owner.get("/create").headers["Set-Cookie"]
        assert {"Secure", "HttpOnly", "SameSite=Lax"} <= {
            part.strip() for part in session_cookie.split(";")
        }

        slug = owner.create_event("Served smoke test")
        page = owner.get(f"/events/{slug}")
        assert page.status == 200
        assert "<h1>Served smoke test</h1>" in page.body

        edit = owner.post_form(
            f"/events/{slug}/edit", f"/events/{slug}/edit", edit_fields(title="Moved indoors")
        )
        assert edit.status == 303, edit.body
        assert edit.location_path == f"/events/{slug}"
        page = owner.get(f"/events/{slug}")
        assert "<h1>Moved indoors</h1>" in page.body
        assert "Served smoke test" not in page.body

        delete = owner.post_form(f"/events/{slug}/delete", f"/events/{slug}/delete", {})
        assert delete.status == 303, delete.body
        assert delete.location_path == "/"
        assert owner.get(f"/events/{slug}").status == 404


def test_friend_with_wrong_password_cannot_edit_over_http(empty_database_url):
    with served(empty_database_url) as base_url:
        slug = Visitor(base_url).create_event("Served smoke test")
        friend = Visitor(base_url)

        edit = friend.post_form(
            f"/events/{slug}/edit",
            f"/events/{slug}/edit",
            edit_fields(title="Hijacked", password="not the password"),
        )
        assert edit.status == 403
        assert "not this event" in edit.body
        page = friend.get(f"/events/{slug}")
        assert "<h1>Served smoke test</h1>" in page.body
        assert "Hijacked" not in page.body
