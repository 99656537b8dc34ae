"""customer API access: latest API sign-in, latest token revocation and who revoked

Revision ID: 0008_customer_api_access
Revises: 0007_checkout
Create Date: 2026-12-02 10:00:00

customers.api_last_sign_in_at (set when a token is issued), customers.api_tokens_revoked_at and
customers.api_tokens_revoked_by_id (the admin who bumped api_token_version on /customers/<id>).
"""
from alembic import op
import sqlalchemy as sa

revision = '0008_customer_api_access'
down_revision = '0007_checkout'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('api_last_sign_in_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('api_tokens_revoked_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('api_tokens_revoked_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_customers_api_tokens_revoked_by_id_staff_users'), 'staff_users',
                                    ['api_tokens_revoked_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_customers_api_tokens_revoked_by_id_staff_users'), type_='foreignkey')
        batch_op.drop_column('api_tokens_revoked_by_id')
        batch_op.drop_column('api_tokens_revoked_at')
        batch_op.drop_column('api_last_sign_in_at')
