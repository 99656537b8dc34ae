"""Database ids that come from outside: URL paths, forms and query strings.

Every id column is an INTEGER, so an id is a whole number from 1 to 2**31 - 1. Anything else (too big, zero,
negative, not a number) can never name a row: callers treat it as "not found" instead of letting the database
driver overflow on it.
"""
from __future__ import annotations

import re

MIN_ID = 1
MAX_ID = 2**31 - 1
_DIGITS = re.compile(r"[0-9]{1,19}")  # ASCII only: int() would also take "٣" or "4_000"


def is_id(n: int) -> bool:
    return MIN_ID <= n <= MAX_ID


def parse_id(value) -> int | None:
    """The id ``value`` names (an int or a string of digits, surrounding spaces allowed), or None when it
    cannot name a row."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if is_id(value) else None
    text = str(value or "").strip()
    if not _DIGITS.fullmatch(text):
        return None
    n = int(text)
    return n if is_id(n) else None
