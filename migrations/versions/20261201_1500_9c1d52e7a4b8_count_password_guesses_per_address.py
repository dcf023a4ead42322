"""Count password guesses per event and client address; owner recovery links.

The lockout moves from two columns of events to password_guesses, one row per
event and (hashed) client address plus one per event for all addresses, so a
guesser locks out only their own address. The counts are not carried over: a lock
in force when this runs is lifted.

Revision ID: 9c1d52e7a4b8
Revises: fce0ce6d21f2
Create Date: 2026-12-01 15:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "9c1d52e7a4b8"
down_revision = "fce0ce6d21f2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "password_guesses",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=32), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_password_guesses_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", "address", name=op.f("pk_password_guesses")),
    )
    with op.batch_alter_table("events") as batch_op:
        batch_op.drop_column("password_locked_until")
        batch_op.drop_column("password_failures")
        batch_op.add_column(sa.Column("recovery_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("recovery_expires_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade():
    with op.batch_alter_table("events") as batch_op:
        batch_op.drop_column("recovery_expires_at")
        batch_op.drop_column("recovery_hash")
        batch_op.add_column(
            sa.Column("password_failures", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("password_locked_until", sa.DateTime(timezone=True), nullable=True)
        )
    op.drop_table("password_guesses")
