"""It's on if enough say yes: a minimum going, when it is decided, and the decision.

An event may keep the fewest people going (extra guests counted) for it to happen and
when that is decided (a UTC instant, indexed: the worker looks for the events due);
then whether it is on or called off, and when that was decided. Events made before
have no minimum.

The columns are added with their CHECK constraints by ALTER TABLE on both databases:
on SQLite a batch copy of `events` would drop the old table, and with foreign keys on
that deletes every answer, invitee and email (ON DELETE CASCADE).

Revision ID: 7e1f3a5b9c64
Revises: 4d7a9c2e1b58
Create Date: 2026-12-02 11:00:00
"""

from alembic import op

revision = "7e1f3a5b9c64"
down_revision = "4d7a9c2e1b58"
branch_labels = None
depends_on = None

COLUMNS = ("min_going", "decide_at", "decision", "decided_at")


def upgrade():
    instant = (
        "DATETIME" if op.get_context().dialect.name == "sqlite" else "TIMESTAMP WITH TIME ZONE"
    )
    for definition in (
        "min_going INTEGER CONSTRAINT ck_events_min_going CHECK (min_going >= 1)",
        f"decide_at {instant}",
        "decision VARCHAR(3) CONSTRAINT ck_events_decision CHECK (decision IN ('on', 'off'))",
        f"decided_at {instant}",
    ):
        op.execute(f"ALTER TABLE events ADD COLUMN {definition}")
    op.create_index(op.f("ix_events_decide_at"), "events", ["decide_at"])


def downgrade():
    op.drop_index(op.f("ix_events_decide_at"), table_name="events")
    for column in reversed(COLUMNS):  # ALTER TABLE on SQLite too (3.35+), for the same reason
        op.drop_column("events", column)
