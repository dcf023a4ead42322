"""Count the emails this instance sends each day (MAIL_DAILY_LIMIT).

Revision ID: 5e2a8c1b7d43
Revises: 9c1d52e7a4b8
Create Date: 2026-12-01 16:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "5e2a8c1b7d43"
down_revision = "9c1d52e7a4b8"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "mail_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("sent", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_mail_days")),
    )


def downgrade():
    op.drop_table("mail_days")
