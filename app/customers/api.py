"""Customer endpoints of the JSON API (seed 001's paths and field names), one module per group. Every read goes
through ``app.customers.queries`` so it is scoped to the caller."""
from __future__ import annotations

# The endpoints register on app.api.bp when imported.
from app.customers import api_basket, api_catalogue, api_orders, api_returns  # noqa: F401
