"""the outbox of messages, speakers' last version told, participants' live-message opt-out

Revision ID: 0005_outbox
Revises: 0004_console_accounts
Create Date: 2026-12-05 10:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_outbox"
down_revision: str | None = "0004_console_accounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("recipient_name", sa.String(length=300), nullable=False),
        sa.Column("recipient_email", sa.String(length=254), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("attachments", sa.JSON(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dedupe_key"),
    )
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_state", ["state", "next_attempt_at"], unique=False)
    with op.batch_alter_table("speakers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("told_version", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("messages_stopped", sa.Boolean(), nullable=False, server_default="0"))
    with op.batch_alter_table("participants", schema=None) as batch_op:
        # Everyone registered before messages existed hears about their bookmarks unless they stop it.
        batch_op.add_column(sa.Column("live_messages", sa.Boolean(), nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.drop_column("live_messages")
    with op.batch_alter_table("speakers", schema=None) as batch_op:
        batch_op.drop_column("messages_stopped")
        batch_op.drop_column("told_version")
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_state")
    op.drop_table("outbox_messages")
