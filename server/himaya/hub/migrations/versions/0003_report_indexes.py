"""An index for the witness check: the reports of one enrolled companion by position in its chain.

Revision ID: 0003
Revises: 0002
"""
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_reports_companion_seq", "reports", ["companion_id", "seq"])


def downgrade():
    raise NotImplementedError("the hub's data is never downgraded; restore a backup instead")
