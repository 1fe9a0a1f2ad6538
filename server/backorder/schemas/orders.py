"""Orders recorded through the admin API."""

from marshmallow import Schema, fields, validate

from .base import Count, Money, ShopperEmail, Sku, Text

class OrderLineIn(Schema):
    sku = Sku(required=True)
    quantity = Count(minimum=1, required=True)
    unit_price = Money()


class OrderIn(Schema):
    order_ref = Text(100, min_length=1, required=True)
    email = ShopperEmail(allow_none=True)
    lines = fields.List(fields.Nested(OrderLineIn), required=True, validate=validate.Length(min=1, max=100))


class OrderLineOut(Schema):
    sku = fields.String()
    quantity = fields.Integer()
    ship_now = fields.Integer()
    backordered = fields.Integer()
    eta = fields.Date(allow_none=True)
    eta_source = fields.String(allow_none=True)


class OrderOut(Schema):
    order_ref = fields.Function(lambda result: result.order.order_ref)
    email = fields.Function(lambda result: result.order.email)
    created_at = fields.Function(lambda result: result.order.created_at.isoformat())
    lines = fields.List(fields.Nested(OrderLineOut))
