"""Scans know which engines ran, findings which scans can see them and which proof they are
joined with; users beyond the first admin; monitor targets added through the API

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Scans stored before this revision fixed every unseen finding, whatever their engine.
    with op.batch_alter_table("scans") as batch_op:
        batch_op.add_column(
            sa.Column("scope", sa.String(length=10), server_default="both", nullable=False)
        )
    with op.batch_alter_table("findings") as batch_op:
        batch_op.add_column(
            sa.Column("side", sa.String(length=10), server_default="static", nullable=False)
        )
        batch_op.add_column(sa.Column("joined_to_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_findings_joined_to_id_findings"),
            "findings",
            ["joined_to_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_unique_constraint(batch_op.f("uq_findings_joined_to_id"), ["joined_to_id"])
    _classify_findings()
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(
            sa.Column("admin", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("disabled_at", sa.DateTime(), nullable=True))
    # Until now the only user was the first admin.
    op.execute(sa.text("UPDATE users SET admin = :yes").bindparams(yes=True))
    op.create_table(
        "monitor_targets",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_monitor_targets")),
    )


def _classify_findings() -> None:
    """A stored proof with no code location is on the dynamic side (read in Python: JSON
    operators differ between SQLite and PostgreSQL)."""
    findings = sa.table(
        "findings", sa.column("id", sa.Integer), sa.column("data", sa.JSON), sa.column("side")
    )
    connection = op.get_bind()
    dynamic = [
        row.id
        for row in connection.execute(sa.select(findings.c.id, findings.c.data))
        if row.data.get("engine") == "dynamic" and row.data.get("location") is None
    ]
    for start in range(0, len(dynamic), 500):
        connection.execute(
            findings.update()
            .where(findings.c.id.in_(dynamic[start : start + 500]))
            .values(side="dynamic")
        )


def downgrade() -> None:
    op.drop_table("monitor_targets")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("disabled_at")
        batch_op.drop_column("admin")
    with op.batch_alter_table("findings") as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_findings_joined_to_id"), type_="unique")
        batch_op.drop_constraint(
            batch_op.f("fk_findings_joined_to_id_findings"), type_="foreignkey"
        )
        batch_op.drop_column("joined_to_id")
        batch_op.drop_column("side")
    with op.batch_alter_table("scans") as batch_op:
        batch_op.drop_column("scope")
