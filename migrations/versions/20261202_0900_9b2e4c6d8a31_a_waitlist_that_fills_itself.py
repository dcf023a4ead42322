"""A waitlist that fills itself: the 'wait' answer, when each joined, and who moved up.

Revision ID: 9b2e4c6d8a31
Revises: 6a1d3e5f7b22
Create Date: 2026-12-02 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "9b2e4c6d8a31"
down_revision = "6a1d3e5f7b22"
branch_labels = None
depends_on = None

RESPONSES = "response IN ('yes', 'maybe', 'no')"
WITH_WAITING = "response IN ('yes', 'maybe', 'no', 'wait')"


def _responses(check: str) -> None:
    with op.batch_alter_table("rsvps") as batch:
        batch.drop_constraint(op.f("ck_rsvps_response"), type_="check")
        batch.create_check_constraint(op.f("ck_rsvps_response"), check)


def upgrade():
    with op.batch_alter_table("rsvps") as batch:
        batch.add_column(sa.Column("waiting_since", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("promoted_at", sa.DateTime(timezone=True), nullable=True))
    _responses(WITH_WAITING)


def downgrade():
    # Whoever waits for a place becomes a maybe: the closest answer there was before.
    op.execute("UPDATE rsvps SET response = 'maybe' WHERE response = 'wait'")
    _responses(RESPONSES)
    with op.batch_alter_table("rsvps") as batch:
        batch.drop_column("promoted_at")
        batch.drop_column("waiting_since")
