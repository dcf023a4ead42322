"""Add RSVPs and the owner's answer settings.

Revision ID: f55c7abcde8d
Revises: faaf9d017329
Create Date: 2026-11-25 04:14:51.889228
"""

import sqlalchemy as sa
from alembic import op

revision = "f55c7abcde8d"
down_revision = "faaf9d017329"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("events") as batch_op:
        batch_op.add_column(sa.Column("capacity", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("rsvp_deadline", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("rsvps_closed", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("guest_list_hidden", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("answers_version", sa.Integer(), server_default="0", nullable=False)
        )
    op.create_table(
        "rsvps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("response", sa.String(length=5), nullable=False),
        sa.Column("guests", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("response IN ('yes', 'maybe', 'no')", name=op.f("ck_rsvps_response")),
        sa.CheckConstraint("guests BETWEEN 0 AND 10", name=op.f("ck_rsvps_guests")),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_rsvps_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rsvps")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_rsvps_token_hash")),
    )
    op.create_index(op.f("ix_rsvps_event_id"), "rsvps", ["event_id"])


def downgrade():
    op.drop_index(op.f("ix_rsvps_event_id"), table_name="rsvps")
    op.drop_table("rsvps")
    with op.batch_alter_table("events") as batch_op:
        batch_op.drop_column("answers_version")
        batch_op.drop_column("guest_list_hidden")
        batch_op.drop_column("rsvps_closed")
        batch_op.drop_column("rsvp_deadline")
        batch_op.drop_column("capacity")
