"""Who does something: a staff user, a customer, a sales channel or the system itself.

Domain functions take an ``Actor`` so they never reach for Flask's ``current_user``.
"""
from __future__ import annotations

from dataclasses import dataclass

from app.models.order import ActorType
from app.statemachine import Role


@dataclass(frozen=True)
class Actor:
    type: ActorType
    role: Role
    label: str
    staff_id: int | None = None
    customer_id: int | None = None

    @classmethod
    def staff(cls, user) -> Actor:
        return cls(ActorType.STAFF, user.machine_role, user.name, staff_id=user.id)

    @classmethod
    def customer(cls, customer) -> Actor:
        return cls(ActorType.CUSTOMER, Role.CUSTOMER, customer.name, customer_id=customer.id)

    @classmethod
    def channel(cls, name: str) -> Actor:
        return cls(ActorType.CHANNEL, Role.CHANNEL, name)

    @classmethod
    def system(cls, label: str = "Order Desk") -> Actor:
        return cls(ActorType.SYSTEM, Role.SYSTEM, label)

    def stamp(self) -> dict:
        """Columns every event table shares."""
        return {"actor_type": self.type, "staff_id": self.staff_id, "actor_label": self.label}
