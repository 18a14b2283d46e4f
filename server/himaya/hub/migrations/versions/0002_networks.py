"""Networks of pages: the pages reports are about, the indicators found in them
(page addresses, handles, invite links, phone numbers, codes, emoji legends,
neighbourhoods), which report and which page carries which, and the networks
that pages sharing an indicator form.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

T = sa.String(40)


def upgrade():
    op.create_table(
        "networks",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("status", sa.String(16), nullable=False, server_default="open"),
        sa.Column("label", sa.String(200)),
        sa.Column("pages", sa.Integer, nullable=False, server_default="0"),
        sa.Column("reports", sa.Integer, nullable=False, server_default="0"),
        sa.Column("severity_rank", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_report_at", T),
        sa.Column("created_at", T, nullable=False),
        sa.Column("updated_at", T, nullable=False),
        sa.Column("merged_into", sa.Integer),
    )
    op.create_index("ix_networks_rank", "networks", ["merged_into", "last_report_at"])
    op.create_table(
        "pages",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(300), nullable=False, unique=True),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("display", sa.String(300), nullable=False),
        sa.Column("first_seen", T, nullable=False),
        sa.Column("last_seen", T, nullable=False),
        sa.Column("network_id", sa.Integer),
        sa.Column("reports", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_index("ix_pages_network", "pages", ["network_id"])
    op.create_table(
        "indicators",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("value", sa.String(300), nullable=False),
        sa.Column("display", sa.String(300), nullable=False),
        sa.Column("common", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("common_reason", sa.String(64)),
        sa.Column("pages", sa.Integer, nullable=False, server_default="0"),
        sa.UniqueConstraint("kind", "value", name="uq_indicators_kind_value"),
    )
    op.create_table(
        "page_indicators",
        sa.Column("page_id", sa.Integer, primary_key=True),
        sa.Column("indicator_id", sa.Integer, primary_key=True),
    )
    op.create_index("ix_page_indicators_indicator", "page_indicators", ["indicator_id"])
    op.create_table(
        "report_indicators",
        sa.Column("report_pk", sa.Integer, primary_key=True),
        sa.Column("indicator_id", sa.Integer, primary_key=True),
    )
    op.create_index("ix_report_indicators_indicator", "report_indicators", ["indicator_id"])
    # Staff decisions the automatic grouping must keep: two pages joined by hand ("merge").
    op.create_table(
        "network_overrides",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("page_a", sa.Integer, nullable=False),
        sa.Column("page_b", sa.Integer, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("at", T, nullable=False),
    )
    op.create_table(
        "drafts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("network_id", sa.Integer, nullable=False),
        sa.Column("rule_id", sa.String(64), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("created_at", T, nullable=False),
        sa.Column("yaml", sa.Text, nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False),
        sa.Column("checks", sa.Text, nullable=False),
    )
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("page_id", sa.Integer))
    op.create_index("ix_reports_page", "reports", ["page_id", "received_at"])


def downgrade():
    raise NotImplementedError("the hub's data is never downgraded; restore a backup instead")
