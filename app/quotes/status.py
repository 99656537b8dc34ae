"""Quote statuses and their allowed transitions."""
from __future__ import annotations

import enum

from app.labels import sentence_case
from app.statemachine import SYS, C, S, StateMachine


class QuoteStatus(enum.StrEnum):
    DRAFT = "DRAFT"  # being prepared by staff
    SENT = "SENT"  # sent to the customer
    VIEWED = "VIEWED"  # the customer opened the link
    ACCEPTED = "ACCEPTED"  # the customer accepted it
    DECLINED = "DECLINED"  # the customer declined it
    EXPIRED = "EXPIRED"  # validity ran out before a decision
    CONVERTED = "CONVERTED"  # became an order

    @property
    def label(self) -> str:
        return sentence_case(self.value)


Q = QuoteStatus
QUOTE_MACHINE = StateMachine(
    "quote",
    {
        Q.DRAFT: {Q.SENT: {S}},
        Q.SENT: {Q.VIEWED: {C, SYS}, Q.ACCEPTED: {C, S}, Q.DECLINED: {C, S}, Q.EXPIRED: {SYS}, Q.DRAFT: {S}},
        Q.VIEWED: {Q.ACCEPTED: {C, S}, Q.DECLINED: {C, S}, Q.EXPIRED: {SYS}, Q.DRAFT: {S}},
        Q.ACCEPTED: {Q.CONVERTED: {S, C, SYS}},
        Q.DECLINED: {Q.DRAFT: {S}},
        Q.EXPIRED: {Q.DRAFT: {S}},
        Q.CONVERTED: {},
    },
)
