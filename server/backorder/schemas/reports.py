"""Reports (admin API): the period asked for, and each report's rows. A report's CSV has its row schema's columns."""

from datetime import date, datetime, timedelta, timezone

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from .base import Day, Money, Text

MAX_DAYS = 366
FIRST_DAY = date(2000, 1, 1)
FORMATS = ("json", "csv")


class ReportQuery(Schema):
    start = Day(metadata={"description": "First day (store's time zone); default: 29 days before `end`"})
    end = Day(metadata={"description": "Last day, included; default: today in the store's time zone"})
    format = fields.String(load_default="json", validate=validate.OneOf(FORMATS),
                           metadata={"description": "csv: the rows as a CSV download (UTF-8, a header row)"})

    @validates_schema
    def _a_period(self, data, **kwargs):
        start, end = data.get("start"), data.get("end")
        for name in ("start", "end"):  # the day's bounds in UTC must exist (year 1 in Berlin starts in year 0)
            if data.get(name) and data[name] < FIRST_DAY:
                raise ValidationError(f"Must be no earlier than {FIRST_DAY}.", name)
        if start and end and start > end:
            raise ValidationError("Must not be after end.", "start")
        if start and end and end - start >= timedelta(days=MAX_DAYS):
            raise ValidationError(f"A report covers at most {MAX_DAYS} days.", "start")
        # Without end the period runs to today in the store's zone, one day either side of UTC's today:
        # held so the longest it can be still fits (start=2000-01-01 alone was 9,800 days).
        if start and not end and start < datetime.now(timezone.utc).date() - timedelta(days=MAX_DAYS - 2):
            raise ValidationError(f"A report covers at most {MAX_DAYS} days: give end too, or a start in the last "
                                  f"{MAX_DAYS - 2} days.", "start")


class PagedReportQuery(ReportQuery):
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000),
                           metadata={"description": "Rows in a JSON answer (CSV has them all)"})
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10_000_000))


class DemandQuery(PagedReportQuery):
    sort = fields.String(load_default="suggested", validate=validate.OneOf(
        ("suggested", "backordered", "value", "waiting", "waiting_since", "sku")))
    supplier = Text(200, min_length=1)


class PurchaseListQuery(ReportQuery):
    supplier = Text(200, min_length=1, required=True)


class FunnelQuery(PagedReportQuery):
    by = fields.String(load_default="product", validate=validate.OneOf(("product", "day")))
    sort = fields.String(load_default="signups", validate=validate.OneOf(("signups", "views", "converted", "sku")))


class EmailQuery(ReportQuery):
    by = fields.String(load_default="day", validate=validate.OneOf(("day", "reason")),
                       metadata={"description": "CSV rows: one per day, or one per reason an email was not sent"})


class Period(Schema):
    start = fields.Date()
    end = fields.Date()
    timezone = fields.String(attribute="zone")


class ConversionRate(Schema):
    rate = fields.Float(metadata={"description": "Share of alerted shoppers expected to buy"})
    source = fields.String(metadata={"enum": ["measured", "default"]})
    sample = fields.Integer(metadata={"description": "Restock emails the measured rate is based on"})


class DemandRow(Schema):
    sku = fields.String()
    name = fields.String(allow_none=True)
    supplier = fields.String(allow_none=True)
    price = Money(allow_none=True)
    mode = fields.String()
    on_hand = fields.Integer()
    backordered = fields.Integer(metadata={"description": "Open backordered units"})
    backordered_value = Money(metadata={
        "description": "Open backordered units × their order price (else the product price)"})
    waiting_subscribers = fields.Integer(metadata={"description": "Active restock alerts"})
    waiting_units = fields.Integer(metadata={"description": "Units those alerts asked for"})
    expected_conversions = fields.Integer(metadata={"description": "waiting_units × conversion rate, rounded up"})
    incoming_units = fields.Integer(metadata={"description": "Units in planned shipments"})
    next_incoming_on = fields.Date(allow_none=True)
    waiting_since = fields.Date(allow_none=True, metadata={"description": "Day of the oldest open backorder or alert"})
    days_waiting = fields.Integer(allow_none=True)
    signups_in_period = fields.Integer()
    backordered_in_period = fields.Integer()
    min_order_quantity = fields.Integer(allow_none=True)
    quota_reached = fields.Boolean(metadata={"description": "Open backorders reached the supplier's minimum order"})
    suggested_reorder = fields.Integer(metadata={
        "description": "max(0, backordered + expected_conversions − incoming)"})
    order_quantity = fields.Integer(metadata={
        "description": "suggested_reorder raised to min_order_quantity (0: none)"})


class DemandSummary(Schema):
    products = fields.Integer()
    backordered = fields.Integer()
    backordered_value = Money()
    waiting_units = fields.Integer()
    suggested_reorder = fields.Integer()
    quota_reached = fields.Integer()
    conversion_rate = fields.Nested(ConversionRate)
    supplier = fields.String()


