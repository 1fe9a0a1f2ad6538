"""Reports: each report of the admin API as a page (a chart, a table) and as a CSV download."""

from datetime import timedelta

from flask import abort, g, render_template, request
from marshmallow import ValidationError

from .. import schemas
from ..exports import csv_response
from ..services.reports import period_for
from ..services.reports.catalog import TITLES, run_report
from ..services.reports.demand import supplier_names
from ..services.stores import today_in
from . import bp, charts

TABLE_ROWS = 100  # a page shows this many rows; the CSV has them all

# name: (query schema, row schema, the table's columns)
PAGES = {
    "demand": (schemas.DemandQuery, schemas.DemandRow, (
        "sku", "name", "supplier", "on_hand", "backordered", "backordered_value", "waiting_subscribers",
        "waiting_units", "incoming_units", "next_incoming_on", "days_waiting", "quota_reached", "suggested_reorder",
        "order_quantity")),
    "suppliers": (schemas.ReportQuery, schemas.SupplierRow, None),
    "purchase-list": (schemas.PurchaseListQuery, schemas.DemandRow, (
        "sku", "name", "backordered", "waiting_units", "incoming_units", "min_order_quantity", "suggested_reorder",
        "order_quantity")),
    "funnel": (schemas.FunnelQuery, schemas.FunnelProductRow, None),
    "backorders": (schemas.ReportQuery, schemas.BackorderDay, None),
    "email": (schemas.EmailQuery, schemas.EmailDay, None),
    "activity": (schemas.ReportQuery, schemas.ActivityDay, None),
}
LABELS = {"sku": "SKU", "backordered_value": "Backordered value", "waiting_subscribers": "Waiting shoppers",
          "next_incoming_on": "Next shipment", "quota_reached": "Minimum order reached",
          "suggested_reorder": "Suggested reorder", "order_quantity": "To order", "notified": "Emailed",
          "signups": "Sign-ups", "restock_emails": "Restock emails"}


def _query(name):
    """(the report's options and period, the values typed, errors by field) from the query string."""
    query_schema = PAGES[name][0]
    values = {key: value.strip() for key, value in request.args.items() if key != "report"}
    fields = query_schema().fields
    raw = {key: value for key, value in values.items() if key in fields and value and key != "format"}
    if name == "purchase-list" and "supplier" not in raw:
        return None, values, {}  # the page asks which supplier
    try:
        options, errors = query_schema().load(raw), {}
    except ValidationError as error:
        return None, values, {key: messages[0] for key, messages in error.messages.items()}
    days = values.get("days")
    if "start" not in options and days in ("7", "30", "90", "365"):  # the quick links
        options["start"] = options.get("end", today_in(g.store)) - timedelta(days=int(days) - 1)
    return options, values, errors


def _row_schema(name, options):
    if name == "funnel" and options.get("by") == "day":
        return schemas.FunnelDayRow
    if name == "email" and options.get("by") == "reason":
        return schemas.EmailReason
    return PAGES[name][1]


@bp.get("/reports")
def reports():
    """One report over a period: summary, chart, table, and a link to its CSV (the same URL with format=csv)."""
    name = request.args.get("report", "demand")
    if name not in PAGES:
        abort(404, "There is no such report.")
    if request.args.get("format") == "csv":
        return _download(name)
    options, values, errors = _query(name)
    ready = options is not None
    options = options or {}
    period = period_for(g.store, options.pop("start", None), options.pop("end", None))
    options.pop("format", None)
    rows, extra = run_report(g.store, name, period, {**options, "limit": TABLE_ROWS}) if ready else ([], {})
    row_schema = _row_schema(name, options)
    columns = PAGES[name][2] if row_schema is PAGES[name][1] and PAGES[name][2] else tuple(row_schema().fields)
    csv_args = {key: value for key, value in values.items() if value and key not in ("days",)}
    csv_args.update(report=name, start=period.start.isoformat(), end=period.end.isoformat(), format="csv")
    return render_template(
        "admin/reports.html", name=name, titles=TITLES, period=period, values=values, errors=errors, rows=rows,
        extra=extra, columns=columns, labels=LABELS, chart=chart_of(name, options, rows, extra),
        csv_args=csv_args, table_rows=TABLE_ROWS, ready=ready,
        suppliers=supplier_names(g.store) if name == "purchase-list" else []), 422 if errors else 200


def _download(name):
    """The report's rows as a CSV download (all of them), for the period and options in the query string."""
    options, _, errors = _query(name)
    if options is None:
        abort(400, " ".join(f"{key}: {message}" for key, message in errors.items()) or "Name a supplier.")
    period = period_for(g.store, options.pop("start", None), options.pop("end", None))
    options.pop("format", None)
    rows, _ = run_report(g.store, name, period, options, paged=False)
    return csv_response(f"{name}-{period.start}-{period.end}", _row_schema(name, options), rows)


def chart_of(name, options, rows, extra):
    """The report's picture: bars for what to buy, lines for what happened per day, the funnel's stages."""
    if not rows:
        return None
    if name in ("demand", "purchase-list"):
        key = "suggested_reorder" if name == "demand" else "order_quantity"
        top = sorted(rows, key=lambda row: -row[key])[:10]
        return charts.bar_chart("Units to reorder, top 10", [(row["sku"], row[key]) for row in top if row[key]])
    if name == "suppliers":
        return charts.bar_chart("Units to reorder per supplier", [
            (row["supplier"] or "No supplier", row["suggested_reorder"]) for row in rows[:10]])
    if name == "funnel" and options.get("by") != "day":
        totals = extra["summary"]
        return charts.bar_chart("Funnel", [(label, totals[key]) for key, label in (
            ("views", "Product-page views"), ("signups", "Sign-ups"), ("confirmed", "Confirmed"),
            ("notified", "Emailed"), ("clicked", "Clicked"), ("converted", "Converted"))])
    series = {
        "funnel": (("Views", "views"), ("Sign-ups", "signups"), ("Converted", "converted")),
        "backorders": (("Backordered units", "backordered_units"), ("Orders", "orders")),
        "email": (("Sent", "sent"), ("Failed", "failed"), ("Suppressed", "suppressed"),
                  ("Unsubscribed", "unsubscribed")),
        "activity": (("Sign-ups", "signups"), ("Backordered units", "backordered_units"),
                     ("Restock emails", "restock_emails")),
    }.get(name)
    if series is None or "day" not in rows[0]:
        return None
    return charts.line_chart(f"{TITLES[name]} per day", [row["day"] for row in rows],
                             [(label, [row[key] for row in rows]) for label, key in series])
