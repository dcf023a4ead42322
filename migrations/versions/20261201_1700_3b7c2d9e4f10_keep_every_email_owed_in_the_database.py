"""Keep every email owed in the database, with how sending it goes (the outbox).

The invite list reads each address's state from its latest email, so the invitees'
own columns for the last send go.

Revision ID: 3b7c2d9e4f10
Revises: 7f3d9e2a6c15
Create Date: 2026-12-01 17:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "3b7c2d9e4f10"
down_revision = "7f3d9e2a6c15"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "emails",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("invitee_id", sa.Integer(), nullable=True),
        sa.Column("address", sa.String(length=254), nullable=False),
        sa.Column("message", sa.LargeBinary(), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_reply", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state IN ('queued', 'sending', 'retrying', 'sent', 'failed')",
            name=op.f("ck_emails_state"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_emails_event_id_events"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["invitee_id"],
            ["invitees.id"],
            name=op.f("fk_emails_invitee_id_invitees"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_emails")),
    )
    op.create_index("ix_emails_state_due_at", "emails", ["state", "due_at"])
    op.create_index(op.f("ix_emails_event_id"), "emails", ["event_id"])
    op.create_index(op.f("ix_emails_invitee_id"), "emails", ["invitee_id"])
    with op.batch_alter_table("invitees") as batch:
        batch.drop_column("last_send_ok")
        batch.drop_column("last_error")


def downgrade():
    with op.batch_alter_table("invitees") as batch:
        batch.add_column(sa.Column("last_send_ok", sa.Boolean(), nullable=True))
        batch.add_column(
            sa.Column("last_error", sa.String(length=300), nullable=False, server_default="")
        )
    op.drop_index(op.f("ix_emails_invitee_id"), table_name="emails")
    op.drop_index(op.f("ix_emails_event_id"), table_name="emails")
    op.drop_index("ix_emails_state_due_at", table_name="emails")
    op.drop_table("emails")
