"""One range for database ids from anywhere outside: URL paths, forms, query strings."""
from __future__ import annotations

import pytest

from app.ids import MAX_ID, parse_id


@pytest.mark.parametrize("value, expected", [
    ("1", 1), (" 42 ", 42), (42, 42), (str(MAX_ID), MAX_ID),
    (str(MAX_ID + 1), None), ("99999999999999999999", None), (str(2**63), None), (2**63, None),
    ("0", None), (0, None), ("-4", None), (-4, None), ("+4", None), ("4_000", None), ("1e3", None), ("abc", None),
    ("", None), (None, None), (True, None), ("٣", None),
])
def test_parse_id(value, expected):
    assert parse_id(value) == expected


def test_url_ids_and_filter_ids_use_the_same_range(client, auth, shop):
    auth.login(shop.staff1.email)
    assert client.get(f"/orders/{MAX_ID + 1}").status_code == 404
    assert client.get(f"/orders/{MAX_ID}").status_code == 404
    for param in ("customer", "branch", "branch_group"):
        r = client.get(f"/orders?{param}={MAX_ID + 1}")
        assert r.status_code == 400 and "out of range" in r.get_data(as_text=True)
        assert client.get(f"/orders?{param}={MAX_ID}").status_code == 200
