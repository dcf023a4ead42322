"""Event rows reused by each process, and dropped the moment another process changes them."""

import sqlite3
import subprocess

import psycopg2
import pytest
from sqlalchemy.engine import make_url

from skedjit.event_page.rows import EventRows
from tests.helpers.forms import edit_fields
from tests.helpers.waiting import wait_until
from tests.helpers.waiting import warm
from tests.helpers.waiting import watch_of


def edit_title(browser, slug: str, title: str, version: int = 1) -> None:
    fields = edit_fields(version, title=title)
    assert browser.post(f"/events/{slug}/edit", data=fields).status_code == 303


def test_friends_later_views_send_no_sql(client, make_event, count_queries):
    slug = make_event()
    warm(client, slug)
    with count_queries() as statements:
        response = client.get(f"/events/{slug}")
    assert response.status_code == 200
    assert statements == []


def test_edit_in_another_process_is_seen(browser, create_event_as, make_app):
    slug = create_event_as(browser, title="Before")
    other = make_app().test_client()
    assert b"Before" in warm(other, slug).data
    edit_title(browser, slug, "After")
    wait_until(lambda: b"After" in other.get(f"/events/{slug}").data)
    assert b"Before" not in other.get(f"/events/{slug}").data


def test_delete_in_another_process_is_seen(browser, create_event_as, make_app):
    slug = create_event_as(browser)
    other = make_app().test_client()
    warm(other, slug)
    assert browser.post(f"/events/{slug}/delete").status_code == 303
    wait_until(lambda: other.get(f"/events/{slug}").status_code == 404)


def test_sqlite_sees_a_write_from_any_connection_at_once(client, make_event, backend):
    if backend != "sqlite":
        pytest.skip("a SQLite file")
    slug = make_event(title="Before")
    warm(client, slug)
    path = make_url(client.application.config["SQLALCHEMY_DATABASE_URI"]).database
    with sqlite3.connect(path) as connection:  # another program, writing no version
        connection.execute("UPDATE events SET title = 'After' WHERE slug = ?", (slug,))
    assert b"After" in client.get(f"/events/{slug}").data


def psql(database_url: str, statement: str) -> None:
    """Run a statement with the psql program, as a person at its prompt would."""
    url = make_url(database_url)
    command = ["psql", "-h", url.query["host"], "-U", url.username, "-d", url.database]
    subprocess.run([*command, "-v", "ON_ERROR_STOP=1", "-c", statement], check=True, timeout=30)


@pytest.mark.parametrize(
    ("statement", "shown"),
    [
        ("UPDATE events SET title = 'Typed in psql' WHERE slug = '{slug}'", b"Typed in psql"),
        (
            "INSERT INTO rsvps (event_id, name, response, guests, note, token_hash, created_at,"
            " updated_at) SELECT id, 'Psql Pat', 'yes', 0, '', md5(random()::text) || 'x',"
            " now(), now() FROM events WHERE slug = '{slug}'",
            b"Psql Pat",
        ),
        (
            "INSERT INTO event_changes (event_id, changed_at, starts_before, ends_before,"
            " zone_before, place_before, starts_after, ends_after, zone_after, place_after)"
            " SELECT id, now(), starts_at, ends_at, timezone, 'A place in psql', starts_at,"
            " ends_at, timezone, location FROM events WHERE slug = '{slug}'",
            b"A place in psql",
        ),
    ],
    ids=["event", "answer", "change"],
)
def test_a_write_typed_in_psql_reaches_the_other_processes(
    make_app, make_event, backend, database_url, statement, shown
):
    if backend != "postgresql":
        pytest.skip("psql is PostgreSQL's")
    slug = make_event(title="Before")
    other = make_app().test_client()
    warm(other, slug)
    psql(database_url, statement.format(slug=slug))
    wait_until(lambda: shown in other.get(f"/events/{slug}").data)


def test_owner_reads_the_database_not_the_shared_rows(
    browser, client, create_event_as, count_queries
):
    slug = create_event_as(browser)
    browser.get(f"/events/{slug}")  # shows the "ready" message
    warm(client, slug)  # a friend fills the shared rows
    with count_queries() as statements:
        browser.get(f"/events/{slug}")
    assert len(statements) == 4  # the event, its answers, its changes and its bring list


def test_nothing_is_reused_without_a_cache(make_app, make_event, count_queries):
    slug = make_event()
    uncached = make_app(EVENT_PAGE_CACHE_SIZE=0)
    client = uncached.test_client()
    client.get(f"/events/{slug}")
    with count_queries(uncached) as statements:
        client.get(f"/events/{slug}")
    assert len(statements) == 4  # the event, its answers, its changes and its bring list


def test_lost_listener_stops_reuse_until_it_is_back(
    browser, create_event_as, make_app, backend, postgres_url, count_queries
):
    if backend != "postgresql":
        pytest.skip("only PostgreSQL has a listener")
    slug = create_event_as(browser, title="Before")
    other_app = make_app()
    other = other_app.test_client()
    warm(other, slug)
    listener = watch_of(other_app)
    old_pid = listener.backend_pid

    url = make_url(postgres_url)
    admin = psycopg2.connect(dbname="postgres", user=url.username, host=url.query["host"])
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", (old_pid,))
    admin.close()
    wait_until(lambda: not listener.connected.is_set() or listener.backend_pid != old_pid)
    edit_title(browser, slug, "Changed while deaf")

    wait_until(lambda: listener.connected.is_set() and listener.backend_pid != old_pid)
    assert b"Changed while deaf" in other.get(f"/events/{slug}").data
    with count_queries() as statements:
        assert b"Changed while deaf" in other.get(f"/events/{slug}").data
    assert statements == []


def test_a_row_read_before_a_change_is_not_kept():
    rows = EventRows(size=4)
    rows.forget_all(enabled=True)
    generation = rows.generation
    rows.forget("abcdef")  # a change lands while the row is being read
    rows.put("abcdef", "old row", generation)
    assert rows.get("abcdef") is None


def test_rows_are_not_kept_while_disabled():
    rows = EventRows(size=4)
    rows.put("abcdef", "row", rows.generation)
    assert rows.get("abcdef") is None


def test_rows_keep_only_the_most_recently_used():
    rows = EventRows(size=2)
    rows.forget_all(enabled=True)
    for slug in ("aaaaaa", "bbbbbb"):
        rows.put(slug, slug.upper(), rows.generation)
    rows.get("aaaaaa")
    rows.put("cccccc", "C", rows.generation)
    assert rows.get("bbbbbb") is None
    assert (rows.get("aaaaaa"), rows.get("cccccc")) == ("AAAAAA", "C")
