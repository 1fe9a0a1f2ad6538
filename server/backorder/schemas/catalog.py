"""Products and the shipments coming in for them (admin API)."""

from marshmallow import Schema, fields, pre_dump, validate

from ..models import MODES
from .availability import AvailabilityOut
from .base import BackorderLimit, Count, Day, Money, PlatformId, Sku, Text, Url

class ProductIn(Schema):
    name = Text(300, allow_none=True)
    url = Url(allow_none=True)
    image_url = Url(allow_none=True)
    price = Money(allow_none=True)
    on_hand = Count()
    safety_stock = Count()
    mode = fields.String(validate=validate.OneOf(MODES))
    backorder_limit = BackorderLimit(allow_none=True)
    back_in_stock_date = Day(allow_none=True)
    release_date = Day(allow_none=True)
    handling_days = Count(maximum=365, allow_none=True)
    message = Text(1000, allow_none=True)
    platform_id = PlatformId(allow_none=True, metadata={
        "description": "The platform's id of this variant (Shopify variant id, WooCommerce variation id…), "
                       "unique in the store; lets the widget ask by ?pid= on pages without skus"})
    platform_product_id = PlatformId(allow_none=True)
    supplier = Text(200, allow_none=True, metadata={"description": "Who you buy it from (reports: purchase lists)"})
    min_order_quantity = Count(minimum=1, allow_none=True, metadata={
        "description": "The supplier's minimum order; reports flag the product when its backorders reach it"})


class ProductBulkItem(ProductIn):
    sku = Sku(required=True)


class ProductOut(Schema):
    sku = fields.String()
    name = fields.String(allow_none=True)
    url = fields.String(allow_none=True)
    image_url = fields.String(allow_none=True)
    price = Money(allow_none=True)
    on_hand = fields.Integer()
    safety_stock = fields.Integer()
    mode = fields.String(metadata={"enum": list(MODES)})
    backorder_limit = BackorderLimit(allow_none=True)
    backordered = fields.Integer(metadata={"description": "Open backordered units"})
    back_in_stock_date = fields.Date(allow_none=True)
    release_date = fields.Date(allow_none=True)
    handling_days = fields.Integer(allow_none=True)
    message = fields.String(allow_none=True)
    platform_id = fields.String(allow_none=True)
    platform_product_id = fields.String(allow_none=True)
    supplier = fields.String(allow_none=True)
    min_order_quantity = fields.Integer(allow_none=True)
    created = fields.Boolean(metadata={"description": "Only in upsert answers: true when this call created it"})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    availability = fields.Nested(AvailabilityOut)

    @pre_dump
    def _flatten(self, view, **kwargs):
        """Dump a ProductView: the product's columns beside its availability."""
        product = view.product
        out = {name: getattr(product, name) for name in self.fields if hasattr(product, name)}
        out["backorder_limit"] = "incoming" if product.limit_to_incoming else product.backorder_limit
        out["availability"] = view.availability
        if view.created is not None:
            out["created"] = view.created
        return out


class ProductPage(Schema):
    items = fields.List(fields.Nested(ProductOut))
    next_after = fields.String(allow_none=True, metadata={"description": "Pass as ?after= for the next page"})


class ProductList(Schema):
    items = fields.List(fields.Nested(ProductOut))


class ProductQuery(Schema):
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))
    after = Sku()


class ShipmentIn(Schema):
    quantity = Count(minimum=1, required=True)
    expected_on = Day(required=True)


class ShipmentPatch(Schema):
    quantity = Count(minimum=1)
    expected_on = Day()


class ReceiveIn(Schema):
    quantity = Count(minimum=1, metadata={"description": "Units received; all that is expected when left out"})


class ShipmentOut(Schema):
    id = fields.Integer()
    sku = fields.Function(lambda shipment: shipment.product.sku)
    quantity = fields.Integer(metadata={"description": "Units still expected"})
    received_quantity = fields.Integer()
    expected_on = fields.Date()
    status = fields.String(metadata={"enum": ["planned", "received", "cancelled"]})
    created_at = fields.DateTime()
    received_at = fields.DateTime(allow_none=True)


class ShipmentList(Schema):
    items = fields.List(fields.Nested(ShipmentOut))


class AllocationOut(Schema):
    backorder_id = fields.Integer()
    order_ref = fields.String()
    quantity = fields.Integer()
    complete = fields.Boolean()


class ReceiptOut(Schema):
    shipment = fields.Nested(ShipmentOut)
    received = fields.Integer()
    allocations = fields.List(fields.Nested(AllocationOut))
    restocked = fields.Integer(metadata={"description": "Units left sellable after filling backorders"})
    product = fields.Nested(ProductOut)
