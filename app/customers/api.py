"""Customer endpoints of the JSON API (seed 001's paths and field names). Every read is scoped to the caller."""
from __future__ import annotations
