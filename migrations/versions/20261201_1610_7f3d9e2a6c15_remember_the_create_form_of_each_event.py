"""Remember the nonce of the create form that made each event.

Revision ID: 7f3d9e2a6c15
Revises: 5e2a8c1b7d43
Create Date: 2026-12-01 16:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "7f3d9e2a6c15"
down_revision = "5e2a8c1b7d43"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("events") as batch_op:
        batch_op.add_column(sa.Column("create_nonce_hash", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_events_create_nonce_hash"), ["create_nonce_hash"]
        )


def downgrade():
    with op.batch_alter_table("events") as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_events_create_nonce_hash"), type_="unique")
        batch_op.drop_column("create_nonce_hash")
