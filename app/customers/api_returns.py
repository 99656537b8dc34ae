"""The customer changes their mind: cancel an order (seed 001's GET, POST too) or ask to return delivered items.

Thin endpoints: the caller's own order, locked (``for_update``) → the rules in ``app.customers.actions`` →
commit once → answer. The rules and their messages are documented in docs/STATUSES.md.
"""
from __future__ import annotations

from typing import Annotated

from flask import current_app, g
from pydantic import BaseModel, Field, StringConstraints
from spectree import Response

from app.api import bp, spec
from app.api.auth import customer_required
from app.api.envelope import ok
from app.api.schemas import DbId, Envelope, ErrorEnvelope, Strict, Timestamp, timestamp
from app.customers import actions
from app.customers.queries import customer_order_or_404
from app.customers.schemas import Order004
from app.customers.serializers import order_004
from app.extensions import db

# Free text stored as is: any character but NUL (which PostgreSQL's text refuses).
Text = Annotated[str, StringConstraints(pattern=r"^[^\x00]*$")]

ERRORS = {"HTTP_401": ErrorEnvelope, "HTTP_403": ErrorEnvelope, "HTTP_404": ErrorEnvelope,
          "HTTP_409": ErrorEnvelope, "HTTP_422": ErrorEnvelope}


class CancelQuery(Strict):
    reason: Text | None = Field(None, max_length=actions.REASON_MAX,
                               description="Why the customer cancels (optional; shown on the order's timeline).")


class ReturnIn(Strict):
    order_id: DbId
    order_items_id: list[DbId] = Field(min_length=1, max_length=200, description="Ids of the order's items.")
    return_reason: Text = Field(min_length=1, max_length=actions.REASON_MAX)
    quantities: list[Annotated[int, Field(ge=1, le=100_000)]] | None = Field(
        None, min_length=1, max_length=200,
        description="One per item in order_items_id (default: each item's remaining quantity).")


class ReturnItemOut(BaseModel):
    order_item_id: int
    sku: str
    name: str
    quantity: int


class ReturnOut(BaseModel):
    id: int
    order_id: int
    order_code: str
    status: str
    return_reason: str
    created_at: Timestamp
    items: list[ReturnItemOut]


@bp.route("/customer/order-cancel/<int:order_id>", methods=["GET", "POST"])
@customer_required
@spec.validate(query=CancelQuery, resp=Response(HTTP_200=Envelope[Order004], HTTP_400=ErrorEnvelope, **ERRORS),
               tags=["customer orders"], security={"bearer": []})
def customer_order_cancel(order_id: DbId, query: CancelQuery):
    """Cancel your order: only while nothing is packed and nothing is paid (cash on delivery, or an online
    payment not taken yet). Otherwise 400 with the reason (a paid order: request a return instead). Pending
    payments are cancelled with it. GET is accepted as seed 001 documents it; prefer POST."""
    order = customer_order_or_404(order_id, g.api_customer, for_update=True)
    actions.customer_cancel_order(order, customer=g.api_customer, reason=query.reason)
    db.session.commit()
    return ok(order_004(order), message="Order has been cancelled")


@bp.post("/customer/order/return")
@customer_required
@spec.validate(json=ReturnIn, resp=Response(HTTP_200=Envelope[ReturnOut], **ERRORS), tags=["customer orders"],
               security={"bearer": []})
def customer_order_return(json: ReturnIn):
    """Ask to return delivered (or collected) items within the return window (RETURN_WINDOW_DAYS after
    delivery). Staff review the request; the items show RETURN-REQUESTED. Items already in a request: 409."""
    order = customer_order_or_404(json.order_id, g.api_customer, for_update=True)
    request = actions.request_return(order, customer=g.api_customer, item_ids=json.order_items_id,
                                     quantities=json.quantities, reason=json.return_reason,
                                     window_days=current_app.config["RETURN_WINDOW_DAYS"])
    db.session.commit()
    return ok(return_out(request, order), message="Order return initiated successfully")


def return_out(request, order) -> dict:
    items = {i.id: i for i in order.items}
    return {"id": request.id, "order_id": order.id, "order_code": order.code, "status": request.status.value,
            "return_reason": request.reason, "created_at": timestamp(request.created_at),
            "items": [{"order_item_id": ri.order_item_id, "sku": items[ri.order_item_id].sku,
                       "name": items[ri.order_item_id].name, "quantity": ri.quantity} for ri in request.items]}
