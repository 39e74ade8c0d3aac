"""the timetable editor's state of a draft: revision, pins, overrides, undo and redo

Revision ID: 0006_editor
Revises: 0005_outbox
Create Date: 2026-12-05 10:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_editor"
down_revision: str | None = "0005_outbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Existing versions have never been edited: revision 0, no pins, overrides or history.
_COLUMNS = (
    ("revision", sa.Integer(), "0"),
    ("pins", sa.JSON(), "'{}'"),
    ("overrides", sa.JSON(), "'{}'"),
    ("undo", sa.JSON(), "'[]'"),
    ("redo", sa.JSON(), "'[]'"),
)


def upgrade() -> None:
    with op.batch_alter_table("schedule_versions", schema=None) as batch_op:
        for name, kind, default in _COLUMNS:
            batch_op.add_column(sa.Column(name, kind, nullable=False, server_default=sa.text(default)))


def downgrade() -> None:
    with op.batch_alter_table("schedule_versions", schema=None) as batch_op:
        for name, _kind, _default in reversed(_COLUMNS):
            batch_op.drop_column(name)
