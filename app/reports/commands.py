"""``flask --app wsgi export-cleanup``: run it periodically (cron, systemd timer, or ``rq cron``)."""
from __future__ import annotations

import click
from flask import Flask


def register_commands(app: Flask) -> None:
    @app.cli.command("export-cleanup")
    def export_cleanup() -> None:
        """Delete export files older than EXPORT_RETENTION_DAYS and fail exports whose worker died."""
        from app.jobs import cleanup_exports

        expired, leftovers = cleanup_exports()
        click.echo(f"{expired} expired export(s) removed, {leftovers} leftover file(s) deleted.")
