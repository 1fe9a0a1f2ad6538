"""The merchant's lists: backorders waiting for stock, and sign-ups as a CSV download."""

from marshmallow import Schema, fields, validate

from .base import Money, Sku, Text
from .notifications import SubscriptionOut, SubscriptionQuery

FORMATS = ("json", "csv")
LISTED_BACKORDERS = ("open", "allocated")


def _format_field():
    return fields.String(load_default="json", validate=validate.OneOf(FORMATS), metadata={
        "description": "csv: every matching row as a CSV download (UTF-8, a header row; limit and after ignored)"})


class BackorderOut(Schema):
    id = fields.Integer()
    order_ref = fields.String()
    ordered_at = fields.DateTime()
    sku = fields.String()
    product_name = fields.String(allow_none=True)
    quantity = fields.Integer(metadata={"description": "Units backordered"})
    allocated = fields.Integer(metadata={"description": "Units of them given stock: ready to ship"})
    waiting = fields.Integer(metadata={"description": "Units still waiting for stock"})
    status = fields.String(metadata={"enum": list(LISTED_BACKORDERS)})
    email = fields.String(allow_none=True)
    unit_price = Money(allow_none=True)
    eta = fields.Date(allow_none=True, metadata={
        "description": "When it ships, first come first served (null: allocated, or no date known yet)"})
    eta_source = fields.String(allow_none=True, metadata={"enum": ["shipment", "back_in_stock_date", None]})
    promised_eta = fields.Date(allow_none=True, metadata={"description": "The date the customer was last told"})
    shipment_id = fields.Integer(allow_none=True, metadata={"description": "The planned shipment it waits for"})
    shipment_expected_on = fields.Date(allow_none=True)
    allocated_at = fields.DateTime(allow_none=True)


class BackorderList(Schema):
    items = fields.List(fields.Nested(BackorderOut))
    next_after = fields.Integer(allow_none=True, metadata={"description": "Pass as ?after= for the next page"})


class BackorderQuery(Schema):
    status = fields.String(validate=validate.OneOf(LISTED_BACKORDERS), metadata={
        "description": "open or allocated (default: both; cancelled lines are not listed)"})
    sku = Sku()
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))
    after = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    format = _format_field()


class SubscriptionRow(SubscriptionOut):
    """A sign-up as a CSV row: the JSON fields, then the product's name and where the sign-up came from."""

    product_name = fields.Function(lambda subscription: subscription.product.name)
    source = fields.String(allow_none=True)


class SubscriptionListQuery(SubscriptionQuery):
    search = Text(320, min_length=1, metadata={"description": "Part of an address, any case"})
    format = _format_field()
