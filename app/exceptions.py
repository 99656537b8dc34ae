"""Domain errors. Routes turn these into form errors or JSON error envelopes."""
from __future__ import annotations

from app.labels import label_of


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
        src_v, dst_v = label_of(src), label_of(dst)
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


class RefundNeeded(DomainError):
    """Money was taken for the order: cancelling it must give the money back, which a status change cannot."""

    code = "refund_needed"

    def __init__(self, what: str = "order"):
        super().__init__(f"This {what} has completed payments: cancelling it needs a refund, which a status change "
                         "cannot make. Nothing was changed.")


class ValidationFailed(DomainError):
    code = "invalid"
    status = 400

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field



class OutOfStock(DomainError):
    """A basket line wants more than is in stock (or the product is no longer sold): 409 naming the item."""

    code = "out_of_stock"

    def __init__(self, message: str, *, variant_id: int, field: str = "items"):
        super().__init__(message)
        self.variant_id, self.field = variant_id, field


class BasketChanged(DomainError):
    """The basket's signature does not match its lines at today's prices: fetch the basket again (409)."""

    code = "basket_changed"

    def __init__(self, message: str = "The basket changed (its items or prices) since you fetched it, or the "
                                      "signature is wrong. Fetch the basket again and check out with its signature."):
        super().__init__(message)
        self.field = "signature"


class IdempotencyConflict(ValidationFailed):
    """The same idempotency key (or basket) with a different request body: 422, as Stripe answers."""

    code = "idempotency_conflict"


class CancellationRefused(DomainError):
    """A customer may not cancel this order (packed, paid, delivered ...); the message says why."""

    code = "cannot_cancel"
    status = 400
    api_status = 400


class ReturnAlreadyRequested(DomainError):
    """An open return request already covers one of the items."""

    code = "return_exists"
    status = 409
