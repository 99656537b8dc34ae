"""What both the demo shop and the bulk generator stand on: branches, staff, demo accounts and the catalogue.

Every ``ensure_*`` function is idempotent (it looks rows up by their natural key first), so the bulk generator
can run on a database that already holds the demo shop, and the other way round.
"""
from __future__ import annotations

import json
import random
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

import click
import sqlalchemy as sa

from app.demo import names
from app.extensions import db
from app.models import (
    Branch, BranchGroup, Customer, CustomerAddress, Product, ProductVariant, StaffRole, StaffUser,
)
from app.orders.pricing import cents

# (code, name, group, city, phone)
BRANCHES = (
    ("CPT", "Cape Town", "Western Cape", "Cape Town", "+27 21 555 0101"),
    ("STB", "Stellenbosch", "Western Cape", "Stellenbosch", "+27 21 555 0202"),
    ("JHB", "Johannesburg", "Gauteng", "Johannesburg", "+27 11 555 0303"),
)

# (email, name, role, branch codes, password). Colleagues (None) share demo-staff's hash: one slow hash, and
# each branch has someone to sign in as (e.g. ayanda.khumalo@demo.test / demo-staff for Johannesburg).
STAFF = (
    ("admin@demo.test", "Nadia Jacobs", StaffRole.ADMIN, (), "demo-admin"),
    ("manager@demo.test", "Mia Botha", StaffRole.MANAGER, ("CPT", "STB"), "demo-manager"),
    ("staff@demo.test", "Sam Mokoena", StaffRole.STAFF, ("CPT",), "demo-staff"),
    ("lerato.dlamini@demo.test", "Lerato Dlamini", StaffRole.STAFF, ("CPT",), None),
    ("johan.nel@demo.test", "Johan Nel", StaffRole.STAFF, ("STB",), None),
    ("ayanda.khumalo@demo.test", "Ayanda Khumalo", StaffRole.STAFF, ("JHB",), None),
    ("priya.naidoo@demo.test", "Priya Naidoo", StaffRole.MANAGER, ("JHB",), None),
)
DEMO_CUSTOMER = ("customer@demo.test", "Thandi Nkosi", "+27 82 555 0100", "demo-customer")


class SchemaMissing(click.ClickException):
    """The tables are not there yet: a clear message instead of a traceback from the first INSERT."""


@dataclass
class ShopBase:
    branches: list[Branch]  # CPT, STB, JHB
    staff: list[StaffUser]  # in STAFF order
    customer: Customer  # the demo customer

    def staff_of(self, branch: Branch) -> list[StaffUser]:
        """Who works ``branch``'s orders (the admin works everywhere)."""
        return [u for u in self.staff if u.is_admin or branch.id in u.branch_ids]


def require_schema() -> None:
    """Fail early and politely when ``flask db upgrade`` has not been run on this database."""
    inspector = sa.inspect(db.engine)
    missing = [t for t in ("orders", "order_items", "customers", "branches") if not inspector.has_table(t)]
    if missing:
        raise SchemaMissing(
            f"The database has no {', '.join(missing)} table(s). Run `flask --app wsgi db upgrade` first."
        )


def ensure_base(seed: int) -> ShopBase:
    """Branch groups, branches, staff and the demo customer; created once, found afterwards. Flushes only."""
    branches = _ensure_branches()
    staff = _ensure_staff({b.code: b for b in branches})
    customer = _ensure_demo_customer(random.Random(f"{seed}-demo-customer"))
    db.session.flush()
    return ShopBase(branches=branches, staff=staff, customer=customer)


def _ensure_branches() -> list[Branch]:
    existing = {b.code: b for b in db.session.scalars(sa.select(Branch))}
    groups = {g.name: g for g in db.session.scalars(sa.select(BranchGroup))}
    result = []
    for code, name, group_name, city, phone in BRANCHES:
        if code not in existing:
            group = groups.get(group_name) or BranchGroup(name=group_name)
            groups[group_name] = group
            existing[code] = Branch(
                code=code, name=name, group=group, currency="ZAR", phone=phone,
                address={"line1": "1 Main Road", "city": city, "country": "ZA"},
            )
            db.session.add(existing[code])
        result.append(existing[code])
    db.session.flush()
    return result


