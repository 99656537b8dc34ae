"""Refund statuses, scenarios S1–S5 and destinations, and the refund's allowed transitions."""
from __future__ import annotations

import enum

from app.labels import sentence_case
from app.statemachine import SYS, M, StateMachine


class RefundStatus(enum.StrEnum):
    REQUESTED = "REQUESTED"  # worked out and waiting for a manager
    APPROVED = "APPROVED"  # approved; money about to move
    COMPLETED = "COMPLETED"  # money moved (wallet credited, voucher issued, external confirmed)
    REJECTED = "REJECTED"  # a manager turned it down
    FAILED = "FAILED"  # the money could not be moved; may be retried

    @property
    def label(self) -> str:
        return sentence_case(self.value)


class RefundScenario(enum.StrEnum):
    S1 = "S1"  # store can't fulfil (no stock, weather, no driver): items + delivery fee
    S2 = "S2"  # customer not available at delivery: items, delivery fee kept
    S3 = "S3"  # customer rejects (wrong items, damaged): items + delivery fee
    S4 = "S4"  # store issues a voucher (e.g. delayed delivery compensation)
    S5 = "S5"  # POS or loyalty refund, handled outside Order Desk

    @property
    def refunds_delivery_fee(self) -> bool:
        return self in (RefundScenario.S1, RefundScenario.S3)


class RefundDestination(enum.StrEnum):
    WALLET = "WALLET"  # credit on the customer's wallet
    VOUCHER = "VOUCHER"  # store-credit voucher
    EXTERNAL = "EXTERNAL"  # back through the original payment, POS or loyalty system


R = RefundStatus
REFUND_MACHINE = StateMachine(
    "refund",
    {
        R.REQUESTED: {R.APPROVED: {M}, R.REJECTED: {M}},
        R.APPROVED: {R.COMPLETED: {M, SYS}, R.FAILED: {SYS}},
        R.FAILED: {R.APPROVED: {M}},
        R.COMPLETED: {},
        R.REJECTED: {},
    },
)
