"""The admin REST API for reports: JSON by default, a streamed CSV download with ?format=csv."""

from flask import g

from .. import schemas
from ..exports import csv_response
from ..services.reports import period_for
from ..services.reports.catalog import run_report
from .admin_api import bp
from .auth import token_required
from .spec import arguments, csv_too, response


def answer(name, query, row_schema):
    """The report as JSON data, or as a CSV response when the query asks for it."""
    options = dict(query)
    period = period_for(g.store, options.pop("start", None), options.pop("end", None))
    if options.pop("format") == "csv":
        rows, _ = run_report(g.store, name, period, options, paged=False)
        return csv_response(f"{name}-{period.start}-{period.end}", row_schema, rows)
    rows, extra = run_report(g.store, name, period, options)
    return {"period": period, "items": rows, **extra}


@bp.get("/reports/demand")
@token_required
@csv_too
@response(schemas.DemandReport, 200, "Products with open backorders or waiting shoppers, what to buy first on top")
@arguments(schemas.DemandQuery)
def demand_report(query):
    """Demand per product and the suggested reorder quantity."""
    return answer("demand", query, schemas.DemandRow)


@bp.get("/reports/suppliers")
@token_required
@csv_too
@response(schemas.SupplierReport, 200, "Demand per supplier, with the products whose backorders reached its minimum")
@arguments(schemas.ReportQuery)
def suppliers_report(query):
    """Demand per supplier: units backordered, products at their minimum order, units to order."""
    return answer("suppliers", query, schemas.SupplierRow)


@bp.get("/reports/purchase-list")
@token_required
@csv_too
@response(schemas.DemandReport, 200, "The supplier's products to order, with the quantity (at least the minimum)")
@arguments(schemas.PurchaseListQuery)
def purchase_list_report(query):
    """What to order from one supplier (?supplier=), as a list or a CSV to send."""
    return answer("purchase-list", query, schemas.DemandRow)


@bp.get("/reports/funnel")
@token_required
@csv_too
@response(schemas.FunnelReport, 200, "Views, then the period's sign-ups: confirmed, emailed, clicked, converted")
@arguments(schemas.FunnelQuery)
def funnel_report(query):
    """From product-page views to orders, per product (?by=product) or per day (?by=day)."""
    return answer("funnel", query, schemas.FunnelDayRow if query["by"] == "day" else schemas.FunnelProductRow)


@bp.get("/reports/backorders")
@token_required
@csv_too
@response(schemas.BackorderReport, 200, "Backordered units and value per day; promised vs actual wait; late now")
@arguments(schemas.ReportQuery)
def backorders_report(query):
    """Backorder performance: units and revenue per day, promised vs actual wait, backorders past their ETA."""
    return answer("backorders", query, schemas.BackorderDay)


@bp.get("/reports/email")
@token_required
@csv_too
@response(schemas.EmailReport, 200, "Emails sent, failed, suppressed and clicked per day; opt-outs; reasons")
@arguments(schemas.EmailQuery)
def email_report(query):
    """Email health per day, and why emails were not sent."""
    return answer("email", query, schemas.EmailReason if query["by"] == "reason" else schemas.EmailDay)


@bp.get("/reports/activity")
@token_required
@csv_too
@response(schemas.ActivityReport, 200, "Sign-ups, backordered units and restock emails per day")
@arguments(schemas.ReportQuery)
def activity_report(query):
    """Activity per day: what the dashboard's chart shows."""
    return answer("activity", query, schemas.ActivityDay)
