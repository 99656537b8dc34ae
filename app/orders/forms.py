from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from app.orders.status import MANUAL_TARGETS, OrderStatus, action_label, available_statuses


class StatusChangeForm(FlaskForm):
    status = SelectField("New status", validators=[DataRequired()])
    reason = TextAreaField("Reason", validators=[Optional(), Length(max=1000)])
    # The version the person saw: a change made meanwhile by someone else is refused, not overwritten.
    version = HiddenField(validators=[DataRequired("Reload the order and try again.")])

    refund_needed_to_cancel = False  # set by for_order

    def for_order(self, order, role) -> "StatusChangeForm":
        """Offer only the moves the status machine allows this role from the order's status, and no plain
        cancellation of an order holding money (``cancel_order`` refuses it: it takes a refund)."""
        moves = available_statuses(order.status, role)
        self.refund_needed_to_cancel = OrderStatus.CANCELLED in moves and order.holds_money
        self.status.choices = [SelectChoice(s.value, action_label(order.status, s)) for s in moves
                               if not (s == OrderStatus.CANCELLED and self.refund_needed_to_cancel)]
        if not self.is_submitted():
            self.version.data = str(order.version)
        return self

    @property
    def target(self) -> OrderStatus:
        return OrderStatus(self.status.data)


class NoteForm(FlaskForm):
    message = TextAreaField("Internal note", validators=[DataRequired(), Length(max=2000)])


def _safe_next(value: str | None) -> str:
    """Only a path of the order list (no other host, no scheme) is a place to go back to."""
    if value and value.startswith("/orders") and "//" not in value and "\\" not in value:
        return value
    return "/orders"


class BulkForm(FlaskForm):
    """Rows ticked on the order list; ``next`` is the list URL to go back to.

    ``ids`` stay as sent: ``bulk`` range-checks them (an id that cannot exist is "not found", never a driver
    overflow) and counts those beyond ``MAX_BULK``."""

    ids = SelectMultipleField("Orders", validate_choice=False, validators=[DataRequired("Select at least one order.")])
    next = HiddenField()

    @property
    def next_url(self) -> str:
        return _safe_next(self.next.data)


class BulkStatusForm(BulkForm):
    status = SelectField("Move to", choices=[SelectChoice(s.value, s.label) for s in OrderStatus if s in MANUAL_TARGETS],
                         validators=[DataRequired("Choose the new status.")])
    reason = StringField("Reason", validators=[Optional(), Length(max=1000)])

    def validate(self, extra_validators=None) -> bool:
        """A cancellation's reason is checked before any order is touched: one message, not one refusal per order."""
        ok = super().validate(extra_validators)
        if self.status.data == OrderStatus.CANCELLED.value and not (self.reason.data or "").strip():
            self.reason.errors = [*self.reason.errors, "Say why the orders are cancelled."]
            return False
        return ok

    @property
    def target(self) -> OrderStatus:
        return OrderStatus(self.status.data)


class BulkNoteForm(BulkForm):
    message = TextAreaField("Internal note", validators=[DataRequired("Write something in the note."), Length(max=2000)])


class SaveViewForm(FlaskForm):
    name = StringField("View name", validators=[DataRequired("Give the view a name."), Length(max=80)])
    query = HiddenField()


class DeleteViewForm(FlaskForm):
    """Nothing but the CSRF token."""
