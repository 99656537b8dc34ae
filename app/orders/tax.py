"""The VAT of an order, per rate: what a tax invoice and the customer app show.

Prices include VAT, so the tax is the part of what the customer actually pays that is VAT:
``tax = paid × rate / (100 + rate)``. "Actually pays" means after the order discount, which is spread over the
lines in proportion to their value (to the cent; the shares add up to the discount exactly), so a discount
lowers the VAT of the rates it falls on. The delivery fee's VAT is a line of its own when the fee is taxed.

Pure: reads the stored order (items' ``line_total`` and ``tax_rate``, the order's ``discount_total`` and
``delivery_fee``) and nothing else. ``line_total`` is the line's price before the order discount, as stored by
the demo shop, the factories and checkout. The total tax is the sum of the parts, so the parts always add up.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal("100")


@dataclass(frozen=True)
class TaxLine:
    key: str  # "VAT", or "VAT (delivery)" for the delivery fee's VAT
    rate: Decimal  # percentage, e.g. 15.00
    gross: Decimal  # the VAT-inclusive amount paid at this rate (after discount)
    tax: Decimal  # the VAT inside ``gross``

    @property
    def net(self) -> Decimal:
        return self.gross - self.tax

    @property
    def percentage(self) -> str:
        return f"{self.rate:.2f}%"


@dataclass(frozen=True)
class TaxBreakdown:
    lines: tuple[TaxLine, ...]
    line_discounts: tuple[Decimal, ...]  # the order discount's share of each item, in item order

    @property
    def total(self) -> Decimal:
        return sum((line.tax for line in self.lines), ZERO)


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def included_tax(gross: Decimal, rate: Decimal) -> Decimal:
    """The VAT inside a VAT-inclusive amount."""
    if not rate:
        return ZERO
    return cents(gross * rate / (HUNDRED + rate))


def spread(amount: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """``amount`` shared over ``weights`` in proportion, in cents, adding up to ``amount`` exactly (largest
    remainder: each share is rounded down, and the cents left go to the largest remainders, earliest first).
    Meant for ``0 <= amount <= sum(weights)``: then no share exceeds its weight."""
    total = sum(weights, ZERO)
    if total <= 0:
        return [ZERO] * len(weights)
    exact = [amount * w / total for w in weights]
    shares = [e.quantize(CENT, rounding=ROUND_FLOOR) for e in exact]
    left = int((amount - sum(shares, ZERO)) / CENT)
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in by_remainder[:left]:
        shares[i] += CENT
    return shares


def tax_breakdown(items, *, discount: Decimal, delivery_fee: Decimal,
                  delivery_tax_rate: Decimal = Decimal("15")) -> TaxBreakdown:
    """The VAT per rate of an order's ``items`` (objects with ``line_total`` and ``tax_rate``) after the order
    ``discount``, then the delivery fee's VAT at ``delivery_tax_rate`` (a line of its own; none when the fee
    or the rate is zero). Rates appear highest first."""
    items = list(items)
    gross_of = [Decimal(i.line_total) for i in items]
    discount = min(max(Decimal(discount), ZERO), sum(gross_of, ZERO))
    shares = spread(discount, gross_of)
    paid_by_rate: dict[Decimal, Decimal] = {}
    for item, gross, share in zip(items, gross_of, shares):
        rate = Decimal(item.tax_rate or 0).quantize(CENT)
        paid_by_rate[rate] = paid_by_rate.get(rate, ZERO) + gross - share
    lines = [TaxLine("VAT", rate, paid, included_tax(paid, rate))
             for rate, paid in sorted(paid_by_rate.items(), key=lambda kv: -kv[0])]
    fee, fee_rate = Decimal(delivery_fee), Decimal(delivery_tax_rate).quantize(CENT)
    if fee > 0 and fee_rate > 0:
        lines.append(TaxLine("VAT (delivery)", fee_rate, fee, included_tax(fee, fee_rate)))
    return TaxBreakdown(tuple(lines), tuple(shares))


def order_tax(order, *, delivery_tax_rate: Decimal = Decimal("15")) -> TaxBreakdown:
    """``tax_breakdown`` of a stored order."""
    return tax_breakdown(order.items, discount=order.discount_total, delivery_fee=order.delivery_fee,
                         delivery_tax_rate=delivery_tax_rate)
