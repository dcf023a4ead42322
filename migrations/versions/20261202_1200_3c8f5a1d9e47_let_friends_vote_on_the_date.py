"""Let friends vote on the date: a poll's options, each friend's votes, and its state.

An event may begin as a poll: `poll` is 'open' while friends vote, 'closed' once the
owner closed voting, and 'picked' once an option became the event's time (NULL: not a
poll). The owner may set when voting ends (`poll_closes_at`), have the best option picked
then (`poll_auto_pick`), and voters are reminded the day before (`poll_remind_at`,
indexed: the worker looks for the polls due). These columns are added by ALTER TABLE on
both databases, as the minimum going's were, so that no batch copy of `events` runs.

A voter is an answer with the response 'vote' until the pick gives it going, maybe or
can't go; its votes go with it, and with their option (ON DELETE CASCADE). The event
page shows both tables, so on PostgreSQL they notify the event's slug: options have an
event_id; a vote reaches its event through its option.

Revision ID: 3c8f5a1d9e47
Revises: 7e1f3a5b9c64
Create Date: 2026-12-02 12:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "3c8f5a1d9e47"
down_revision = "7e1f3a5b9c64"
branch_labels = None
depends_on = None

COLUMNS = ("poll", "poll_closes_at", "poll_auto_pick", "poll_remind_at")
WITH_WAITING = "response IN ('yes', 'maybe', 'no', 'wait')"
WITH_VOTING = "response IN ('yes', 'maybe', 'no', 'wait', 'vote')"

NOTIFY_EVENT_OF_VOTE = """
CREATE FUNCTION skedjit_notify_event_of_vote() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed_slug text;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        SELECT e.slug INTO changed_slug FROM poll_options o JOIN events e ON e.id = o.event_id
            WHERE o.id = OLD.option_id;
        IF changed_slug IS NOT NULL THEN  -- gone when its option or event is being deleted
            PERFORM pg_notify('skedjit_events', changed_slug);
        END IF;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        SELECT e.slug INTO changed_slug FROM poll_options o JOIN events e ON e.id = o.event_id
            WHERE o.id = NEW.option_id;
        PERFORM pg_notify('skedjit_events', changed_slug);
    END IF;
    RETURN NULL;
END
$$
"""


def _responses(check: str) -> None:
    with op.batch_alter_table("rsvps") as batch:
        batch.drop_constraint(op.f("ck_rsvps_response"), type_="check")
        batch.create_check_constraint(op.f("ck_rsvps_response"), check)


def upgrade():
    sqlite = op.get_context().dialect.name == "sqlite"
    instant = "DATETIME" if sqlite else "TIMESTAMP WITH TIME ZONE"
    for definition in (
        "poll VARCHAR(6) CONSTRAINT ck_events_poll CHECK (poll IN ('open', 'closed', 'picked'))",
        f"poll_closes_at {instant}",
        f"poll_auto_pick BOOLEAN DEFAULT {'0' if sqlite else 'false'} NOT NULL",
        f"poll_remind_at {instant}",
    ):
        op.execute(f"ALTER TABLE events ADD COLUMN {definition}")
    op.create_index(op.f("ix_events_poll_closes_at"), "events", ["poll_closes_at"])
    op.create_index(op.f("ix_events_poll_remind_at"), "events", ["poll_remind_at"])
    _responses(WITH_VOTING)
    op.create_table(
        "poll_options",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_poll_options_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_poll_options")),
    )
    op.create_index(op.f("ix_poll_options_event_id"), "poll_options", ["event_id"])
    op.create_table(
        "poll_votes",
        sa.Column("option_id", sa.Integer(), nullable=False),
        sa.Column("rsvp_id", sa.Integer(), nullable=False),
        sa.Column("choice", sa.String(length=5), nullable=False),
        sa.CheckConstraint("choice IN ('yes', 'maybe', 'no')", name=op.f("ck_poll_votes_choice")),
        sa.ForeignKeyConstraint(
            ["option_id"],
            ["poll_options.id"],
            name=op.f("fk_poll_votes_option_id_poll_options"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rsvp_id"], ["rsvps.id"], name=op.f("fk_poll_votes_rsvp_id_rsvps"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("option_id", "rsvp_id", name=op.f("pk_poll_votes")),
    )
    op.create_index(op.f("ix_poll_votes_rsvp_id"), "poll_votes", ["rsvp_id"])
    if not sqlite:
        op.execute(
            "CREATE TRIGGER poll_options_notify AFTER INSERT OR UPDATE OR DELETE "
            "ON poll_options FOR EACH ROW EXECUTE FUNCTION skedjit_notify_event_of_row()"
        )
        op.execute(NOTIFY_EVENT_OF_VOTE)
        op.execute(
            "CREATE TRIGGER poll_votes_notify AFTER INSERT OR UPDATE OR DELETE "
            "ON poll_votes FOR EACH ROW EXECUTE FUNCTION skedjit_notify_event_of_vote()"
        )


def downgrade():
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP TRIGGER poll_votes_notify ON poll_votes")
        op.execute("DROP FUNCTION skedjit_notify_event_of_vote()")
        op.execute("DROP TRIGGER poll_options_notify ON poll_options")
    op.drop_index(op.f("ix_poll_votes_rsvp_id"), table_name="poll_votes")
    op.drop_table("poll_votes")
    op.drop_index(op.f("ix_poll_options_event_id"), table_name="poll_options")
    op.drop_table("poll_options")
    # A poll still open loses its voters: without the poll there is no answer to give them.
    op.execute("DELETE FROM rsvps WHERE response = 'vote'")
    _responses(WITH_WAITING)
    op.drop_index(op.f("ix_events_poll_remind_at"), table_name="events")
    op.drop_index(op.f("ix_events_poll_closes_at"), table_name="events")
    for column in reversed(COLUMNS):  # ALTER TABLE on SQLite too (3.35+), as in upgrade()
        op.drop_column("events", column)
