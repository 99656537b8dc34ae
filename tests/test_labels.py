"""One label per code: the same case and spelling on every page, chip, badge, message and export file."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.exceptions import InvalidTransition
from app.labels import Labelled, label_of, sentence_case
from app.models import ExportStatus, SalesChannel
from app.models.order import ActorType, OrderEventType, PaymentProvider, PaymentState
from app.models.refund import ReturnStatus
from app.orders.status import DeliveryMethod, FulfilmentMethod, ItemStatus, OrderStatus, PaymentStatus
from app.parcels.status import ParcelMethod, ParcelStatus
from app.quotes.status import QuoteStatus
from app.refunds.status import RefundStatus
from app.reports.columns import label_sql
from tests import factories

READ_BY_PEOPLE = [OrderStatus, PaymentStatus, ItemStatus, FulfilmentMethod, DeliveryMethod, SalesChannel,
                  PaymentProvider, PaymentState, ActorType, OrderEventType, ParcelStatus, ParcelMethod, QuoteStatus,
                  RefundStatus, ReturnStatus, ExportStatus]
EXCEPTIONS = {SalesChannel.UBER_EATS: "Uber Eats", PaymentProvider.COD: "Cash on delivery", PaymentProvider.EFT: "EFT"}


@pytest.mark.parametrize("code, label", [
    (OrderStatus.DELIVERY_READY, "Delivery ready"),
    (OrderStatus.PARTIALLY_REFUNDED, "Partially refunded"),
    (PaymentStatus.PARTIALLY_PAID, "Partially paid"),
    (ItemStatus.RETURN_REQUESTED, "Return requested"),
    (ParcelStatus.COLLECTED_BY_DRIVER, "Collected by driver"),
    (FulfilmentMethod.COLLECTION, "Collection"),
    (SalesChannel.UBER_EATS, "Uber Eats"),
    (SalesChannel.TAKEALOT, "Takealot"),
    (PaymentState.COMPLETED, "Completed"),
    (OrderEventType.STATUS_CHANGED, "Status changed"),
    ("DELIVERY-READY", "Delivery ready"),  # a bare code, as an event's from_status holds it
    (None, "—"),
])
def test_label_of(code, label):
    assert label_of(code) == label


@pytest.mark.parametrize("enum_cls", READ_BY_PEOPLE, ids=lambda e: e.__name__)
def test_every_code_people_read_has_one_sentence_case_label(enum_cls):
    for member in enum_cls:
        assert member.label == EXCEPTIONS.get(member, sentence_case(member.value)) == label_of(member)
    assert len({m.label for m in enum_cls}) == len(enum_cls)  # no two codes read the same
    assert issubclass(enum_cls, Labelled) or "label" in vars(enum_cls)


def test_error_messages_name_statuses_by_their_labels():
    exc = InvalidTransition("order", OrderStatus.REFUNDED, OrderStatus.DELIVERY_READY)
    assert exc.message == "An order cannot move from Refunded to Delivery ready."


@pytest.mark.parametrize("enum_cls", [OrderStatus, PaymentStatus, ItemStatus, FulfilmentMethod, DeliveryMethod,
                                      SalesChannel], ids=lambda e: e.__name__)
def test_the_sql_label_of_exports_is_the_label_of_the_pages(db, enum_cls):
    values = [m.value for m in enum_cls] + ["SOMETHING-NEW"]
    codes = sa.union_all(*[sa.select(sa.literal(v, sa.String).label("code")) for v in values]).subquery()
    stmt = sa.select(codes.c.code, label_sql(codes.c.code, enum_cls))
    got = dict(db.session.execute(stmt).all())
    assert got == {**{m.value: m.label for m in enum_cls}, "SOMETHING-NEW": "SOMETHING-NEW"}


def visible_text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_pages_chips_badges_and_flash_messages_show_the_same_labels(client, auth, shop):
    # given an order whose codes all have two-word labels
    order = factories.make_order(shop.branch1, status=OrderStatus.PROCESSING, channel=SalesChannel.UBER_EATS,
                                 fulfilment_method=FulfilmentMethod.COLLECTION)
    factories.db.session.commit()
    auth.login(shop.manager.email)
    # when it is moved on from its page
    token = factories.csrf_token(client, f"/orders/{order.id}")
    r = client.post(f"/orders/{order.id}/status", data={"status": "DELIVERY-READY", "version": "1",
                                                        "csrf_token": token}, follow_redirects=True)
    # then the flash message, the badge and the timeline say "Delivery ready"
    detail = visible_text(r.get_data(as_text=True))
    assert f"Order {order.code} is now Delivery ready." in detail
    assert detail.count("Delivery ready") >= 3  # flash, badge, timeline
    assert "Uber Eats" in detail and "Collection" in detail
    # the list: badge, filter chips and options
    listing = client.get("/orders?status=DELIVERY-READY&channel=UBER_EATS&method=COLLECTION").get_data(as_text=True)
    text = visible_text(listing)
    assert "Status: Delivery ready" in text and "Channel: Uber Eats" in text and "Method: Collection" in text
    assert "Partially refunded" in text  # a filter option
    # nowhere a code or another spelling of the same status
    for page in (detail, text):
        assert not re.search(r"Delivery Ready|DELIVERY-READY|UBER_EATS|Uber eats|Partially Refunded", page)
