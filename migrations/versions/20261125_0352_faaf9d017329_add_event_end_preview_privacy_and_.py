"""Add the event end, preview privacy, and tombstones of deleted events.

Revision ID: faaf9d017329
Revises: ab21dbe3c65b
Create Date: 2026-11-25 03:52:50.013403
"""

import sqlalchemy as sa
from alembic import op

revision = "faaf9d017329"
down_revision = "ab21dbe3c65b"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("events") as batch_op:
        batch_op.add_column(sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("hide_preview", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_table(
        "tombstones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=6), nullable=False),
        sa.Column("uid", sa.String(length=255), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tombstones")),
        sa.UniqueConstraint("slug", name=op.f("uq_tombstones_slug")),
    )
    op.create_index(op.f("ix_tombstones_deleted_at"), "tombstones", ["deleted_at"])


def downgrade():
    op.drop_index(op.f("ix_tombstones_deleted_at"), table_name="tombstones")
    op.drop_table("tombstones")
    with op.batch_alter_table("events") as batch_op:
        batch_op.drop_column("hide_preview")
        batch_op.drop_column("ends_at")
