"""The VAT of an order, per rate: what a tax invoice and the customer app show.

Prices include VAT, so the tax is the part of what the customer actually pays that is VAT:
``tax = paid × rate / (100 + rate)`` (rounded per line). "Actually pays" means after the order discount, which is spread over the
lines in proportion to their value (to the cent; the shares add up to the discount exactly), so a discount
lowers the VAT of the rates it falls on. The delivery fee's VAT is a line of its own when the fee is taxed.

Pure: reads the stored order (items' ``line_total`` and ``tax_rate``, the order's ``discount_total`` and
``delivery_fee``) and nothing else. ``line_total`` is the line's price before the order discount, as stored by
the demo shop, the factories and checkout. The total tax is the sum of the parts, so the parts always add up.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from app.orders.pricing import CENT, current_rules, included_tax, spread

ZERO = Decimal("0.00")


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


def tax_breakdown(items, *, discount: Decimal, delivery_fee: Decimal,
                  delivery_tax_rate: Decimal | None = None) -> TaxBreakdown:
    """The VAT per rate of an order's ``items`` (objects with ``line_total`` and ``tax_rate``) after the order
    ``discount``, then the delivery fee's VAT at ``delivery_tax_rate`` (a line of its own; none when the fee
    or the rate is zero; default: the pricing rules' ``DELIVERY_VAT_RATE``). Rates appear highest first.

    Each line's VAT is rounded on its own, as ``app.orders.pricing`` rounds it when the order is priced, so the
    parts add up to the order's stored ``tax_total`` for an order priced there."""
    items = list(items)
    gross_of = [Decimal(i.line_total) for i in items]
    discount = min(max(Decimal(discount), ZERO), sum(gross_of, ZERO))
    shares = spread(discount, gross_of)
    paid_by_rate: dict[Decimal, tuple[Decimal, Decimal]] = {}
    for item, gross, share in zip(items, gross_of, shares):
        rate = Decimal(item.tax_rate or 0).quantize(CENT)
        paid, tax = paid_by_rate.get(rate, (ZERO, ZERO))
        paid_by_rate[rate] = (paid + gross - share, tax + included_tax(gross - share, rate))
    lines = [TaxLine("VAT", rate, paid, tax)
             for rate, (paid, tax) in sorted(paid_by_rate.items(), key=lambda kv: -kv[0])]
    if delivery_tax_rate is None:
        delivery_tax_rate = current_rules().vat_rate
    fee, fee_rate = Decimal(delivery_fee), Decimal(delivery_tax_rate).quantize(CENT)
    if fee > 0 and fee_rate > 0:
        lines.append(TaxLine("VAT (delivery)", fee_rate, fee, included_tax(fee, fee_rate)))
    return TaxBreakdown(tuple(lines), tuple(shares))


def order_tax(order, *, delivery_tax_rate: Decimal | None = None) -> TaxBreakdown:
    """``tax_breakdown`` of a stored order."""
    return tax_breakdown(order.items, discount=order.discount_total, delivery_fee=order.delivery_fee,
                         delivery_tax_rate=delivery_tax_rate)
