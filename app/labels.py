"""One label per code: what a person reads for a status, channel, method or payment status.

Codes ("DELIVERY-READY", "UBER_EATS") are what the database, the URLs and the API hold; labels are what pages,
filter chips, badges, flash messages, error messages and export files show. Every enum a person reads has a
``label`` property built on ``sentence_case`` (the ``Labelled`` base does it; an enum names its exceptions, such
as "Uber Eats", in its own ``label``), and everything else asks ``label_of``. Exports turn a column into its
label inside the SQL with a CASE generated from ``labels(enum_cls)`` (``app/reports/columns.py``), so the file
and the pages cannot disagree.
"""
from __future__ import annotations

import enum


def sentence_case(code: str) -> str:
    """"DELIVERY-READY" -> "Delivery ready", "return_requested" -> "Return requested"."""
    text = str(code).replace("-", " ").replace("_", " ").strip()
    return text[:1].upper() + text[1:].lower()


class Labelled(enum.StrEnum):
    """A string enum whose members read in sentence case (``member.label``)."""

    @property
    def label(self) -> str:
        return sentence_case(self.value)


def label_of(value) -> str:
    """The label of an enum member, or of a bare code (an event's ``from_status``); "—" for None."""
    if value is None:
        return "—"
    return getattr(value, "label", None) or sentence_case(value)


def labels(enum_cls: type[enum.Enum]) -> dict[enum.Enum, str]:
    """Every member of ``enum_cls`` with its label, in declaration order."""
    return {member: member.label for member in enum_cls}
