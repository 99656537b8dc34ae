"""Money rules shared by the demo shop and the bulk generator, so both produce totals that add up.

Prices include 15% VAT (South Africa), so tax is the part of an amount already inside it:
``tax = amount × 15/115`` rounded to cents. Money is Decimal, never float.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
VAT_RATE = Decimal("15.00")
_VAT_SHARE = VAT_RATE / (Decimal("100") + VAT_RATE)  # 15/115

# Fixed demo exchange rates (rand per unit), so foreign-currency orders stay deterministic.
RAND_PER = {"ZAR": Decimal("1"), "USD": Decimal("18.50"), "EUR": Decimal("20.00")}

DELIVERY_FEES = {"STANDARD": Decimal("65.00"), "EXPRESS": Decimal("120.00")}
FREE_DELIVERY_FROM = Decimal("1500.00")  # rand


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def included_tax(amount: Decimal) -> Decimal:
    """The VAT inside a VAT-inclusive amount."""
    return cents(amount * _VAT_SHARE)


def convert(rand: Decimal, currency: str) -> Decimal:
    """A rand price in ``currency``, rounded to cents (demo rates, not live ones)."""
    return cents(rand / RAND_PER[currency])


def delivery_fee(subtotal: Decimal, *, currency: str, fulfilment: str, delivery: str) -> Decimal:
    """Collection is free; delivery is free from R1,500 (in the order's currency), else a flat fee."""
    if fulfilment != "DELIVERY":
        return ZERO
    if subtotal >= convert(FREE_DELIVERY_FROM, currency):
        return ZERO
    return convert(DELIVERY_FEES[delivery], currency)
