"""Command-line tools: creating staff accounts."""
from __future__ import annotations

import sqlalchemy as sa

from app.models import StaffRole, StaffUser


def create_user(app, *args):
    return app.test_cli_runner().invoke(args=["create-user", *args, "--password", "s3cret-pass"])


def test_create_user_with_branches(app, db, shop):
    result = create_user(app, "--email", "New@Shop.test", "--name", "Nia New", "--role", "manager",
                         "--branch", "CPT", "--branch", "STB")
    assert result.exit_code == 0, result.output
    assert "Created manager new@shop.test (2 branches)." in result.output
    user = db.session.scalar(sa.select(StaffUser).where(StaffUser.email == "new@shop.test"))
    assert user.role == StaffRole.MANAGER and sorted(b.code for b in user.branches) == ["CPT", "STB"]
    assert user.check_password("s3cret-pass")


def test_create_user_refuses_unknown_branches_and_duplicates(app, db, shop):
    result = create_user(app, "--email", "x@shop.test", "--name", "X", "--branch", "NOPE")
    assert result.exit_code == 1 and "Unknown branch code(s): NOPE." in result.output
    result = create_user(app, "--email", "STAFF1@shop.test", "--name", "Again")
    assert result.exit_code == 1 and "exists already" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StaffUser)) == 4
