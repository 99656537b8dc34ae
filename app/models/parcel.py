"""Parcels: the shipping side of orders. One order may have many parcels; one parcel may carry items
of many orders (batch shipping), linked through ParcelItem."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.order import ActorType
from app.models.types import EventColumns, JSONType, UTCDateTime, created_ts, str_enum, updated_ts
from app.parcels.status import ParcelMethod, ParcelStatus


class Parcel(db.Model):
    __tablename__ = "parcels"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)  # PCL-2026-000045
    branch_id: Mapped[int] = mapped_column(sa.ForeignKey("branches.id"), index=True)
    method: Mapped[ParcelMethod] = mapped_column(str_enum(ParcelMethod, 16))
    status: Mapped[ParcelStatus] = mapped_column(str_enum(ParcelStatus), default=ParcelStatus.OPEN, index=True)
    courier: Mapped[str | None] = mapped_column(sa.String(80))
    driver_name: Mapped[str | None] = mapped_column(sa.String(120))
    driver_phone: Mapped[str | None] = mapped_column(sa.String(40))
    tracking_number: Mapped[str | None] = mapped_column(sa.String(80), index=True)
    tracking_url: Mapped[str | None] = mapped_column(sa.String(500))
    recipient_name: Mapped[str | None] = mapped_column(sa.String(160))
    recipient_phone: Mapped[str | None] = mapped_column(sa.String(40))
    recipient_address: Mapped[dict | None] = mapped_column(JSONType)
    collection_point: Mapped[str | None] = mapped_column(sa.String(160))  # where a driver or customer collects
    collection_code: Mapped[str | None] = mapped_column(sa.String(12))  # shown by the customer at the counter
    weight_grams: Mapped[int | None]
    estimated_delivery_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[created_ts]
    updated_at: Mapped[updated_ts]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_users.id"))
    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version}

    branch = relationship("Branch")
    items: Mapped[list[ParcelItem]] = relationship(back_populates="parcel", order_by="ParcelItem.id")
    events: Mapped[list[ParcelEvent]] = relationship(back_populates="parcel", order_by="ParcelEvent.id.desc()")


class ParcelItem(db.Model):
    __tablename__ = "parcel_items"
    __table_args__ = (sa.UniqueConstraint("parcel_id", "order_item_id", name="uq_parcel_items_parcel_item"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    parcel_id: Mapped[int] = mapped_column(sa.ForeignKey("parcels.id", ondelete="CASCADE"), index=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), index=True)  # denormalised for lookups
    order_item_id: Mapped[int] = mapped_column(sa.ForeignKey("order_items.id"), index=True)
    quantity: Mapped[int]
    parcel: Mapped[Parcel] = relationship(back_populates="items")
    order_item = relationship("OrderItem")


class ParcelEvent(EventColumns, db.Model):
    __tablename__ = "parcel_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    parcel_id: Mapped[int] = mapped_column(sa.ForeignKey("parcels.id", ondelete="CASCADE"), index=True)
    actor_type: Mapped[ActorType] = mapped_column(str_enum(ActorType, 16))
    location: Mapped[str | None] = mapped_column(sa.String(160))
    parcel: Mapped[Parcel] = relationship(back_populates="events")
