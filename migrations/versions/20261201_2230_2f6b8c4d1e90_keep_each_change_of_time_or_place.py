"""Keep each change of an event's time or place, for its page and its owner.

The event page reads them, so on PostgreSQL they notify the event's slug like
its answers do (skedjit_notify_event_of_row, from "notify every change").

Revision ID: 2f6b8c4d1e90
Revises: 5c9e0a7b2d14
Create Date: 2026-12-01 22:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "2f6b8c4d1e90"
down_revision = "5c9e0a7b2d14"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "event_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("starts_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_before", sa.DateTime(timezone=True), nullable=True),
        sa.Column("zone_before", sa.String(length=64), nullable=False),
        sa.Column("place_before", sa.String(length=200), nullable=False),
        sa.Column("starts_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_after", sa.DateTime(timezone=True), nullable=True),
        sa.Column("zone_after", sa.String(length=64), nullable=False),
        sa.Column("place_after", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_changes_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_changes")),
    )
    op.create_index(op.f("ix_event_changes_event_id"), "event_changes", ["event_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER event_changes_notify AFTER INSERT OR UPDATE OR DELETE "
            "ON event_changes FOR EACH ROW EXECUTE FUNCTION skedjit_notify_event_of_row()"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER event_changes_notify ON event_changes")
    op.drop_index(op.f("ix_event_changes_event_id"), table_name="event_changes")
    op.drop_table("event_changes")
