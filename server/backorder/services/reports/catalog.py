"""Every report by name, run the same way for the admin API, its CSV downloads and the admin pages."""

from . import activity, demand, funnel

TITLES = {
    "demand": "Demand and what to reorder",
    "suppliers": "Suppliers",
    "purchase-list": "Purchase list",
    "funnel": "Funnel",
    "backorders": "Backorder performance",
    "email": "Email health",
    "activity": "Activity per day",
}


def run_report(store, name, period, options, paged=True):
    """(rows, extra) of report `name` over `period`: rows are mappings (the CSV and the JSON items), extra
    the JSON answer's other keys (summary, reasons…). `options` are the query's report-specific values;
    with paged=False every row comes back (CSV), else `limit` rows from `offset`."""
    page = dict(limit=options.get("limit"), offset=options.get("offset", 0)) if paged else {}
    if name == "demand":
        rows, summary = demand.demand(store, period, options.get("sort", "suggested"),
                                      supplier=options.get("supplier"), stream=not paged, **page)
        return rows, {"summary": summary}
    if name == "suppliers":
        rows, summary = demand.suppliers(store, period)
        return rows, {"summary": summary}
    if name == "purchase-list":
        rows, summary = demand.purchase_list(store, period, options["supplier"], stream=not paged)
        return rows, {"summary": summary}
    if name == "funnel":
        if options.get("by") == "day":
            rows = funnel.funnel_by_day(store, period)
            return rows, {"by": "day", "summary": funnel.totals(rows)}
        rows, totals = funnel.funnel_by_product(store, period, options.get("sort", "signups"), **page)
        return rows, {"by": "product", "summary": totals}
    if name == "backorders":
        rows, summary = activity.backorder_performance(store, period)
        return rows, {"summary": summary}
    if name == "email":
        days, reasons = activity.email_health(store, period)
        return (reasons if options.get("by") == "reason" else days), {"reasons": reasons}
    if name == "activity":
        return activity.daily_activity(store, period), {}
    raise KeyError(name)
