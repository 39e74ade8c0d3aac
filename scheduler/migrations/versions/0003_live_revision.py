"""live revision: how many changes the team made to a session's live state

Calendar feeds raise a session's SEQUENCE by one for each live change (a delay, a cancellation,
an early start or end, a reset), on top of the published entry's sequence, so SEQUENCE never goes
down. A reset now clears the facts and keeps the row, so its count survives. Rows from before
this revision stand for at least one change.

Revision ID: 0003_live_revision
Revises: 0002
Create Date: 2026-12-02 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_live_revision"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("live_states", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="0"))
    op.execute("UPDATE live_states SET revision = 1")


def downgrade() -> None:
    with op.batch_alter_table("live_states", schema=None) as batch_op:
        batch_op.drop_column("revision")
