"""The migrations build, remove and rebuild the schema the models expect, on both databases."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from functools import partial
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade
from flask_migrate import upgrade
from sqlalchemy import inspect
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from skedjit import MIGRATIONS
from skedjit.events import service
from skedjit.extensions import db
from skedjit.models import Invitee
from tests.helpers.apps import close_app
from tests.helpers.apps import make_config
from tests.helpers.apps import new_test_app
from tests.helpers.forms import PASSWORD

EVENT_COLUMNS = {
    "id",
    "slug",
    "title",
    "starts_at",
    "ends_at",
    "timezone",
    "location",
    "description",
    "hide_preview",
    "capacity",
    "rsvp_deadline",
    "rsvps_closed",
    "guest_list_hidden",
    "answers_version",
    "password_hash",
    "password_version",
    "hosts_version",
    "recovery_hash",
    "recovery_expires_at",
    "create_nonce_hash",
    "owner_email",
    "invites_counted",
    "invites_counted_since",
    "remind_hours",
    "remind_at",
    "site_url",
    "language",
    "min_going",
    "decide_at",
    "decision",
    "decided_at",
    "poll",
    "poll_closes_at",
    "poll_auto_pick",
    "poll_remind_at",
    "version",
    "created_at",
    "updated_at",
}


@contextmanager
def app_on(url: str, tmp_path: Path) -> Iterator[Flask]:
    """The app on the database, inside its app context; its engine is disposed afterwards."""
    app = new_test_app(make_config(url), instance_path=str(tmp_path / "instance"))
    with app.app_context():
        try:
            yield app
        finally:
            close_app(app)


def table_names() -> set[str]:
    return set(inspect(db.engine).get_table_names())


def database_revisions() -> list[str]:
    return list(db.session.execute(text("SELECT version_num FROM alembic_version")).scalars())


def script_head() -> str:
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def test_migrations_have_a_single_head():
    assert len(ScriptDirectory(str(MIGRATIONS)).get_heads()) == 1


def test_upgrade_creates_events_table_with_expected_columns(empty_database_url, tmp_path):
    with app_on(empty_database_url, tmp_path):
        assert "events" not in table_names()
        upgrade()
        columns = {c["name"]: c for c in inspect(db.engine).get_columns("events")}
    assert set(columns) == EVENT_COLUMNS
    nullable = {name for name, column in columns.items() if column["nullable"]}
    assert nullable == {
        "ends_at",
        "capacity",
        "rsvp_deadline",
        "recovery_hash",
        "recovery_expires_at",
        "create_nonce_hash",
        "owner_email",
        "invites_counted_since",
        "remind_hours",
        "remind_at",
        "site_url",
        "min_going",
        "decide_at",
        "decision",
        "decided_at",
        "poll",
        "poll_closes_at",
        "poll_remind_at",
    }


def test_upgrade_makes_slug_unique(empty_database_url, tmp_path):
    with app_on(empty_database_url, tmp_path):
        upgrade()
        constraints = inspect(db.engine).get_unique_constraints("events")
    assert sorted((c["name"], c["column_names"]) for c in constraints) == [
        ("uq_events_create_nonce_hash", ["create_nonce_hash"]),
        ("uq_events_slug", ["slug"]),
    ]


BRING_TABLES = {
    "bring_items": {"id", "event_id", "text", "quantity", "position", "created_at"},
    "bring_claims": {"id", "item_id", "rsvp_id", "quantity"},
}
BRING_TRIGGERS = {"bring_items_notify", "bring_claims_notify", "skedjit_notify_event_of_claim"}


def triggers() -> set[str]:
    """The names of the triggers on PostgreSQL's tables and of their functions (none on
    SQLite)."""
    if db.engine.dialect.name != "postgresql":
        return set()
    query = text(
        "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
        " UNION SELECT proname FROM pg_proc WHERE proname LIKE 'skedjit_%'"
    )
    return set(db.session.execute(query).scalars())


def test_upgrade_creates_the_bring_list_with_its_rules(empty_database_url, tmp_path):
    with app_on(empty_database_url, tmp_path):
        upgrade()
        inspector = inspect(db.engine)
        columns = {
            table: {c["name"] for c in inspector.get_columns(table)} for table in BRING_TABLES
        }
        foreign_keys = {
            (table, fk["referred_table"], fk["options"].get("ondelete"))
            for table in BRING_TABLES
            for fk in inspector.get_foreign_keys(table)
        }
        unique = [c["column_names"] for c in inspector.get_unique_constraints("bring_claims")]
        checks = {
            table: {c["name"] for c in inspector.get_check_constraints(table)}
            for table in BRING_TABLES
        }
        indexes = {i["name"] for i in inspector.get_indexes("bring_items")}
        found_triggers = triggers()
    assert columns == BRING_TABLES
    assert foreign_keys == {
        ("bring_items", "events", "CASCADE"),
        ("bring_claims", "bring_items", "CASCADE"),
        ("bring_claims", "rsvps", "CASCADE"),
    }
    assert unique == [["item_id", "rsvp_id"]]
    assert checks == {
        "bring_items": {"ck_bring_items_quantity"},
        "bring_claims": {"ck_bring_claims_quantity"},
    }
    assert "ix_bring_items_event_id" in indexes
    if make_url(empty_database_url).get_backend_name() == "postgresql":
        assert found_triggers >= BRING_TRIGGERS


def test_downgrading_the_bring_list_drops_its_tables_and_triggers(empty_database_url, tmp_path):
    with app_on(empty_database_url, tmp_path):
        upgrade()
        downgrade(revision="9b2e4c6d8a31")
        assert not (table_names() & BRING_TABLES.keys())
        assert not (triggers() & BRING_TRIGGERS)
        assert {"events", "rsvps", "cohost_links"} <= table_names()
        upgrade()
        assert BRING_TABLES.keys() <= table_names()


def test_upgrade_records_the_script_head_in_the_database(empty_database_url, tmp_path):
    with app_on(empty_database_url, tmp_path):
        upgrade()
        assert database_revisions() == [script_head()]


def test_downgrade_to_base_drops_events_table(empty_database_url, tmp_path):
    with app_on(empty_database_url, tmp_path):
        upgrade()
        downgrade(revision="base")
        assert "events" not in table_names()
        assert database_revisions() == []


def test_upgrade_after_downgrade_rebuilds_the_schema(empty_database_url, tmp_path):
    with app_on(empty_database_url, tmp_path):
        upgrade()
        downgrade(revision="base")
        upgrade()
        assert {c["name"] for c in inspect(db.engine).get_columns("events")} == EVENT_COLUMNS
        assert database_revisions() == [script_head()]


def test_models_match_the_migrations(empty_database_url, tmp_path):
    with app_on(empty_database_url, tmp_path):
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "render_as_batch": True}
            )
            diff = compare_metadata(context, db.metadata)
    assert diff == []


@pytest.mark.parametrize(
    "starts_at",
    [
        datetime(2026, 12, 12, 18, 30, tzinfo=UTC),
        datetime(2026, 12, 12, 19, 30, tzinfo=timezone(timedelta(hours=1))),
    ],
    ids=["utc", "plus-one-hour"],
)
def test_stored_start_reads_back_as_the_same_aware_utc_instant(app, starts_at):
    fields = {
        "title": "Round trip",
        "starts_at": starts_at,
        "timezone": "Europe/Paris",
        "location": "",
        "description": "",
    }
    with app.app_context():
        slug = service.create_event(fields, PASSWORD)[0].slug
        db.session.remove()  # read from the database, not the session's identity map
        stored = service.find_event(slug).starts_at
    assert stored == datetime(2026, 12, 12, 18, 30, tzinfo=UTC)
    assert stored.utcoffset() == timedelta(0)


def test_events_stored_before_the_end_column_keep_working(empty_database_url, tmp_path):
    with app_on(empty_database_url, tmp_path) as app:
        upgrade(revision="ab21dbe3c65b")
        db.session.execute(
            text(
                "INSERT INTO events (slug, title, starts_at, timezone, location, description,"
                " password_hash, password_version, version, created_at, updated_at)"
                " VALUES ('Abcdef', 'Old party', :at, 'UTC', '', '', 'x', 1, 1, :at, :at)"
            ),
            {"at": datetime(2026, 1, 1, 12, 0)},
        )
        db.session.commit()
        upgrade()
        event = service.find_event("Abcdef")
        assert (event.ends_at, event.hide_preview) == (None, False)
        assert (event.recovery_hash, event.recovery_expires_at) == (None, None)
        assert (event.owner_email, event.invites_counted, event.invites_counted_since) == (
            None,
            0,
            None,
        )
        response = app.test_client().get("/events/Abcdef")
    assert response.status_code == 200
    assert "Thursday 1 January 2026, 12:00 (UTC)" in response.get_data(as_text=True)


def test_events_and_invitees_stored_before_reminders_get_none(empty_database_url, tmp_path):
    with app_on(empty_database_url, tmp_path):
        upgrade(revision="3b7c2d9e4f10")
        at = datetime(2054, 1, 1, 12, 0)
        db.session.execute(
            text(
                "INSERT INTO events (slug, title, starts_at, timezone, location, description,"
                " password_hash, password_version, version, created_at, updated_at,"
                " hide_preview, rsvps_closed, guest_list_hidden, answers_version,"
                " invites_counted)"
                " VALUES ('Abcdef', 'Old party', :at, 'UTC', '', '', 'x', 1, 1, :at, :at,"
                " false, false, false, 0, 0)"
            ),
            {"at": at},
        )
        db.session.execute(
            text(
                "INSERT INTO invitees (event_id, address, address_key, invited_at)"
                " SELECT id, 'Ana@example.org', 'ana@example.org', :at FROM events"
            ),
            {"at": at},
        )
        db.session.commit()
        upgrade()
        event = service.find_event("Abcdef")
        assert (event.remind_hours, event.remind_at) == (None, None)
        invitee = db.session.scalars(select(Invitee)).one()
        assert (invitee.invited, invitee.confirmed_at, invitee.rsvp_id) == (True, None, None)


def test_going_back_before_the_waitlist_makes_whoever_waits_a_maybe(empty_database_url, tmp_path):
    with app_on(empty_database_url, tmp_path):
        upgrade()
        slug = service.create_event(
            {
                "title": "Full party",
                "starts_at": datetime(2054, 1, 1, 12, 0, tzinfo=UTC),
                "timezone": "UTC",
                "location": "",
                "description": "",
            },
            PASSWORD,
        )[0].slug
        db.session.execute(
            text(
                "INSERT INTO rsvps (event_id, name, response, guests, note, token_hash,"
                " created_at, updated_at, waiting_since)"
                " SELECT id, 'Ben', 'wait', 0, '', 'h', :at, :at, :at FROM events"
            ),
            {"at": datetime(2054, 1, 1, 10, 0)},
        )
        db.session.commit()
        downgrade(revision="6a1d3e5f7b22")
        rows = db.session.execute(text("SELECT name, response FROM rsvps")).all()
        assert [tuple(row) for row in rows] == [("Ben", "maybe")]
        db.session.commit()
        upgrade()
        assert service.find_event(slug).title == "Full party"


def test_rebuilding_a_table_on_sqlite_loses_no_answer_and_no_address(empty_database_url, tmp_path):
    """SQLite changes a table by copying it and dropping the old one. With its foreign keys
    enforced, dropping events or rsvps would delete each answer, or unlink each address
    from its answer, through their ON DELETE rules."""
    with app_on(empty_database_url, tmp_path):
        upgrade(revision="6a1d3e5f7b22")
        at = datetime(2054, 1, 1, 10, 0)
        for statement in (
            "INSERT INTO events (slug, title, starts_at, timezone, location, description,"
            " password_hash, password_version, version, created_at, updated_at, hide_preview,"
            " rsvps_closed, guest_list_hidden, answers_version, invites_counted, language)"
            " VALUES ('Abcdef', 'Party', :at, 'UTC', '', '', 'x', 1, 1, :at, :at,"
            " false, false, false, 0, 0, 'en')",
            "INSERT INTO rsvps (event_id, name, response, guests, note, token_hash,"
            " created_at, updated_at) SELECT id, 'Ana', 'yes', 0, '', 'h', :at, :at FROM events",
            "INSERT INTO invitees (event_id, address, address_key, invited_at, invited,"
            " confirmed_at, rsvp_id) SELECT e.id, 'ana@example.org', 'ana@example.org', :at,"
            " false, :at, r.id FROM events e JOIN rsvps r ON r.event_id = e.id",
        ):
            db.session.execute(text(statement), {"at": at})
        db.session.commit()
        kept = "SELECT r.name, i.address FROM invitees i JOIN rsvps r ON r.id = i.rsvp_id"
        for step in (upgrade, partial(downgrade, revision="2f6b8c4d1e90"), upgrade):
            step()
            assert [tuple(row) for row in db.session.execute(text(kept))] == [
                ("Ana", "ana@example.org")
            ]
            db.session.commit()


def test_upgrade_checks_the_minimum_and_the_decision_and_indexes_the_decision_time(
    empty_database_url, tmp_path
):
    with app_on(empty_database_url, tmp_path):
        upgrade()
        checks = {c["name"] for c in inspect(db.engine).get_check_constraints("events")}
        indexes = {i["name"]: i["column_names"] for i in inspect(db.engine).get_indexes("events")}
    assert {"ck_events_min_going", "ck_events_decision"} <= checks
    assert indexes["ix_events_decide_at"] == ["decide_at"]


def test_the_minimum_going_comes_and_goes_keeping_events_and_their_answers(
    empty_database_url, tmp_path
):
    with app_on(empty_database_url, tmp_path):
        upgrade(revision="6a1d3e5f7b22")
        at = datetime(2054, 1, 1, 12, 0)
        db.session.execute(
            text(
                "INSERT INTO events (slug, title, starts_at, timezone, location, description,"
                " password_hash, password_version, version, created_at, updated_at,"
                " hide_preview, rsvps_closed, guest_list_hidden, answers_version,"
                " invites_counted, language, hosts_version)"
                " VALUES ('Abcdef', 'Old party', :at, 'UTC', '', '', 'x', 1, 1, :at, :at,"
                " false, false, false, 0, 0, 'en', 0)"
            ),
            {"at": at},
        )
        db.session.execute(
            text(
                "INSERT INTO rsvps (event_id, name, response, guests, note, token_hash,"
                " created_at, updated_at) SELECT id, 'Ana', 'yes', 0, '', 'h', :at, :at FROM events"
            ),
            {"at": at},
        )
        db.session.commit()
        upgrade()
        answers = text("SELECT count(*) FROM rsvps")
        assert db.session.execute(answers).scalar() == 1  # no copy of events deleted them
        event = service.find_event("Abcdef")
        assert (event.min_going, event.decide_at, event.decision, event.decided_at) == (
            None,
            None,
            None,
            None,
        )
        db.session.execute(
            text("UPDATE events SET min_going = 3, decide_at = :at, decision = 'off'"), {"at": at}
        )
        db.session.commit()
        with pytest.raises(IntegrityError):
            db.session.execute(text("UPDATE events SET min_going = 0"))
        db.session.rollback()
        with pytest.raises(IntegrityError):
            db.session.execute(text("UPDATE events SET decision = 'no'"))
        db.session.rollback()
        downgrade(revision="6a1d3e5f7b22")
        columns = {c["name"] for c in inspect(db.engine).get_columns("events")}
        assert not {"min_going", "decision"} & columns
        assert db.session.execute(text("SELECT slug FROM events")).scalars().all() == ["Abcdef"]
        assert db.session.execute(answers).scalar() == 1
        db.session.rollback()  # end the read, which would hold the table against the upgrade
        upgrade()
        assert database_revisions() == [script_head()]


POLL_TABLES = {
    "poll_options": {"id", "event_id", "starts_at", "ends_at"},
    "poll_votes": {"option_id", "rsvp_id", "choice"},
}
POLL_TRIGGERS = {"poll_options_notify", "poll_votes_notify"}


def test_upgrade_creates_the_poll_with_its_rules(empty_database_url, tmp_path):
    with app_on(empty_database_url, tmp_path):
        upgrade()
        inspector = inspect(db.engine)
        columns = {t: {c["name"] for c in inspector.get_columns(t)} for t in POLL_TABLES}
        foreign_keys = {
            (table, fk["referred_table"], fk["options"].get("ondelete"))
            for table in POLL_TABLES
            for fk in inspector.get_foreign_keys(table)
        }
        checks = {c["name"] for c in inspector.get_check_constraints("events")}
        indexes = {i["name"] for i in inspector.get_indexes("events")}
        found_triggers = triggers()
    assert columns == POLL_TABLES
    assert foreign_keys == {
        ("poll_options", "events", "CASCADE"),
        ("poll_votes", "poll_options", "CASCADE"),
        ("poll_votes", "rsvps", "CASCADE"),
    }
    assert "ck_events_poll" in checks
    assert {"ix_events_poll_closes_at", "ix_events_poll_remind_at"} <= indexes
    if make_url(empty_database_url).get_backend_name() == "postgresql":
        assert found_triggers >= POLL_TRIGGERS


def test_going_back_before_polls_keeps_answers_and_drops_voters(empty_database_url, tmp_path):
    with app_on(empty_database_url, tmp_path):
        upgrade(revision="7e1f3a5b9c64")
        at = datetime(2054, 1, 1, 12, 0)
        db.session.execute(
            text(
                "INSERT INTO events (slug, title, starts_at, timezone, location, description,"
                " password_hash, password_version, version, created_at, updated_at,"
                " hide_preview, rsvps_closed, guest_list_hidden, answers_version,"
                " invites_counted, language, hosts_version)"
                " VALUES ('Abcdef', 'Old party', :at, 'UTC', '', '', 'x', 1, 1, :at, :at,"
                " false, false, false, 0, 0, 'en', 0)"
            ),
            {"at": at},
        )
        answer = (
            "INSERT INTO rsvps (event_id, name, response, guests, note, token_hash,"
            " created_at, updated_at) SELECT id, :name, :response, 0, '', :name, :at, :at"
            " FROM events"
        )
        db.session.execute(text(answer), {"name": "Ana", "response": "yes", "at": at})
        db.session.commit()
        upgrade()
        assert service.find_event("Abcdef").poll is None  # made with its date
        db.session.execute(text(answer), {"name": "Ben", "response": "vote", "at": at})
        db.session.execute(
            text("INSERT INTO poll_options (event_id, starts_at) SELECT id, :at FROM events"),
            {"at": at},
        )
        db.session.execute(
            text(
                "INSERT INTO poll_votes (option_id, rsvp_id, choice) SELECT o.id, r.id, 'yes'"
                " FROM poll_options o, rsvps r WHERE r.name = 'Ben'"
            )
        )
        db.session.commit()
        downgrade(revision="7e1f3a5b9c64")
        names = db.session.execute(text("SELECT name, response FROM rsvps")).all()
        assert [tuple(row) for row in names] == [("Ana", "yes")]
        assert not (table_names() & POLL_TABLES.keys())
        db.session.commit()
        upgrade()
        assert service.find_event("Abcdef").title == "Old party"
