"""Background export jobs. The row is the truth the UI reads (status, progress, file)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.labels import Labelled
from app.models.types import JSONType, UTCDateTime, created_ts, str_enum


class ExportStatus(Labelled):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    FINISHED = "FINISHED"
    FAILED = "FAILED"
    EXPIRED = "EXPIRED"  # file removed after the retention period


class ExportJob(db.Model):
    __tablename__ = "export_jobs"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_users.id"), index=True)
    filters: Mapped[dict] = mapped_column(JSONType, default=dict)  # the list's query parameters
    format: Mapped[str] = mapped_column(sa.String(8))  # csv | xlsx
    shape: Mapped[str] = mapped_column(sa.String(8), default="orders")  # orders | lines
    columns: Mapped[list] = mapped_column(JSONType, default=list)
    status: Mapped[ExportStatus] = mapped_column(str_enum(ExportStatus, 16), default=ExportStatus.QUEUED, index=True)
    rows_done: Mapped[int] = mapped_column(default=0)
    rows_total: Mapped[int | None]
    file_path: Mapped[str | None] = mapped_column(sa.String(500))
    file_name: Mapped[str | None] = mapped_column(sa.String(200))
    file_size: Mapped[int | None] = mapped_column(sa.BigInteger)
    error: Mapped[str | None] = mapped_column(sa.Text)
    rq_job_id: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[created_ts]
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    user = relationship("StaffUser")
