"""Schemas shared by every API endpoint: the envelope, money and time types, paging, errors.

Request schemas forbid unknown fields; response schemas describe what the serialisers produce. Both are read
by spectree, which validates requests and responses and generates the OpenAPI 3.1 document from them.
"""
from __future__ import annotations

from datetime import timezone
from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

T = TypeVar("T")

# Money leaves as a string with two decimals ("120.00"), never a float.
Money = Annotated[str, StringConstraints(pattern=r"^-?\d+\.\d{2}$"), Field(examples=["120.00"])]
# Times are ISO 8601 UTC with Z.
Timestamp = Annotated[str, Field(examples=["2026-12-02T10:15:00Z"], json_schema_extra={"format": "date-time"})]
DbId = Annotated[int, Field(ge=1, le=2**31 - 1)]


class Strict(BaseModel):
    """Request bodies and queries: unknown fields are an error."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Envelope(BaseModel, Generic[T]):
    success: bool = True
    data: T
    message: str = "Success"
    status_code: int = 200


class ErrorEnvelope(BaseModel):
    success: bool = False
    message: str
    code: str
    errors: dict[str, list[str]] = {}
    status_code: int
    error_id: str | None = None


class Pagination(BaseModel):
    total: int
    count: int
    limit: int
    current_page: int
    total_pages: int


class PageQuery(Strict):
    page: int = Field(1, ge=1, le=100_000)


class IdRef(BaseModel):
    id: int
    code: str
    name: str


def money(value) -> str:
    """A Decimal as the API's money string."""
    return f"{value:.2f}"


def timestamp(value) -> str | None:
    """An aware UTC datetime as ISO 8601 with Z."""
    if value is None:
        return None
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

