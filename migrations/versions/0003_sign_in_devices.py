"""sign-in throttling per trusted device

Revision ID: 0003_sign_in_devices
Revises: 0002
Create Date: 2026-11-29 09:00:00

sign_in_attempts.device: the nonce of the device cookie a failed sign-in presented (NULL for an untrusted
client), so a trusted browser's failures are counted on their own and never lock the account for others
(OWASP "Slow Down Online Guessing Attacks with Device Cookies"; see app/auth/ratelimit.py).
"""
from alembic import op
import sqlalchemy as sa

revision = '0003_sign_in_devices'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sign_in_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('device', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_sign_in_attempts_device'), ['device'], unique=False)


def downgrade():
    with op.batch_alter_table('sign_in_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_attempts_device'))
        batch_op.drop_column('device')
