"""The export form: format, shape, and which columns in which order (checkboxes + a position number each)."""
from __future__ import annotations

from flask import request
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectMultipleField, ValidationError
from wtforms.fields.choices import SelectChoice

from app.reports.columns import COLUMNS, FORMATS, SHAPES

UNPLACED = 10_000


class ExportForm(FlaskForm):
    format = RadioField("Format", choices=[SelectChoice(k, v) for k, v in FORMATS.items()], default="csv")
    shape = HiddenField(default="orders")
    columns = SelectMultipleField("Columns", validate_choice=False)

    def validate_shape(self, field) -> None:
        if field.data not in SHAPES:
            raise ValidationError("Choose one row per order or one row per order line.")

    def validate_columns(self, field) -> None:
        if self.shape.data in SHAPES and not self.ordered_columns():
            raise ValidationError("Choose at least one column.")

    def position(self, key: str) -> int:
        try:
            return int(request.form.get(f"pos-{key}", UNPLACED))
        except ValueError:
            return UNPLACED

    def ordered_columns(self) -> list[str]:
        """The ticked columns of the shape, sorted by their position numbers (ties keep the page's order)."""
        known = COLUMNS.get(self.shape.data, {})
        picked = [k for k in dict.fromkeys(self.columns.data or []) if k in known]
        return [k for _, _, k in sorted((self.position(k), i, k) for i, k in enumerate(picked))]
