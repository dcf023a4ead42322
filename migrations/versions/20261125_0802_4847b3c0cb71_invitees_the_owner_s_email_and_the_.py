"""Invitees, the owner's email and the daily invitation count.

Revision ID: 4847b3c0cb71
Revises: 6e5c4ff95b13
Create Date: 2026-11-25 08:02:00.495333
"""

import sqlalchemy as sa
from alembic import op

revision = "4847b3c0cb71"
down_revision = "6e5c4ff95b13"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "invitees",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=254), nullable=False),
        sa.Column("address_key", sa.String(length=254), nullable=False),
        sa.Column("invited_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_send_ok", sa.Boolean(), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=False),
        sa.Column("unsubscribed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_invitees_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitees")),
        sa.UniqueConstraint("event_id", "address_key", name=op.f("uq_invitees_event_id")),
    )
    with op.batch_alter_table("events") as batch_op:
        batch_op.add_column(sa.Column("owner_email", sa.String(length=254), nullable=True))
        batch_op.add_column(
            sa.Column("invites_counted", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("invites_counted_since", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade():
    with op.batch_alter_table("events") as batch_op:
        batch_op.drop_column("invites_counted_since")
        batch_op.drop_column("invites_counted")
        batch_op.drop_column("owner_email")
    op.drop_table("invitees")
