"""branch time zone: an optional IANA zone per branch (NULL: the shop's SHOP_TIMEZONE)

Revision ID: 0004_branch_timezone
Revises: 0003_sign_in_devices
Create Date: 2026-12-02 10:00:00

The database keeps every timestamp in UTC; this only says in which zone a branch's order pages show them
(app/localtime.py, docs/ARCHITECTURE.md "Time zones").
"""
from alembic import op
import sqlalchemy as sa

revision = '0004_branch_timezone'
down_revision = '0003_sign_in_devices'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('branches', sa.Column('timezone', sa.String(length=64), nullable=True))


def downgrade():
    op.drop_column('branches', 'timezone')
