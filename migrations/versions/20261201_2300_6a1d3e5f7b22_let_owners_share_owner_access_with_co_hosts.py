"""Let owners share owner access with co-hosts: secret links, and a version that revokes them.

Revision ID: 6a1d3e5f7b22
Revises: 2f6b8c4d1e90
Create Date: 2026-12-01 23:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "6a1d3e5f7b22"
down_revision = "2f6b8c4d1e90"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("events") as batch:
        batch.add_column(
            sa.Column("hosts_version", sa.Integer(), nullable=False, server_default="0")
        )
    op.create_table(
        "cohost_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_cohost_links_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cohost_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_cohost_links_token_hash")),
    )
    op.create_index(op.f("ix_cohost_links_event_id"), "cohost_links", ["event_id"])


def downgrade():
    op.drop_index(op.f("ix_cohost_links_event_id"), table_name="cohost_links")
    op.drop_table("cohost_links")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("hosts_version")
