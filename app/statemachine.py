"""A tiny, table-driven state machine shared by orders, parcels, quotes and refunds.

Each area's ``status.py`` declares its states and a map ``{from: {to: roles}}``; this module only
answers "may this role move from A to B?" and raises a domain error when it may not.
"""
from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping

from app.exceptions import InvalidTransition


class Role(enum.StrEnum):
    """Who asks for a move. Staff roles nest: admin ⊃ manager ⊃ staff."""

    STAFF = "staff"
    MANAGER = "manager"
    ADMIN = "admin"
    CUSTOMER = "customer"
    CHANNEL = "channel"
    SYSTEM = "system"  # the application itself, e.g. all parcels delivered -> order FULFILLED


# A role may also make every move granted to the roles it includes.
_INCLUDES: dict[Role, frozenset[Role]] = {
    Role.STAFF: frozenset({Role.STAFF}),
    Role.MANAGER: frozenset({Role.STAFF, Role.MANAGER}),
    Role.ADMIN: frozenset({Role.STAFF, Role.MANAGER, Role.ADMIN}),
    Role.CUSTOMER: frozenset({Role.CUSTOMER}),
    Role.CHANNEL: frozenset({Role.CHANNEL}),
    Role.SYSTEM: frozenset({Role.SYSTEM}),
}

S, M, C, CH, SYS = Role.STAFF, Role.MANAGER, Role.CUSTOMER, Role.CHANNEL, Role.SYSTEM


class StateMachine:
    def __init__(self, name: str, transitions: Mapping[enum.Enum, Mapping[enum.Enum, Iterable[Role]]]):
        self.name = name
        self.transitions = {
            src: {dst: frozenset(roles) for dst, roles in moves.items()} for src, moves in transitions.items()
        }

    def roles_for(self, src, dst) -> frozenset[Role]:
        return self.transitions.get(src, {}).get(dst, frozenset())

    def can(self, src, dst, role: Role) -> bool:
        return bool(self.roles_for(src, dst) & _INCLUDES[role])

    def targets(self, src, role: Role | None = None) -> list:
        """States reachable from ``src`` in one move (by ``role`` when given), in declaration order."""
        moves = self.transitions.get(src, {})
        return [dst for dst, roles in moves.items() if role is None or roles & _INCLUDES[role]]

    def is_terminal(self, state) -> bool:
        return not self.transitions.get(state)

    def check(self, src, dst, role: Role) -> None:
        if dst not in self.transitions.get(src, {}):
            raise InvalidTransition(self.name, src, dst)
        if not self.can(src, dst, role):
            raise InvalidTransition(self.name, src, dst, role=role)
