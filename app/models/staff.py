"""Branches, branch groups and staff accounts."""
from __future__ import annotations

import enum
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.localtime import load_zone, zone_of
from app.models.types import JSONType, UTCDateTime, created_ts, str_enum
from app.statemachine import Role


class StaffRole(enum.StrEnum):
    STAFF = "staff"  # works orders of their own branches
    MANAGER = "manager"  # staff + reports, exports and refunds
    ADMIN = "admin"  # everything, every branch, user management


class BranchGroup(db.Model):
    __tablename__ = "branch_groups"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    branches: Mapped[list[Branch]] = relationship(back_populates="group", order_by="Branch.id")


class Branch(db.Model):
    __tablename__ = "branches"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("branch_groups.id"), index=True)
    currency: Mapped[str] = mapped_column(sa.String(3), default="ZAR")
    address: Mapped[dict | None] = mapped_column(JSONType)
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    is_active: Mapped[bool] = mapped_column(default=True)
    # The branch's own IANA time zone when it differs from SHOP_TIMEZONE (NULL: the shop's); its order pages
    # show times in it. Lists, filters and exports keep the shop's zone (docs/ARCHITECTURE.md "Time zones").
    timezone: Mapped[str | None] = mapped_column(sa.String(64))
    # What the customer app may choose at checkout for this branch (GET /api/v1/branches).
    delivers: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    offers_collection: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    group: Mapped[BranchGroup | None] = relationship(back_populates="branches")

    @validates("timezone")
    def _check_timezone(self, _key, value: str | None) -> str | None:
        value = (value or "").strip() or None
        if value is not None:
            load_zone(value)  # UnknownTimeZone for a name that is not a zone
        return value

    @property
    def zone(self) -> ZoneInfo:
        """The zone this branch's times are shown in."""
        return zone_of(self)

    def __repr__(self) -> str:
        return f"<Branch {self.code}>"


staff_branches = sa.Table(
    "staff_branches",
    db.metadata,
    sa.Column("staff_id", sa.ForeignKey("staff_users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("branch_id", sa.ForeignKey("branches.id", ondelete="CASCADE"), primary_key=True),
)


class StaffUser(UserMixin, db.Model):
    __tablename__ = "staff_users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    role: Mapped[StaffRole] = mapped_column(str_enum(StaffRole, 16), default=StaffRole.STAFF)
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped on sign-out and password change: old session cookies stop working.
    session_token: Mapped[str] = mapped_column(sa.String(64), default="")
    preferences: Mapped[dict] = mapped_column(JSONType, default=dict)
    created_at: Mapped[created_ts]
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    branches: Mapped[list[Branch]] = relationship(secondary=staff_branches, order_by="Branch.id")

    # --- Flask-Login -------------------------------------------------------------
    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    # --- passwords ---------------------------------------------------------------
    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    # --- rights ------------------------------------------------------------------
    @property
    def machine_role(self) -> Role:
        return Role(self.role.value)

    @property
    def is_manager(self) -> bool:
        return self.role in (StaffRole.MANAGER, StaffRole.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == StaffRole.ADMIN

    @property
    def sees_all_branches(self) -> bool:
        return self.is_admin

    @property
    def branch_ids(self) -> list[int]:
        return [b.id for b in self.branches]

    def __repr__(self) -> str:
        return f"<StaffUser {self.email} {self.role}>"


class SignInAttempt(db.Model):
    """One failed sign-in; used to slow down guessing per account, per address and per trusted device."""

    __tablename__ = "sign_in_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), index=True)
    ip: Mapped[str] = mapped_column(sa.String(64), index=True)
    # The nonce of the device cookie the browser presented for this account (see app/auth/devices.py);
    # NULL for an untrusted client.
    device: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    created_at: Mapped[created_ts] = mapped_column(index=True)


class SavedView(db.Model):
    """A named set of order-list filters. user_id NULL = a default shown to everyone."""

    __tablename__ = "saved_views"
    __table_args__ = (
        sa.Index("uq_saved_views_user_id_name", "user_id", "name", unique=True),
        sa.Index("uq_saved_views_default_name", "name", unique=True,
                 postgresql_where=sa.text("user_id IS NULL"), sqlite_where=sa.text("user_id IS NULL")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    query_string: Mapped[str] = mapped_column(sa.Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[created_ts]
