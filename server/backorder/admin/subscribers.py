"""Subscribers: every sign-up with its consent record; search, filter, CSV export, GDPR erasure."""

from functools import partial

from flask import flash, g, redirect, render_template, request, url_for

from .. import schemas
from ..exports import csv_response
from ..models import SUBSCRIPTION_STATUSES
from ..services import subscriptions
from ..services.stores import today_in
from . import bp
from .lists import PAGE, choices, export_filters, listed, next_after, read_filters

FILTERS = ("search", "status", "sku")


@bp.get("/subscribers")
def subscribers():
    """The store's sign-ups, newest first: search by address, filter by status and product."""
    filters = read_filters(schemas.SubscriptionListQuery, FILTERS + ("after",))
    rows = listed(partial(subscriptions.list_subscriptions, g.store, limit=PAGE), filters)
    return render_template("admin/subscribers.html", rows=rows, filter=filters, next_after=next_after(rows),
                           statuses=choices(SUBSCRIPTION_STATUSES, "Any status")), 422 if filters.errors else 200


@bp.get("/subscribers.csv")
def subscribers_csv():
    """The sign-ups the filters select, as a streamed CSV download."""
    found = subscriptions.all_subscriptions(g.store, **export_filters(schemas.SubscriptionListQuery, FILTERS))
    return csv_response(f"subscribers-{today_in(g.store)}", schemas.SubscriptionRow,
                        map(schemas.SubscriptionRow().dump, found))


@bp.route("/subscribers/<int:subscription_id>/erase", methods=["GET", "POST"])
def subscribers_erase(subscription_id):
    """GDPR erasure of a sign-up's address at this store: a page that says what goes, then the deletion."""
    email = subscriptions.subscription_of(g.store, subscription_id).email
    if request.method == "GET":
        return render_template("admin/subscriber_erase.html", email=email,
                               preview=subscriptions.erasure_preview(g.store, email))
    erased = subscriptions.erase_address(g.store, email)
    flash(f"Erased {email}: {_units(erased['subscriptions'], 'sign-up')} and "
          f"{_units(erased['messages'], 'email')} deleted.")
    return redirect(url_for("admin.subscribers"))


def _units(count, noun):
    return f"{count} {noun}{'' if count == 1 else 's'}"
