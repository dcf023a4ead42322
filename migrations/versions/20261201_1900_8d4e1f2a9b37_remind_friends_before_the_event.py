"""Remind friends before the event: the owner's choice, and friends' own addresses.

An event keeps how long before its start friends are reminded, when that reminder
is due, and the site address it was made at (for the links in reminders, which the
worker writes outside any request); events made before keep no reminder. An invitee
may now be a friend's own address, given with their answer and confirmed by them,
linked to that answer.

Revision ID: 8d4e1f2a9b37
Revises: 3b7c2d9e4f10
Create Date: 2026-12-01 19:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "8d4e1f2a9b37"
down_revision = "3b7c2d9e4f10"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("remind_hours", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("remind_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("site_url", sa.String(length=255), nullable=True))
        batch.create_index(op.f("ix_events_remind_at"), ["remind_at"])
    with op.batch_alter_table("invitees") as batch:
        batch.add_column(
            sa.Column("invited", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch.add_column(sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("rsvp_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_invitees_rsvp_id_rsvps"), "rsvps", ["rsvp_id"], ["id"], ondelete="SET NULL"
        )
        batch.create_index(op.f("ix_invitees_rsvp_id"), ["rsvp_id"])


def downgrade():
    with op.batch_alter_table("invitees") as batch:
        batch.drop_index(op.f("ix_invitees_rsvp_id"))
        batch.drop_constraint(op.f("fk_invitees_rsvp_id_rsvps"), type_="foreignkey")
        batch.drop_column("rsvp_id")
        batch.drop_column("confirmed_at")
        batch.drop_column("invited")
    with op.batch_alter_table("events") as batch:
        batch.drop_index(op.f("ix_events_remind_at"))
        batch.drop_column("site_url")
        batch.drop_column("remind_at")
        batch.drop_column("remind_hours")
