"""speaker and session content: abstracts, affiliations, biographies, photos, e-mail, languages, translations

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05 07:26:44.247133

Existing rows get empty texts and no translations (server defaults, so that NOT NULL columns can be
added to tables that already hold events).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NO_TRANSLATIONS = sa.text("'{}'")


def upgrade() -> None:
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("abstract", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("translations", sa.JSON(), nullable=False, server_default=NO_TRANSLATIONS)
        )

    with op.batch_alter_table("speakers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("affiliation", sa.String(length=300), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("bio", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("photo", sa.String(length=2000), nullable=True))
        batch_op.add_column(sa.Column("email", sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column("language", sa.String(length=2), nullable=True))
        batch_op.add_column(
            sa.Column("translations", sa.JSON(), nullable=False, server_default=NO_TRANSLATIONS)
        )


def downgrade() -> None:
    with op.batch_alter_table("speakers", schema=None) as batch_op:
        for column in ("translations", "language", "email", "photo", "bio", "affiliation"):
            batch_op.drop_column(column)

    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_column("translations")
        batch_op.drop_column("abstract")
