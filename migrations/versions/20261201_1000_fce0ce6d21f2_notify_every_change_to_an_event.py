"""Notify every change to an event or its answers, whoever writes it (PostgreSQL).

Each process keeps the event page's rows and drops one when its slug is notified
on the skedjit_events channel (skedjit/event_page/rows.py). These triggers make
the notification part of every insert, update and delete on events and rsvps, so
no write can forget it: not the app's, not a worker's, not one typed in psql.
notify_event_of_row() serves any table with an event_id column. SQLite needs
nothing: the processes watch its PRAGMA data_version instead.

Revision ID: fce0ce6d21f2
Revises: 4847b3c0cb71
Create Date: 2026-12-01 10:00:00
"""

from alembic import op

revision = "fce0ce6d21f2"
down_revision = "4847b3c0cb71"
branch_labels = None
depends_on = None

NOTIFY_EVENT = """
CREATE FUNCTION skedjit_notify_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM pg_notify('skedjit_events', OLD.slug);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM pg_notify('skedjit_events', NEW.slug);
    END IF;
    RETURN NULL;
END
$$
"""
NOTIFY_EVENT_OF_ROW = """
CREATE FUNCTION skedjit_notify_event_of_row() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed_slug text;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        SELECT slug INTO changed_slug FROM events WHERE id = OLD.event_id;
        IF changed_slug IS NOT NULL THEN  -- gone when its event is being deleted
            PERFORM pg_notify('skedjit_events', changed_slug);
        END IF;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        SELECT slug INTO changed_slug FROM events WHERE id = NEW.event_id;
        PERFORM pg_notify('skedjit_events', changed_slug);
    END IF;
    RETURN NULL;
END
$$
"""


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(NOTIFY_EVENT)
    op.execute(NOTIFY_EVENT_OF_ROW)
    op.execute(
        "CREATE TRIGGER events_notify AFTER INSERT OR UPDATE OR DELETE ON events "
        "FOR EACH ROW EXECUTE FUNCTION skedjit_notify_event()"
    )
    op.execute(
        "CREATE TRIGGER rsvps_notify AFTER INSERT OR UPDATE OR DELETE ON rsvps "
        "FOR EACH ROW EXECUTE FUNCTION skedjit_notify_event_of_row()"
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER rsvps_notify ON rsvps")
    op.execute("DROP TRIGGER events_notify ON events")
    op.execute("DROP FUNCTION skedjit_notify_event_of_row()")
    op.execute("DROP FUNCTION skedjit_notify_event()")
