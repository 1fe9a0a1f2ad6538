"""The admin REST API for backorders: what waits for stock, oldest first, with its ETA; JSON or CSV."""

from flask import g

from .. import schemas
from ..exports import csv_response
from ..services import backorders
from .admin_api import bp
from .auth import token_required
from .spec import arguments, csv_too, other_responses, response


@bp.get("/backorders")
@token_required
@other_responses({404: "No product with this sku"})
@csv_too
@response(schemas.BackorderList, 200, "One page of open and allocated backorders, oldest first")
@arguments(schemas.BackorderQuery)
def list_backorders(query):
    """Backordered order lines with the ETA and the shipment each waits for (first come, first served)."""
    limit, after, wanted = query.pop("limit"), query.pop("after", None), query.pop("format")
    if wanted == "csv":
        rows = map(vars, backorders.all_backorder_lines(g.store, **query))  # BackorderLine has every column
        return csv_response("backorders", schemas.BackorderOut, rows)
    lines = backorders.backorder_lines(g.store, limit=limit, after=after, **query)
    return {"items": lines, "next_after": lines[-1].id if len(lines) == limit else None}
