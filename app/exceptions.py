"""Domain errors. Routes turn these into form errors or JSON error envelopes."""
from __future__ import annotations


class DomainError(Exception):
    """Base for every rule the domain refuses. ``code`` is stable for API clients."""

    code = "domain_error"
    status = 409

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidTransition(DomainError):
    code = "invalid_transition"

    def __init__(self, machine: str, src, dst, role=None):
        src_v, dst_v = getattr(src, "value", src), getattr(dst, "value", dst)
        article = "an" if machine[:1].lower() in "aeiou" else "a"
        if role is None:
            message = f"{article.capitalize()} {machine} cannot move from {src_v} to {dst_v}."
        else:
            message = f"You are not allowed to move {article} {machine} from {src_v} to {dst_v}."
        super().__init__(message)
        self.src, self.dst, self.role = src, dst, role


class StaleObject(DomainError):
    code = "stale"

    def __init__(self, what: str = "record"):
        super().__init__(f"This {what} was changed by someone else meanwhile. Reload and try again.")


class ValidationFailed(DomainError):
    code = "invalid"
    status = 400

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field



class CancellationRefused(DomainError):
    """A customer may not cancel this order (packed, paid, delivered ...); the message says why."""

    code = "cannot_cancel"
    status = 400
    api_status = 400


class ReturnAlreadyRequested(DomainError):
    """An open return request already covers one of the items."""

    code = "return_exists"
    status = 409