def _ensure_staff(branches: dict[str, Branch]) -> list[StaffUser]:
    """The demo accounts get their documented passwords; colleagues reuse the staff hash (one slow hash)."""
    existing = {u.email: u for u in db.session.scalars(sa.select(StaffUser))}
    shared_hash: str | None = None
    result = []
    for email, name, role, codes, password in STAFF:
        user = existing.get(email)
        if user is None:
            user = StaffUser(email=email, name=name, role=role, branches=[branches[c] for c in codes])
            if password:
                user.set_password(password)
                shared_hash = shared_hash or (user.password_hash if role == StaffRole.STAFF else None)
            else:
                user.password_hash = shared_hash or _hash_once()
            db.session.add(user)
        result.append(user)
    return result


def _hash_once() -> str:
    probe = StaffUser(email="", name="")
    probe.set_password("demo-staff")
    return probe.password_hash


def _ensure_demo_customer(rng: random.Random) -> Customer:
    email, name, phone, password = DEMO_CUSTOMER
    customer = db.session.scalar(sa.select(Customer).where(Customer.email == email))
    if customer is None:
        customer = Customer(name=name, email=email, phone=phone)
        customer.set_password(password)
        first, last = name.split(" ", 1)
        customer.addresses.append(_address_model(make_address(rng, first, last, phone, email, "Western Cape")))
        customer.addresses.append(_address_model(make_address(rng, first, last, phone, email, "Western Cape",
                                                              company=True)))
        db.session.add(customer)
    return customer


def _address_model(fields: dict) -> CustomerAddress:
    return CustomerAddress(**fields)


# --- people and addresses -----------------------------------------------------------------------

