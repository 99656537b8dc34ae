"""Command-line tools: ``flask --app wsgi <command>``."""
from __future__ import annotations

import click
import sqlalchemy as sa
from flask import Flask

from app.extensions import db


def register(app: Flask) -> None:
    from app.reports.commands import register_commands as register_report_commands

    register_report_commands(app)

    @app.cli.command("demo-data")
    @click.option("--orders", type=int, default=None, help="Generate a large shop with this many orders (bulk).")
    @click.option("--seed", type=int, default=20261122, show_default=True, help="Random seed (deterministic output).")
    @click.option("--if-empty", is_flag=True, help="Do nothing when the database already has orders.")
    def demo_data(orders: int | None, seed: int, if_empty: bool) -> None:
        """Load the demo shop (about 2,000 orders), or ORDERS orders for benchmarks."""
        from app.demo import load_demo_shop
        from app.models import Order

        if if_empty and db.session.scalar(sa.select(Order.id).limit(1)) is not None:
            click.echo("Database already has orders; demo data not loaded.")
            return
        summary = load_demo_shop(orders=orders, seed=seed, echo=click.echo)
        click.echo(summary)

    @app.cli.command("create-user")
    @click.option("--email", required=True)
    @click.option("--name", required=True)
    @click.option("--role", type=click.Choice(["staff", "manager", "admin"]), default="staff")
    @click.option("--branch", "branches", multiple=True, help="Branch code (repeatable).")
    @click.password_option()
    def create_user(email: str, name: str, role: str, branches: tuple[str, ...], password: str) -> None:
        """Create a staff account."""
        from app.models import Branch, StaffRole, StaffUser

        email = email.strip().lower()
        if db.session.scalar(sa.select(StaffUser.id).where(sa.func.lower(StaffUser.email) == email)):
            raise click.ClickException(f"An account for {email} exists already.")
        found = list(db.session.scalars(sa.select(Branch).where(Branch.code.in_(branches))))
        if unknown := sorted(set(branches) - {b.code for b in found}):
            raise click.ClickException(f"Unknown branch code(s): {', '.join(unknown)}.")
        user = StaffUser(email=email, name=name, role=StaffRole(role), branches=found)
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
        click.echo(f"Created {role} {email} ({len(found)} branch{'es' if len(found) != 1 else ''}).")

    @app.cli.command("branch-timezone")
    @click.argument("code")
    @click.argument("zone", required=False)
    @click.option("--clear", is_flag=True, help="Use the shop's zone (SHOP_TIMEZONE) again.")
    def branch_timezone(code: str, zone: str | None, clear: bool) -> None:
        """Show or set the time zone of branch CODE (ZONE: an IANA name such as Europe/London); its order
        pages show times in it. Lists, filters and exports keep SHOP_TIMEZONE."""
        from app.localtime import UnknownTimeZone
        from app.models import Branch

        branch = db.session.scalar(sa.select(Branch).where(Branch.code == code))
        if branch is None:
            raise click.ClickException(f"Unknown branch code: {code}.")
        if zone or clear:
            try:
                branch.timezone = None if clear else zone
            except UnknownTimeZone as exc:
                raise click.ClickException(str(exc)) from None
            db.session.commit()
        shop = "" if branch.timezone else " (the shop's SHOP_TIMEZONE)"
        click.echo(f"{branch.code}: {branch.zone.key}{shop}")
