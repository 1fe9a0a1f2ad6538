"""The public API's answers: availability of skus, and the products on backorder or preorder."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..services.availability import STATES
from .base import PlatformId, Sku

MAX_KEYS = 100

class AvailabilityQuery(Schema):
    sku = fields.List(Sku(), load_default=list, validate=validate.Length(max=MAX_KEYS),
                      metadata={"description": "Repeat for several skus: ?sku=A&sku=B"})
    pid = fields.List(PlatformId(), load_default=list, validate=validate.Length(max=MAX_KEYS),
                      metadata={"description": "A platform's own id (e.g. a Shopify variant id), for pages "
                                               "that show no sku. 1 to 100 skus and pids in all."})

    @validates_schema
    def _one_to_a_hundred(self, data, **kwargs):
        if not 1 <= len(data.get("sku", [])) + len(data.get("pid", [])) <= MAX_KEYS:
            raise ValidationError(f"Ask for 1 to {MAX_KEYS} skus and pids in all.", "sku")


class IncomingOut(Schema):
    eta = fields.Date()
    quantity = fields.Integer()


class AvailabilityOut(Schema):
    sku = fields.String(allow_none=True, metadata={"description": "null for a platform id no product carries"})
    platform_id = fields.Constant(None, metadata={"description": "The pid asked for, in answers to ?pid="})
    state = fields.String(metadata={"enum": list(STATES)})
    purchasable = fields.Boolean()
    available_now = fields.Integer()
    backorder_remaining = fields.Integer(allow_none=True, metadata={"description": "null: no limit"})
    eta = fields.Date(allow_none=True)
    eta_source = fields.String(allow_none=True, metadata={"enum": ["shipment", "back_in_stock_date", "release_date", None]})
    incoming = fields.List(fields.Nested(IncomingOut))
    message = fields.String(allow_none=True)
    notify = fields.Boolean()


class StoreWidgetOut(Schema):
    """What the widget needs to know of the store, sent with every answer so a page makes one request."""

    locale = fields.String()
    show_backorder_remaining = fields.Boolean()
    signup = fields.Boolean(metadata={"description": "Whether the notify-me form may post sign-ups"})
    consent = fields.String(allow_none=True, metadata={"description": "The consent sentence shown by the form"})
    labels = fields.Dict(keys=fields.String(), values=fields.String(),
                         metadata={"description": "The merchant's own wording for the widget's strings"})


class AvailabilityList(Schema):
    store = fields.Nested(StoreWidgetOut)
    items = fields.List(fields.Nested(AvailabilityOut))


class ListedProduct(Schema):
    sku = fields.Function(lambda view: view.product.sku)
    name = fields.Function(lambda view: view.product.name)
    url = fields.Function(lambda view: view.product.url)
    image_url = fields.Function(lambda view: view.product.image_url)
    availability = fields.Nested(AvailabilityOut)


class ListedProducts(Schema):
    store = fields.Nested(StoreWidgetOut)
    items = fields.List(fields.Nested(ListedProduct))
