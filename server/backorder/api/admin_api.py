"""The admin REST API (Bearer store token): products, stock, shipments, orders."""

from flask import Blueprint, g

from .. import schemas
from ..services import inventory, orders, products
from .auth import token_required
from .spec import arguments, body, other_responses, response

bp = Blueprint("admin_api", __name__)


def _view(product):
    return products.describe_products(g.store, [product])[0]


@bp.get("/products")
@token_required
@response(schemas.ProductPage, 200, "One page of products, by sku")
@arguments(schemas.ProductQuery)
def list_products(query):
    """List the store's products with their availability, a page at a time."""
    page = products.list_products(g.store, query["limit"], query.get("after"))
    next_after = page[-1].sku if len(page) == query["limit"] else None
    return {"items": products.describe_products(g.store, page), "next_after": next_after}


@bp.put("/products")
@token_required
@other_responses({409: "A platform id claimed twice, or held by another product"})
@response(schemas.ProductList, 200, "The products, in the order sent, each with `created`")
@body(schemas.ProductBulkItem(many=True), "1 to 1,000 products; all are saved or none")
def put_products(items):
    """Create or update many products at once, all or nothing."""
    if not 1 <= len(items) <= 1000:
        raise schemas.ValidationError({"_schema": ["Send between 1 and 1,000 products."]})
    saved = products.upsert_products(g.store, [(item.pop("sku"), item) for item in items])
    created = {product.sku for product, is_new in saved if is_new}
    return {"items": products.describe_products(g.store, [product for product, _ in saved], created)}


@bp.get("/products/<sku:sku>")
@token_required
@other_responses({404: "No product with this sku"})
@response(schemas.ProductOut, 200, "The product")
def get_product(sku):
    """One product with its availability."""
    return _view(products.get_product(g.store, sku))


@bp.put("/products/<sku:sku>")
@token_required
@other_responses({200: "Updated: the same body as 201", 409: "The platform id belongs to another product"})
@response(schemas.ProductOut, 201, "Created")
@body(schemas.ProductIn)
def put_product(fields, sku):
    """Create or update a product by sku: stock, mode, limit, dates and shop details."""
    schemas.SkuPath().load({"sku": sku})
    ((product, created),) = products.upsert_products(g.store, [(sku, fields)])
    view = products.describe_products(g.store, [product], {sku} if created else set())[0]
    return view, 201 if created else 200


@bp.get("/products/<sku:sku>/shipments")
@token_required
@other_responses({404: "No product with this sku"})
@response(schemas.ShipmentList, 200, "The product's shipments, by expected date")
def list_shipments(sku):
    """Every shipment of a product: planned, received and cancelled."""
    return {"items": inventory.shipments_of(products.get_product(g.store, sku))}


@bp.post("/products/<sku:sku>/shipments")
@token_required
@other_responses({404: "No product with this sku"})
@response(schemas.ShipmentOut, 201, "The planned shipment")
@body(schemas.ShipmentIn)
def plan_shipment(fields, sku):
    """Plan incoming stock for a product; backordered units claim it first come, first served."""
    return inventory.plan_shipment(products.get_product(g.store, sku), **fields)


@bp.patch("/shipments/<int:shipment_id>")
@token_required
@other_responses({404: "No such shipment (also another store's)", 409: "Not planned any more"})
@response(schemas.ShipmentOut, 200, "The changed shipment")
@body(schemas.ShipmentPatch)
def update_shipment(fields, shipment_id):
    """Change the quantity still expected or the expected date of a planned shipment."""
    return inventory.update_shipment(inventory.shipment_of(g.store, shipment_id), **fields)


@bp.delete("/shipments/<int:shipment_id>")
@token_required
@other_responses({404: "No such shipment (also another store's)", 409: "Not planned any more"})
@response(schemas.ShipmentOut, 200, "The cancelled shipment")
def cancel_shipment(shipment_id):
    """Cancel a planned shipment: its units no longer count towards ETAs."""
    return inventory.cancel_shipment(inventory.shipment_of(g.store, shipment_id))


@bp.post("/shipments/<int:shipment_id>/receive")
@token_required
@other_responses({404: "No such shipment (also another store's)", 409: "Not planned any more"})
@response(schemas.ReceiptOut, 200, "What was received, which backorders it filled, what is left")
@body(schemas.ReceiveIn, "Leave out the body, or the quantity, to receive all that is expected", required=False)
def receive_shipment(fields, shipment_id):
    """Receive all or part of a shipment: stock goes up, open backorders are filled oldest first."""
    receipt = inventory.receive_shipment(inventory.shipment_of(g.store, shipment_id), fields.get("quantity"))
    return {**vars(receipt), "product": _view(receipt.shipment.product)}


@bp.post("/orders")
@token_required
@other_responses({200: "This order_ref was recorded before: the first answer again",
                  404: "An unknown sku", 409: "Over a backorder limit, not backorderable, or order_ref reused"})
@response(schemas.OrderOut, 201, "Recorded: per line, units shipping now and units backordered with their ETA")
@body(schemas.OrderIn)
def record_order(fields):
    """Record an order: each line ships from stock first and backorders the rest, all lines or none."""
    result = orders.record_order(g.store, fields["order_ref"], fields["lines"], fields.get("email"))
    return result, 201 if result.created else 200
