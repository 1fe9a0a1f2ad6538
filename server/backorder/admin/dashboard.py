"""The dashboard: what needs attention now, and sign-ups, backordered units and restock emails per day."""

from flask import g, render_template, request

from ..services.reports import period_for
from ..services.reports.activity import daily_activity
from ..services.reports.attention import attention
from . import bp, charts

CHART_DAYS = (30, 90)


def activity_chart(store, days):
    """(the SVG chart, the rows behind it) of the last `days` days' activity, from the reports service."""
    rows = daily_activity(store, period_for(store, days=days))
    chart = charts.line_chart(f"Activity, last {days} days", [row["day"] for row in rows], [
        ("Sign-ups", [row["signups"] for row in rows]),
        ("Backordered units", [row["backordered_units"] for row in rows]),
        ("Restock emails", [row["restock_emails"] for row in rows]),
    ])
    return chart, rows


@bp.get("/dashboard")
def dashboard():
    """What needs attention, and the last 30 (or ?days=90) days in a chart (/admin/ leads here)."""
    days = 90 if request.args.get("days") == "90" else 30
    chart, rows = activity_chart(g.store, days)
    return render_template("admin/dashboard.html", attention=attention(g.store), chart=chart, rows=rows, days=days,
                           chart_days=CHART_DAYS)
