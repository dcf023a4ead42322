"""Let friends say what they bring: the owner's bring list, and each friend's claims.

The event page shows both, so on PostgreSQL they notify the event's slug like its
answers do. Items have an event_id (skedjit_notify_event_of_row, from "notify every
change"); a claim reaches its event through its item, so it gets a function of its
own. When an item or an answer is deleted, its claims go with it (the cascade), and
a claim whose item is already gone notifies nothing more: the item's own trigger has.

Revision ID: 4d7a9c2e1b58
Revises: 9b2e4c6d8a31
Create Date: 2026-12-02 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "4d7a9c2e1b58"
down_revision = "9b2e4c6d8a31"
branch_labels = None
depends_on = None

NOTIFY_EVENT_OF_CLAIM = """
CREATE FUNCTION skedjit_notify_event_of_claim() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed_slug text;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        SELECT e.slug INTO changed_slug FROM bring_items i JOIN events e ON e.id = i.event_id
            WHERE i.id = OLD.item_id;
        IF changed_slug IS NOT NULL THEN  -- gone when its item or event is being deleted
            PERFORM pg_notify('skedjit_events', changed_slug);
        END IF;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        SELECT e.slug INTO changed_slug FROM bring_items i JOIN events e ON e.id = i.event_id
            WHERE i.id = NEW.item_id;
        PERFORM pg_notify('skedjit_events', changed_slug);
    END IF;
    RETURN NULL;
END
$$
"""


def upgrade():
    op.create_table(
        "bring_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=120), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("quantity BETWEEN 1 AND 99", name=op.f("ck_bring_items_quantity")),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_bring_items_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bring_items")),
    )
    op.create_index(op.f("ix_bring_items_event_id"), "bring_items", ["event_id"])
    op.create_table(
        "bring_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("rsvp_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.CheckConstraint("quantity >= 1", name=op.f("ck_bring_claims_quantity")),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["bring_items.id"],
            name=op.f("fk_bring_claims_item_id_bring_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rsvp_id"],
            ["rsvps.id"],
            name=op.f("fk_bring_claims_rsvp_id_rsvps"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bring_claims")),
        sa.UniqueConstraint("item_id", "rsvp_id", name=op.f("uq_bring_claims_item_id")),
    )
    op.create_index(op.f("ix_bring_claims_rsvp_id"), "bring_claims", ["rsvp_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER bring_items_notify AFTER INSERT OR UPDATE OR DELETE "
            "ON bring_items FOR EACH ROW EXECUTE FUNCTION skedjit_notify_event_of_row()"
        )
        op.execute(NOTIFY_EVENT_OF_CLAIM)
        op.execute(
            "CREATE TRIGGER bring_claims_notify AFTER INSERT OR UPDATE OR DELETE "
            "ON bring_claims FOR EACH ROW EXECUTE FUNCTION skedjit_notify_event_of_claim()"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER bring_claims_notify ON bring_claims")
        op.execute("DROP FUNCTION skedjit_notify_event_of_claim()")
        op.execute("DROP TRIGGER bring_items_notify ON bring_items")
    op.drop_index(op.f("ix_bring_claims_rsvp_id"), table_name="bring_claims")
    op.drop_table("bring_claims")
    op.drop_index(op.f("ix_bring_items_event_id"), table_name="bring_items")
    op.drop_table("bring_items")
