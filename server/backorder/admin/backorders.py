"""Backorders: the order lines waiting for stock or ready to ship, oldest first, with ETAs; CSV export."""

from functools import partial

from flask import g, render_template

from .. import schemas
from ..exports import csv_response
from ..schemas.lists import LISTED_BACKORDERS
from ..services import backorders as service
from ..services.stores import today_in
from . import bp
from .lists import PAGE, choices, export_filters, listed, next_after, read_filters

FILTERS = ("status", "sku")


@bp.get("/backorders")
def backorders():
    """Open and allocated backorders, oldest first (first come, first served), filtered by status and product."""
    filters = read_filters(schemas.BackorderQuery, FILTERS + ("after",))
    rows = listed(partial(service.backorder_lines, g.store, limit=PAGE), filters)
    return render_template("admin/backorders.html", rows=rows, filter=filters, next_after=next_after(rows),
                           statuses=choices(LISTED_BACKORDERS, "Open and allocated")), 422 if filters.errors else 200


@bp.get("/backorders.csv")
def backorders_csv():
    """The backorders the filters select, as a streamed CSV download: what to ship when stock lands."""
    lines = service.all_backorder_lines(g.store, **export_filters(schemas.BackorderQuery, FILTERS))
    return csv_response(f"backorders-{today_in(g.store)}", schemas.BackorderOut,
                        map(vars, lines))
