"""The staff side of a customer: /customers/<id> (contact, addresses, orders, API access) for admins, and the
"Revoke tokens" action. Admins only in this issue: anyone else gets 404, as for an order outside their branches."""
from __future__ import annotations

import logging

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from app.actors import Actor
from app.customers import actions, queries
from app.extensions import db

bp = Blueprint("customers", __name__)
audit = logging.getLogger("app.audit")


class RevokeTokensForm(FlaskForm):
    """Nothing but the CSRF token: the button is the whole form."""


@bp.get("/customers/<int:customer_id>")
@login_required
def detail(customer_id: int):
    customer = _customer_or_404(customer_id)
    return render_template("customers/detail.html", customer=customer, form=RevokeTokensForm(formdata=None),
                           order_count=queries.order_count(customer))


@bp.post("/customers/<int:customer_id>/revoke-tokens")
@login_required
def revoke_tokens(customer_id: int):
    customer = _customer_or_404(customer_id, for_update=True)
    if not RevokeTokensForm().validate_on_submit():
        abort(400)
    version = actions.revoke_api_tokens(customer, actor=Actor.staff(current_user))
    db.session.commit()
    audit.info("api_tokens_revoked customer_id=%s email=%s by_staff_id=%s by=%s new_version=%s", customer.id,
               customer.email, current_user.id, current_user.email, version)
    flash(f"Every API token of {customer.name} is revoked: the app must sign in again.", "success")
    return redirect(url_for("customers.detail", customer_id=customer.id), 303)


def _customer_or_404(customer_id: int, *, for_update: bool = False):
    if not current_user.is_admin:
        abort(404)
    return queries.customer_or_404(customer_id, for_update=for_update)
