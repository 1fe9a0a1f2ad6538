"""The product forms: the product page's settings and the list's bulk actions, over ProductIn.

A backorder limit is a choice of three (a number, unlimited, what is on order) in the page and one
JSON value in the API (a number, null, "incoming"): LimitForm turns one into the other, then the
API's schema checks it like every other field.
"""

from flask import request
from marshmallow import ValidationError

from ..schemas import ProductIn
from .forms import INTEGER_TEXT, Form

PRODUCT_FIELDS = ["mode", "back_in_stock_date", "release_date", "handling_days", "message",
                  "on_hand", "safety_stock", "name", "price"]
MODE_CHOICES = [("notify", "Sold out, notify me (no backorders)"), ("backorder", "Backorder: keep selling"),
                ("preorder", "Preorder until the release date")]
LIMIT_CHOICES = [("unlimited", "No limit"), ("number", "At most this many units"),
                 ("incoming", "Only what is on order (planned shipments)")]


def limit_kind(limit):
    return "incoming" if limit == "incoming" else "unlimited" if limit is None else "number"


class LimitForm(Form):
    """A Form over ProductIn whose backorder limit arrives as limit_kind + limit_number."""

    def __init__(self, names, initial=None, with_limit=True):
        super().__init__(ProductIn(), names, initial)
        self.with_limit = with_limit
        if with_limit:
            limit = (initial or {}).get("backorder_limit")
            self.values["limit_kind"] = limit_kind(limit)
            self.values["limit_number"] = str(limit) if isinstance(limit, int) else ""

    def load(self, partial=False):
        loaded = super().load(partial)
        if not self.with_limit:
            return loaded
        kind, number = request.form.get("limit_kind", ""), request.form.get("limit_number", "").strip()
        self.values.update(limit_kind=kind, limit_number=number)
        if kind == "number" and number == "":
            self.errors["limit_number"] = "Give a number of units, or choose another kind of limit."
        elif kind in ("unlimited", "incoming", "number"):
            raw = {"unlimited": None, "incoming": "incoming"}.get(kind, number)
            if kind == "number" and set(number) <= INTEGER_TEXT and len(number) < 12:
                raw = int(number)
            try:
                limit = self.schema.load({"backorder_limit": raw}, partial=True)
            except ValidationError as error:
                self.errors["limit_number"] = error.messages["backorder_limit"][0]
        else:
            self.errors["limit_kind"] = "Choose a kind of limit."
        if self.errors:
            return None
        return {**loaded, **limit}


def product_form(product):
    """The product page's form, filled with the product's saved settings."""
    initial = {name: getattr(product, name) for name in PRODUCT_FIELDS}
    initial["backorder_limit"] = "incoming" if product.limit_to_incoming else product.backorder_limit
    form = LimitForm(PRODUCT_FIELDS, initial)
    form.values["on_hand_seen"] = str(product.on_hand)
    return form


def submitted_product(form):
    """The product page's posted settings, or None. On hand is sent only if the merchant changed it:
    orders may have moved it since the page was loaded, and an untouched box must not undo them."""
    fields = form.load()
    form.values["on_hand_seen"] = request.form.get("on_hand_seen", "")
    if fields is not None and request.form.get("on_hand_seen") == str(fields.get("on_hand")):
        fields.pop("on_hand")
    return fields


BULK_ACTIONS = {"mode": "Set mode", "limit": "Set backorder limit", "date": "Set back-in-stock date"}


def bulk_form():
    """The bulk action's form: which action decides which of its fields is loaded."""
    action = request.form.get("action", "")
    if action == "mode":
        return action, LimitForm(["mode"], with_limit=False)
    if action == "date":
        return action, LimitForm(["back_in_stock_date"], with_limit=False)
    if action == "limit":
        return action, LimitForm([], with_limit=True)
    form = LimitForm([], with_limit=False)
    form.fail("Choose what to do with the selected products.", "action")
    return action, form
