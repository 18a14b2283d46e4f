"""The hub's first schema: staff, sessions, enrolled companions, reports with
their captures, notes, and the append-only audit log.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

T = sa.String(40)  # ISO-8601 UTC text, millisecond precision: sorts as time


def upgrade():
    op.create_table("hub_meta", sa.Column("key", sa.String(64), primary_key=True),
                    sa.Column("value", sa.Text, nullable=False))
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("totp_secret", sa.String(64)),
        sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
        sa.Column("locked_until", T),
        sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", T, nullable=False),
    )
    op.create_table(
        "sessions",
        sa.Column("token_sha256", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", T, nullable=False),
        sa.Column("last_seen", T, nullable=False),
        sa.Column("expires_at", T, nullable=False),
    )
    op.create_table(
        "companions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("code_sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", T, nullable=False),
        sa.Column("revoked_at", T),
        sa.Column("last_seen", T),
    )
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("report_id", sa.String(64), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("prev", sa.String(64), nullable=False),
        sa.Column("chain_head", sa.String(64), nullable=False),
        sa.Column("created", T, nullable=False),
        sa.Column("received_at", T, nullable=False),
        sa.Column("companion_id", sa.Integer, sa.ForeignKey("companions.id")),
        sa.Column("priority", sa.Integer, nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("url_sha256", sa.String(64), nullable=False),
        sa.Column("site", sa.String(255), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("lang", sa.String(16), nullable=False),
        sa.Column("categories", sa.String(400), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("severity_rank", sa.Integer, nullable=False),
        sa.Column("rules", sa.Text, nullable=False),
        sa.Column("units", sa.Integer, nullable=False),
        sa.Column("record", sa.Text, nullable=False),
        sa.Column("evidence_ok", sa.Boolean, nullable=False),
        sa.Column("evidence_detail", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("dismiss_reason", sa.String(32)),
        sa.Column("status_at", T, nullable=False),
        sa.Column("assignee_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("search", sa.Text, nullable=False),
        sa.Column("sender", sa.String(64), nullable=False),
    )
    op.create_index("ix_reports_queue", "reports", ["status", "priority", "received_at"])
    op.create_index("ix_reports_received", "reports", ["priority", "received_at"])
    op.create_index("ix_reports_site", "reports", ["site", "received_at"])
    op.create_index("ix_reports_assignee", "reports", ["assignee_id", "received_at"])
    op.create_index("ix_reports_severity", "reports", ["severity_rank", "received_at"])
    op.create_index("ix_reports_url", "reports", ["url_sha256"])
    op.create_index("ix_reports_chain", "reports", ["prev"])
    op.create_table(
        "captures",
        sa.Column("report_pk", sa.Integer, sa.ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("mime", sa.String(32), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "notes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("report_pk", sa.Integer, sa.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("author", sa.String(64), nullable=False),
        sa.Column("created_at", T, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
    )
    op.create_index("ix_notes_report", "notes", ["report_pk"])
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", T, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(48), nullable=False),
        sa.Column("report_pk", sa.Integer),  # no foreign key: the trail outlives a deleted report
        sa.Column("target", sa.String(200)),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("ip", sa.String(64)),
    )
    op.create_index("ix_audit_report", "audit", ["report_pk", "id"])
    _append_only("audit")


def _append_only(table):
    # The database itself refuses to change or remove an audit row.
    if op.get_bind().dialect.name == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")
    else:
        op.execute(f"CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
                   f"BEGIN RAISE EXCEPTION '{table} is append-only'; END $$")
        op.execute(f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
                   f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()")
        op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()")


def downgrade():
    raise NotImplementedError("the hub's data is never downgraded; restore a backup instead")
