"""Demo data: the demo shop that ``make run`` loads, and the bulk generator for benchmarks.

``flask --app wsgi demo-data`` loads the demo shop (``app.demo.shop``); ``--orders N`` generates N orders in bulk
(``app.demo.bulk``). Both stand on the same branches, staff, demo accounts and catalogue (``app.demo.base``).
"""
from __future__ import annotations

from collections.abc import Callable

DEMO_ORDERS = 2_000


def load_demo_shop(*, orders: int | None = None, seed: int = 20261122, echo: Callable[[str], None] = print,
                   demo_orders: int = DEMO_ORDERS) -> str:
    """Load the demo shop (``orders`` None) or ``orders`` bulk orders; return a one-line summary.

    ``demo_orders`` sizes the demo shop (tests use a smaller one); ``orders`` switches to the bulk generator.
    """
    if orders is not None:
        from app.demo.bulk import load_bulk_shop

        return load_bulk_shop(orders=orders, seed=seed, echo=echo)
    from app.demo.shop import build_demo_shop

    return build_demo_shop(orders=demo_orders, seed=seed, echo=echo)
