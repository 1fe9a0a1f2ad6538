"""marshmallow schemas: the only place JSON is parsed or shaped. They check shape, never the database."""

import re
from datetime import date

from email_validator import EmailNotValidError, validate_email
from marshmallow import Schema, ValidationError, fields, pre_dump, validate

from .models import MODES
from .services.availability import STATES

MAX_COUNT = 1_000_000_000  # stock and quantities: far above any store, safely inside a 32-bit column
CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")  # also lone surrogates: UTF-8 cannot encode them
DAY = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
LAST_DAY = date(9000, 12, 31)  # ETAs add handling days to dates: stay well below date.max (9999-12-31)


def no_control_chars(value):
    if CONTROL_CHARS.search(value):
        raise ValidationError("Must not contain control characters (newlines, tabs, NUL) or lone surrogates.")


class Text(fields.String):
    """A string with a length limit and no control characters (PostgreSQL rejects NUL)."""

    def __init__(self, max_length, min_length=0, **kwargs):
        super().__init__(validate=[validate.Length(min=min_length, max=max_length), no_control_chars], **kwargs)


class Day(fields.Date):
    """A calendar day written YYYY-MM-DD (not 20261201 nor 2026-W49-2), no later than LAST_DAY."""

    def __init__(self, **kwargs):
        super().__init__(validate=validate.Range(max=LAST_DAY, error="Must be no later than {max}."), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not (isinstance(value, str) and DAY.match(value)):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class Sku(Text):
    def __init__(self, **kwargs):
        super().__init__(max_length=100, min_length=1, **kwargs)


class SkuPath(Schema):
    sku = Sku(required=True)


class Count(fields.Integer):
    """A whole number of units: JSON integers only (not "3", 3.5 or true), 0 to a billion."""

    def __init__(self, minimum=0, maximum=MAX_COUNT, **kwargs):
        super().__init__(strict=True, validate=validate.Range(min=minimum, max=maximum), **kwargs)

    def _validated(self, value):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._validated(value)


def money_range(value):
    if not 0 <= value < 10**10:
        raise ValidationError("Must be between 0 and 9999999999.99.")


class Money(fields.Decimal):
    """A non-negative amount with two decimals, sent as "24.50" or 24.5; dumped as a string so no precision is lost."""

    def __init__(self, **kwargs):
        super().__init__(places=2, as_string=True, validate=money_range, **kwargs)

    def _validated(self, value):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._validated(value)


class ShopperEmail(fields.String):
    """An email address, checked for syntax only (no DNS at request time) and normalised."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        if len(value) > 320:
            raise ValidationError("Not a valid email address.")
        try:
            return validate_email(value, check_deliverability=False).normalized
        except EmailNotValidError as error:
            raise ValidationError(f"Not a valid email address: {error}") from None


class BackorderLimit(fields.Field):
    """A product's backorder limit: a number of units, null for no limit, or "incoming"."""

    default_error_messages = {"invalid": 'Must be a whole number of units, null or "incoming".'}

    def _deserialize(self, value, attr, data, **kwargs):
        if value == "incoming":
            return value
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
            raise self.make_error("invalid")
        return value


class Url(fields.Url):
    def __init__(self, **kwargs):
        super().__init__(schemes={"http", "https"}, validate=[validate.Length(max=2000), no_control_chars], **kwargs)


# --- errors ---------------------------------------------------------------------------------

class ErrorDetail(Schema):
    code = fields.String(required=True, metadata={"example": "backorder_limit_reached"})
    message = fields.String(required=True)
    field_errors = fields.Dict(data_key="fields", metadata={"description": "Field errors, keyed like the request body"})
    details = fields.Dict(metadata={"description": "Facts about the refusal, e.g. the sku and what remains"})


class Error(Schema):
    error = fields.Nested(ErrorDetail, required=True)


# --- availability (public) -----------------------------------------------------------------

class AvailabilityQuery(Schema):
    sku = fields.List(Sku(), required=True, validate=validate.Length(min=1, max=100),
                      metadata={"description": "Repeat for several skus: ?sku=A&sku=B (1 to 100)"})


class IncomingOut(Schema):
    eta = fields.Date()
    quantity = fields.Integer()


class AvailabilityOut(Schema):
    sku = fields.String()
    state = fields.String(metadata={"enum": list(STATES)})
    purchasable = fields.Boolean()
    available_now = fields.Integer()
    backorder_remaining = fields.Integer(allow_none=True, metadata={"description": "null: no limit"})
    eta = fields.Date(allow_none=True)
    eta_source = fields.String(allow_none=True, metadata={"enum": ["shipment", "back_in_stock_date", "release_date", None]})
    incoming = fields.List(fields.Nested(IncomingOut))
    message = fields.String(allow_none=True)
    notify = fields.Boolean()


class AvailabilityList(Schema):
    items = fields.List(fields.Nested(AvailabilityOut))


class ListedProduct(Schema):
    sku = fields.Function(lambda view: view.product.sku)
    name = fields.Function(lambda view: view.product.name)
    url = fields.Function(lambda view: view.product.url)
    image_url = fields.Function(lambda view: view.product.image_url)
    availability = fields.Nested(AvailabilityOut)


class ListedProducts(Schema):
    items = fields.List(fields.Nested(ListedProduct))


# --- products (admin) ----------------------------------------------------------------------

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


# --- shipments -----------------------------------------------------------------------------

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


# --- orders --------------------------------------------------------------------------------

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
