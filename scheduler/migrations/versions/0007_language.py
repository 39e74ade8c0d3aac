"""participants' interface language (the site's pages and feeds), beside their interpretation language

Revision ID: 0007_language
Revises: 0006_editor
Create Date: 2026-12-05 11:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_language"
down_revision: str | None = "0006_editor"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable: participants registered before have none, and get the site's default language.
    with op.batch_alter_table("participants") as batch:
        batch.add_column(sa.Column("interface_language", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("participants") as batch:
        batch.drop_column("interface_language")