class DemandReport(Schema):
    period = fields.Nested(Period)
    summary = fields.Nested(DemandSummary)
    items = fields.List(fields.Nested(DemandRow))


class SupplierRow(Schema):
    supplier = fields.String(allow_none=True, metadata={"description": "null: products without a supplier"})
    products = fields.Integer()
    backordered = fields.Integer()
    backordered_value = Money()
    waiting_units = fields.Integer()
    quota_reached = fields.Integer(metadata={"description": "Products whose backorders reached the minimum order"})
    suggested_reorder = fields.Integer()


class SupplierReport(Schema):
    period = fields.Nested(Period)
    summary = fields.Nested(DemandSummary)
    items = fields.List(fields.Nested(SupplierRow))


def _stages():
    """The funnel's columns, new field objects for each schema that has them."""
    return dict(
        views=fields.Integer(metadata={"description": "Product-page views while not in stock"}),
        signups=fields.Integer(),
        confirmed=fields.Integer(),
        notified=fields.Integer(metadata={"description": "Sign-ups sent a restock or order-now email"}),
        clicked=fields.Integer(),
        converted=fields.Integer(metadata={"description": "Sign-ups with an attributed order"}),
        converted_units=fields.Integer(),
        converted_revenue=Money(),
        signup_rate=fields.Float(allow_none=True, metadata={"description": "signups / views"}),
        conversion_rate=fields.Float(allow_none=True, metadata={"description": "converted / notified"}),
    )


FunnelTotals = Schema.from_dict(_stages(), name="FunnelTotals")
FunnelProductRow = Schema.from_dict({"sku": fields.String(), "name": fields.String(allow_none=True), **_stages()},
                                    name="FunnelProductRow")
FunnelDayRow = Schema.from_dict({"day": fields.Date(), **_stages()}, name="FunnelDayRow")
FunnelRow = Schema.from_dict({"sku": fields.String(), "name": fields.String(allow_none=True),
                              "day": fields.Date(), **_stages()}, name="FunnelRow")


class FunnelReport(Schema):
    period = fields.Nested(Period)
    by = fields.String()
    summary = fields.Nested(FunnelTotals)
    items = fields.List(fields.Nested(FunnelRow), metadata={"description": "sku and name (by=product) or day (by=day)"})


class BackorderDay(Schema):
    day = fields.Date()
    orders = fields.Integer(metadata={"description": "Orders with backordered units"})
    backordered_units = fields.Integer()
    backordered_value = Money()


class BackorderSummary(Schema):
    orders = fields.Integer()
    backordered_units = fields.Integer()
    backordered_value = Money()
    filled_backorders = fields.Integer(metadata={"description": "Backorders allocated stock in the period"})
    filled_late = fields.Integer(metadata={"description": "…of which after their promised date"})
    avg_promised_wait_days = fields.Float(allow_none=True, metadata={"description": "Order to promised ETA"})
    avg_actual_wait_days = fields.Float(allow_none=True, metadata={"description": "Order to allocation"})
    past_eta_backorders = fields.Integer(metadata={"description": "Open now, promised date passed"})
    past_eta_units = fields.Integer()


class BackorderReport(Schema):
    period = fields.Nested(Period)
    summary = fields.Nested(BackorderSummary)
    items = fields.List(fields.Nested(BackorderDay))


class EmailDay(Schema):
    day = fields.Date()
    sent = fields.Integer()
    failed = fields.Integer()
    suppressed = fields.Integer(metadata={"description": "Not sent on purpose (unsubscribed, suppressed…)"})
    queued = fields.Integer()
    unsubscribed = fields.Integer(metadata={"description": "Addresses that opted out that day"})
    clicked = fields.Integer()


class EmailReason(Schema):
    status = fields.String(metadata={"enum": ["failed", "suppressed"]})
    kind = fields.String()
    reason = fields.String()
    count = fields.Integer()


class EmailReport(Schema):
    period = fields.Nested(Period)
    items = fields.List(fields.Nested(EmailDay))
    reasons = fields.List(fields.Nested(EmailReason), metadata={"description": "Why emails were not sent, most first"})


class ActivityDay(Schema):
    day = fields.Date()
    signups = fields.Integer()
    backordered_units = fields.Integer()
    restock_emails = fields.Integer(metadata={"description": "Restock and order-now emails sent"})


class ActivityReport(Schema):
    period = fields.Nested(Period)
    items = fields.List(fields.Nested(ActivityDay))


__all__ = [
    "ActivityDay", "ActivityReport", "BackorderDay", "BackorderReport", "DemandQuery", "DemandReport", "DemandRow",
    "EmailDay", "EmailQuery", "EmailReason", "EmailReport", "FunnelDayRow", "FunnelProductRow", "FunnelQuery",
    "FunnelReport", "FunnelRow",
    "PurchaseListQuery", "ReportQuery", "SupplierReport", "SupplierRow",
]
