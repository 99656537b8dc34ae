"""Test data builders: ``make_order(**overrides)`` style, consistent totals, nothing committed twice."""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from decimal import Decimal

from app.extensions import db
from app.models import (
    Branch, BranchGroup, Customer, CustomerAddress, Order, OrderItem, Payment, PaymentProvider, PaymentState,
    Product, ProductVariant, SalesChannel, StaffRole, StaffUser,
)
from app.orders.status import OrderStatus, PaymentStatus

PASSWORD = "correct horse battery"
_PASSWORD_HASH: str | None = None


def password_hash() -> str:
    """Hash the shared test password once (scrypt is deliberately slow)."""
    global _PASSWORD_HASH
    if _PASSWORD_HASH is None:
        from werkzeug.security import generate_password_hash

        _PASSWORD_HASH = generate_password_hash(PASSWORD)
    return _PASSWORD_HASH
_seq = itertools.count(1)
_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    m = _CSRF.search(html)
    if not m:
        m2 = re.search(r'"X-CSRFToken": "([^"]+)"', html)
        assert m2, "no CSRF token on the page"
        return m2.group(1)
    return m.group(1) or m.group(2)


def csrf_token(client, url: str = "/orders") -> str:
    """A valid CSRF token for ``client``'s session, read from a page as a browser would."""
    return csrf_from(client.get(url).get_data(as_text=True))


def make_branch(code: str | None = None, group: BranchGroup | None = None, **kw) -> Branch:
    n = next(_seq)
    branch = Branch(code=code or f"B{n}", name=kw.pop("name", f"Branch {code or n}"), group=group, **kw)
    db.session.add(branch)
    db.session.flush()
    return branch


def make_staff(email: str, role: StaffRole = StaffRole.STAFF, branches=(), password: str = PASSWORD, **kw) -> StaffUser:
    user = StaffUser(email=email, name=kw.pop("name", email.split("@")[0].title()), role=role,
                     branches=list(branches), **kw)
    if password == PASSWORD:
        user.password_hash = password_hash()
    else:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def make_customer(email: str | None = None, **kw) -> Customer:
    n = next(_seq)
    customer = Customer(name=kw.pop("name", f"Customer {n}"), email=email or f"customer{n}@example.test",
                        phone=kw.pop("phone", f"+27 82 000 {n:04d}"), **kw)
    customer.password_hash = password_hash()
    customer.addresses.append(CustomerAddress(first_name="Thandi", last_name="Nkosi", line1=f"{n} Long Street",
                                              city="Cape Town", postcode="8001", country="ZA"))
    db.session.add(customer)
    db.session.flush()
    return customer


def make_variant(price: str = "100.00", **kw) -> ProductVariant:
    n = next(_seq)
    product = Product(name=kw.pop("product_name", f"Product {n}"), tax_rate=Decimal("15.00"))
    variant = ProductVariant(product=product, sku=kw.pop("sku", f"SKU-{n:05d}"), name=kw.pop("name", f"Product {n}"),
                             price=Decimal(price), mrp=Decimal(price), stock=kw.pop("stock", 50),
                             attributes=kw.pop("attributes", [{"attribute": "Size", "value": "M", "code": None}]), **kw)
    db.session.add(variant)
    db.session.flush()
    return variant


def make_order(branch: Branch, *, customer: Customer | None = None, lines=(("100.00", 1),), delivery_fee="50.00",
               status: OrderStatus = OrderStatus.ORDERED, paid: bool = False, **kw) -> Order:
    """An order with consistent money: prices include 15% VAT; total = lines + delivery fee."""
    n = next(_seq)
    customer = customer or make_customer()
    address = customer.addresses[0].snapshot() if customer.addresses else None
    order = Order(code=kw.pop("code", f"ORD-2026-{n:06d}"), customer_id=customer.id, customer_name=customer.name,
                  customer_email=customer.email, customer_phone=customer.phone, branch_id=branch.id, status=status,
                  channel=kw.pop("channel", SalesChannel.INTERNAL), shipping_address=address,
                  billing_address=address, currency=kw.pop("currency", "ZAR"), **kw)
    subtotal = Decimal("0.00")
    for price, qty in lines:
        variant = make_variant(price)
        line_total = Decimal(price) * qty
        tax = (line_total * Decimal("15") / Decimal("115")).quantize(Decimal("0.01"))
        order.items.append(OrderItem(product_id=variant.product_id, variant_id=variant.id, sku=variant.sku,
                                     name=variant.name, variation=variant.attributes, quantity=qty,
                                     mrp=variant.mrp, unit_price=Decimal(price), tax_rate=Decimal("15.00"),
                                     tax_amount=tax, line_total=line_total))
        subtotal += line_total
    order.subtotal = subtotal
    order.tax_total = sum((i.tax_amount for i in order.items), Decimal("0.00"))
    order.delivery_fee = Decimal(delivery_fee)
    order.total = subtotal + order.delivery_fee - (order.discount_total or Decimal("0.00"))
    if paid:
        order.payments.append(Payment(provider=PaymentProvider.CARD, reference=f"txn_{n}", amount=order.total,
                                      currency=order.currency, status=PaymentState.COMPLETED))
        order.payment_status = PaymentStatus.PAID
    db.session.add(order)
    db.session.flush()
    return order


@dataclass
class Shop:
    group: BranchGroup
    branch1: Branch
    branch2: Branch
    branch3: Branch
    staff1: StaffUser
    staff2: StaffUser
    manager: StaffUser
    admin: StaffUser
    customer: Customer


def make_shop() -> Shop:
    group = BranchGroup(name="Western Cape")
    other = BranchGroup(name="Gauteng")
    db.session.add_all([group, other])
    b1 = make_branch("CPT", group, name="Cape Town")
    b2 = make_branch("STB", group, name="Stellenbosch")
    b3 = make_branch("JHB", other, name="Johannesburg")
    shop = Shop(
        group=group, branch1=b1, branch2=b2, branch3=b3,
        staff1=make_staff("staff1@shop.test", branches=[b1], name="Sam Staff"),
        staff2=make_staff("staff2@shop.test", branches=[b2], name="Sipho Staff"),
        manager=make_staff("manager@shop.test", StaffRole.MANAGER, branches=[b1, b2], name="Mia Manager"),
        admin=make_staff("admin@shop.test", StaffRole.ADMIN, name="Ada Admin"),
        customer=make_customer("buyer@shop.test", name="Bongani Buyer"),
    )
    db.session.commit()
    return shop
