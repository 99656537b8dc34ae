from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.orders.status import OrderStatus, available_statuses


class StatusChangeForm(FlaskForm):
    status = SelectField("New status", validators=[DataRequired()])
    reason = TextAreaField("Reason", validators=[Optional(), Length(max=1000)])
    version = HiddenField()

    def for_order(self, order, role) -> "StatusChangeForm":
        """Offer only the moves the status machine allows this role from the order's status."""
        self.status.choices = [(s.value, s.label) for s in available_statuses(order.status, role)]
        if not self.version.data:
            self.version.data = str(order.version)
        return self

    @property
    def target(self) -> OrderStatus:
        return OrderStatus(self.status.data)


class NoteForm(FlaskForm):
    message = TextAreaField("Internal note", validators=[DataRequired(), Length(max=2000)])
