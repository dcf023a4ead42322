"""Count wrong event passwords for the lockout.

Revision ID: 6e5c4ff95b13
Revises: f55c7abcde8d
Create Date: 2026-11-25 05:07:32.334704
"""

import sqlalchemy as sa
from alembic import op

revision = "6e5c4ff95b13"
down_revision = "f55c7abcde8d"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("events") as batch_op:
        batch_op.add_column(
            sa.Column("password_failures", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("password_locked_until", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade():
    with op.batch_alter_table("events") as batch_op:
        batch_op.drop_column("password_locked_until")
        batch_op.drop_column("password_failures")