def ascii_slug(text: str) -> str:
    """``"Chloé van der Merwe"`` -> ``"chloe.vandermerwe"``-style pieces for demo e-mail addresses."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def random_person(rng: random.Random) -> tuple[str, str]:
    return rng.choice(names.FIRST_NAMES), rng.choice(names.LAST_NAMES)


def random_phone(rng: random.Random) -> str:
    prefix = rng.choice(("82", "83", "72", "73", "61", "79"))
    return f"+27 {prefix} {rng.randrange(100, 1000)} {rng.randrange(10000):04d}"


def random_region(rng: random.Random) -> str:
    return "Western Cape" if rng.random() < 0.65 else "Gauteng"


def make_address(rng: random.Random, first: str, last: str, phone: str | None, email: str | None, region: str,
                 *, company: bool | None = None) -> dict:
    """CustomerAddress fields (seed 002's address: names, contact, line, postcode, company and tax details)."""
    city, district, postcode = rng.choice(names.PLACES[region])
    company = rng.random() < 0.1 if company is None else company
    return {
        "first_name": first, "last_name": last, "phone": phone, "email": email,
        "line1": f"{rng.randrange(1, 240)} {rng.choice(names.STREETS)}",
        "line2": f"Unit {rng.randrange(1, 60)}" if rng.random() < 0.2 else None,
        "city": city, "district": district, "postcode": postcode, "country": "ZA",
        "company_name": rng.choice(names.COMPANIES) if company else None,
        "tax_office": f"SARS {city}" if company else None,
        "tax_number": f"4{rng.randrange(10**8, 10**9)}" if company else None,
        "identity_number": _sa_id_number(rng) if rng.random() < 0.3 else None,
        "e_bill_taxpayer": bool(company),
        "notes": rng.choice(names.CUSTOMER_NOTES) if rng.random() < 0.1 else None,
    }


SNAPSHOT_FIELDS = (
    "first_name", "last_name", "phone", "email", "line1", "line2", "city", "district", "postcode",
    "country", "company_name", "tax_office", "tax_number", "identity_number", "e_bill_taxpayer",
)


def snapshot(address: dict) -> dict:
    """The copy of an address an order keeps (same keys as ``CustomerAddress.snapshot()``)."""
    return {f: address.get(f) for f in SNAPSHOT_FIELDS}


def _sa_id_number(rng: random.Random) -> str:
    """A 13-digit South African ID number shape (birth date first); not a real person's."""
    return f"{rng.randrange(60, 100):02d}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}" \
           f"{rng.randrange(10**6, 10**7)}"


# --- catalogue -----------------------------------------------------------------------------------

def ensure_catalogue(seed: int, products: int = 200) -> list[ProductVariant]:
    """About 200 products with variants (sizes, colours, volumes, packs); created once, deterministic."""
    if db.session.scalar(sa.select(ProductVariant.id).limit(1)) is None:
        db.session.add_all(_build_catalogue(random.Random(f"{seed}-catalogue"), products))
        db.session.flush()
    return list(db.session.scalars(sa.select(ProductVariant).order_by(ProductVariant.id)))


def _build_catalogue(rng: random.Random, count: int) -> list[Product]:
    categories = list(names.CATALOGUE.items())
    result = []
    for i in range(count):
        category, (code, brands, nouns, (low, high), kind) = categories[i % len(categories)]
        brand = rng.choice(brands)
        product = Product(
            name=f"{rng.choice(names.ADJECTIVES)} {rng.choice(nouns)}", brand=brand, category=category,
            description=f"{brand} {category.lower()}, made in South Africa.", tax_rate=Decimal("15.00"),
        )
        base = Decimal(rng.randrange(low // 10, high // 10 + 1) * 10) - Decimal("0.01")
        for j, (attributes, factor) in enumerate(_variant_options(rng, kind)):
            price = cents(base * factor)
            label = ", ".join(a["value"] for a in attributes)
            product.variants.append(ProductVariant(
                sku=f"{code}-{i + 1:04d}-{j + 1:02d}", barcode=_ean13(rng), name=f"{product.name} ({label})",
                attributes=attributes, price=price,
                mrp=cents(price * Decimal("1.25")) if rng.random() < 0.25 else price,
                stock=rng.randrange(0, 120),
            ))
        result.append(product)
    return result


def _variant_options(rng: random.Random, kind: str) -> list[tuple[list[dict], Decimal]]:
    """(attributes, price factor) per variant, as seed 001's ``variations`` list."""
    def attr(name: str, value: str) -> dict:
        return {"attribute": name, "value": value, "code": None}

    one = Decimal("1")
    if kind == "size-colour":
        colours = rng.sample(names.COLOURS, rng.randrange(1, 3))
        start = rng.randrange(0, 3)
        sizes = names.SIZES[start:start + rng.randrange(2, 5)]
        return [([attr("Size", s), attr("Colour", c)], one) for c in colours for s in sizes]
    if kind == "shoe-size":
        start = rng.randrange(0, 3)
        return [([attr("Size", s)], one) for s in names.SHOE_SIZES[start:start + rng.randrange(3, 6)]]
    if kind == "colour":
        return [([attr("Colour", c)], one) for c in rng.sample(names.COLOURS, rng.randrange(1, 4))]
    if kind == "volume":
        count = rng.randrange(1, 4)
        return [([attr("Volume", v)], Decimal(f"{1 + 0.8 * k:.1f}")) for k, v in enumerate(names.VOLUMES[:count])]
    count = rng.randrange(1, 4)
    return [([attr("Pack", p)], Decimal(("1", "2.7", "5")[k])) for k, p in enumerate(names.PACKS[:count])]


def _ean13(rng: random.Random) -> str:
    """An EAN-13 with South Africa's 600 prefix and a valid check digit."""
    body = "600" + "".join(str(rng.randrange(10)) for _ in range(9))
    total = sum(int(d) * (3 if k % 2 else 1) for k, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def json_text(value) -> str:
    """JSON as SQLAlchemy's JSON type writes it (``json.dumps`` defaults), for raw bulk inserts."""
    return json.dumps(value)
