"""Write each event's emails and calendar files in its language.

The owner's page language when it was made; events made before are in English.

Revision ID: 5c9e0a7b2d14
Revises: 8d4e1f2a9b37
Create Date: 2026-12-01 20:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "5c9e0a7b2d14"
down_revision = "8d4e1f2a9b37"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("events") as batch:
        batch.add_column(
            sa.Column("language", sa.String(length=5), nullable=False, server_default="en")
        )


def downgrade():
    with op.batch_alter_table("events") as batch:
        batch.drop_column("language")
