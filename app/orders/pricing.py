"""The shop's prices, VAT and delivery fees: one module, used by the basket, the checkout and the demo shop.

Prices include VAT (South Africa: 15% on most products, ``Product.tax_rate`` per product), so tax is the part
of an amount already inside it: ``tax = amount × rate / (100 + rate)``, rounded half-up to cents. The VAT of an
order is the tax inside what the customer actually pays: each line's VAT is taken after its share of the order
discount, and the delivery fee's VAT (``DELIVERY_VAT_RATE``) is added when the fee is taxed. So
``tax_total = Σ line tax + delivery tax`` exactly, and ``total = subtotal − discount + delivery_fee``.

Delivery fees (configuration, defaults are today's rules): collection is free; delivery is free from
``FREE_DELIVERY_FROM`` (R1,500) and otherwise ``DELIVERY_FEE_STANDARD`` (R65) or ``DELIVERY_FEE_EXPRESS`` (R120).
Amounts are rand; other currencies use fixed conversion rates. Money is Decimal, never float.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
VAT_RATE = Decimal("15.00")  # the standard rate, and a product's default

# Fixed exchange rates (rand per unit) for the few orders priced in another currency.
RAND_PER = {"ZAR": Decimal("1"), "USD": Decimal("18.50"), "EUR": Decimal("20.00")}


@dataclass(frozen=True)
class DeliveryRules:
    """Delivery fees in rand (configuration: ``DELIVERY_FEE_STANDARD``, ``DELIVERY_FEE_EXPRESS``,
    ``FREE_DELIVERY_FROM``, ``DELIVERY_VAT_RATE``)."""

    fees: dict[str, Decimal] = field(default_factory=lambda: {"STANDARD": Decimal("65.00"),
                                                              "EXPRESS": Decimal("120.00")})
    free_from: Decimal = Decimal("1500.00")
    vat_rate: Decimal = VAT_RATE

    @classmethod
    def from_config(cls, config) -> DeliveryRules:
        default = cls()
        return cls(
            fees={"STANDARD": Decimal(str(config.get("DELIVERY_FEE_STANDARD", default.fees["STANDARD"]))),
                  "EXPRESS": Decimal(str(config.get("DELIVERY_FEE_EXPRESS", default.fees["EXPRESS"])))},
            free_from=Decimal(str(config.get("FREE_DELIVERY_FROM", default.free_from))),
            vat_rate=Decimal(str(config.get("DELIVERY_VAT_RATE", default.vat_rate))),
        )


def current_rules() -> DeliveryRules:
    """The running app's rules (its configuration), the defaults outside an app."""
    from flask import current_app, has_app_context

    return DeliveryRules.from_config(current_app.config) if has_app_context() else DeliveryRules()


# --- arithmetic -----------------------------------------------------------------------------------

def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def included_tax(amount: Decimal, rate: Decimal = VAT_RATE) -> Decimal:
    """The VAT inside a VAT-inclusive amount."""
    return cents(amount * rate / (Decimal("100") + rate))


def convert(rand: Decimal, currency: str) -> Decimal:
    """A rand amount in ``currency``, rounded to cents."""
    return cents(rand / RAND_PER[currency])


def delivery_fee(subtotal: Decimal, *, currency: str, fulfilment: str, delivery: str,
                 rules: DeliveryRules | None = None) -> Decimal:
    """Collection is free; delivery is free from the threshold (in the order's currency), else a flat fee."""
    rules = rules or current_rules()
    if fulfilment != "DELIVERY":
        return ZERO
    if subtotal >= convert(rules.free_from, currency):
        return ZERO
    return convert(rules.fees[delivery], currency)


def delivery_tax(fee: Decimal, rules: DeliveryRules | None = None) -> Decimal:
    """The VAT inside a delivery fee (zero when deliveries are not taxed)."""
    return included_tax(fee, (rules or current_rules()).vat_rate)


# --- a basket's price -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Line:
    """What is bought: a VAT-inclusive unit price in the pricing currency, and any discount on the line."""

    quantity: int
    unit_price: Decimal
    tax_rate: Decimal = VAT_RATE
    discount: Decimal = ZERO  # on the whole line
    variant_id: int | None = None


@dataclass(frozen=True)
class PricedLine:
    line: Line
    line_total: Decimal  # unit_price × quantity − line discount
    order_discount: Decimal  # this line's share of the order discount
    tax_amount: Decimal  # VAT inside (line_total − order_discount)


@dataclass(frozen=True)
class Priced:
    currency: str
    lines: list[PricedLine]
    subtotal: Decimal  # Σ line_total
    discount: Decimal  # the order discount
    delivery_fee: Decimal
    delivery_tax: Decimal
    tax_total: Decimal  # Σ line tax + delivery tax
    total: Decimal  # subtotal − discount + delivery_fee


def price_basket(lines: Sequence[Line], *, currency: str, fulfilment: str, delivery: str,
                 order_discount: Decimal = ZERO, discount_percent: Decimal | int = 0,
                 rules: DeliveryRules | None = None) -> Priced:
    """Price ``lines``: line totals, the order discount (an amount, or a percentage of the subtotal; never more
    than the subtotal) spread over the lines, VAT per line and on the delivery fee, the fee, the total."""
    rules = rules or current_rules()
    totals = [cents(line.unit_price * line.quantity - line.discount) for line in lines]
    subtotal = sum(totals, ZERO)
    discount = cents(order_discount + subtotal * Decimal(discount_percent) / 100)
    discount = min(max(discount, ZERO), subtotal)
    shares = spread(discount, totals)
    priced = [PricedLine(line, total, share, included_tax(total - share, line.tax_rate))
              for line, total, share in zip(lines, totals, shares)]
    # The free-delivery threshold reads the goods' value before the order discount (today's rule).
    fee = delivery_fee(subtotal, currency=currency, fulfilment=fulfilment, delivery=delivery, rules=rules) \
        if lines else ZERO  # nothing to deliver
    fee_tax = included_tax(fee, rules.vat_rate)
    return Priced(currency=currency, lines=priced, subtotal=subtotal, discount=discount, delivery_fee=fee,
                  delivery_tax=fee_tax, tax_total=sum((p.tax_amount for p in priced), ZERO) + fee_tax,
                  total=subtotal - discount + fee)


def spread(amount: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """``amount`` split over ``weights`` in proportion, in cents, adding up exactly (largest remainders)."""
    whole = sum(weights, ZERO)
    if amount == ZERO or whole == ZERO:
        return [ZERO] * len(weights)
    exact = [amount * w / whole for w in weights]
    shares = [e.quantize(CENT, rounding="ROUND_DOWN") for e in exact]
    left = int((amount - sum(shares, ZERO)) / CENT)
    for k in sorted(range(len(weights)), key=lambda k: (shares[k] - exact[k], k))[:left]:
        shares[k] += CENT
    return shares
