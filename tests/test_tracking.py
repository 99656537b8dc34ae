"""Delivery outlook (app/orders/tracking.py): calendar days in the shop's zone, as a table."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from app.orders.tracking import delivery_outlook

UTC = timezone.utc
JHB = ZoneInfo("Africa/Johannesburg")
DUE = datetime(2026, 11, 4, 10, 0, tzinfo=UTC)  # Wednesday


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=UTC)


@pytest.mark.parametrize("delivered, now, status", [
    (at(3), at(10), "Early"),
    (at(4, 20), at(10), "On-Time"),  # later on the expected day is still on time
    (at(5), at(10), "Delayed"),
    (at(3, 22), at(10), "On-Time"),  # 22:00 UTC on the 3rd is already the 4th in Johannesburg ...
    (None, at(3), "On-Time"),
    (None, at(4, 21), "On-Time"),
    (None, at(4, 22), "Delayed"),  # ... and 22:00 UTC on the 4th is the 5th there
])
def test_delay_status(delivered, now, status):
    outlook = delivery_outlook(expected=DUE, delivered=delivered, now=now, zone=JHB)
    assert outlook.status == status
    assert outlook.date == (delivered or DUE)


def test_weekday_is_the_shops_day():
    outlook = delivery_outlook(expected=at(4, 23), delivered=None, now=at(1), zone=JHB)
    assert outlook.day == "Thursday"  # 23:00 UTC Wednesday is 01:00 Thursday in Johannesburg


def test_nothing_expected_or_not_delivering_has_no_status():
    assert delivery_outlook(expected=None, delivered=None, now=at(1), zone=JHB).status is None
    cancelled = delivery_outlook(expected=DUE, delivered=None, now=at(9), zone=JHB, delivering=False)
    assert (cancelled.date, cancelled.day, cancelled.status) == (None, None, None)
