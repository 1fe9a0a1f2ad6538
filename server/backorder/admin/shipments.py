"""A product's shipments: plan, edit, cancel, and receive (all or part) after seeing which backorders
the stock will fill. The same service functions (and schemas) as the admin API."""

from flask import flash, g, redirect, render_template, request, url_for
from marshmallow import ValidationError

from ..schemas import ReceiveIn, ShipmentIn, ShipmentPatch
from ..services import catalog, inventory, products
from ..services.errors import DomainError
from . import bp
from .forms import Form
from .products import product_page

SHIPMENT_FIELDS = ["quantity", "expected_on"]


def _back(product, message, category="message"):
    flash(message, category)
    return redirect(url_for("admin.products_page", sku=product.sku, _anchor="shipments"))


def _shipment(sku, shipment_id):
    product = products.get_product(g.store, sku)
    return product, catalog.shipment_of_product(product, shipment_id)


@bp.post("/products/<sku:sku>/shipments")
def products_plan_shipment(sku):
    """Plan incoming stock; backordered units claim it first come, first served."""
    product = products.get_product(g.store, sku)
    form = Form(ShipmentIn(), SHIPMENT_FIELDS)
    fields = form.load()
    if fields is None:
        return product_page(product, plan=form, status=422)
    shipment = inventory.plan_shipment(product, **fields)
    return _back(product, f"Planned {shipment.quantity} unit(s) for {shipment.expected_on:%-d %b %Y}.")


@bp.post("/products/<sku:sku>/shipments/<int:shipment_id>")
def products_edit_shipment(sku, shipment_id):
    """Change what a planned shipment still brings, or when; customers whose ETA slips are told."""
    product, shipment = _shipment(sku, shipment_id)
    form = Form(ShipmentPatch(), SHIPMENT_FIELDS)
    fields = form.load()
    if fields is None:
        return product_page(product, edit=form, edit_id=shipment.id, status=422)
    try:
        inventory.update_shipment(shipment, **fields)
    except DomainError as error:  # received or cancelled meanwhile
        return _back(product, error.message, "error")
    return _back(product, f"Shipment {shipment.id} changed.")


@bp.post("/products/<sku:sku>/shipments/<int:shipment_id>/cancel")
def products_cancel_shipment(sku, shipment_id):
    """Stop expecting a planned shipment."""
    product, shipment = _shipment(sku, shipment_id)
    try:
        inventory.cancel_shipment(shipment)
    except DomainError as error:
        return _back(product, error.message, "error")
    return _back(product, f"Shipment {shipment.id} cancelled.")


@bp.route("/products/<sku:sku>/shipments/<int:shipment_id>/receive", methods=["GET", "POST"])
def products_receive_shipment(sku, shipment_id):
    """GET: which backorders receiving (all, or ?quantity=) would fill. POST: receive it."""
    product, shipment = _shipment(sku, shipment_id)
    form = Form(ReceiveIn(), ["quantity"], {"quantity": request.args.get("quantity") or shipment.quantity})
    if request.method == "GET":
        fields = _load_quantity(form, request.args)
    else:
        fields = form.load()
    if fields is None:
        return _receive_page(product, shipment, form, None, 422)
    if request.method == "GET":
        return _receive_page(product, shipment, form, inventory.preview_receipt(shipment, fields["quantity"]))
    try:
        receipt = inventory.receive_shipment(shipment, fields["quantity"])
    except DomainError as error:  # no longer planned, or too many units
        form.fail(error.message)
        return _receive_page(product, shipment, form, None, 409)
    return _back(product, f"Received {receipt.received} unit(s): {len(receipt.allocations)} backorder(s) filled, "
                          f"{receipt.restocked} unit(s) free to sell.")


def _load_quantity(form, args):
    """The review page's quantity, from the query string, through ReceiveIn."""
    raw = (args.get("quantity") or "").strip()
    form.values["quantity"] = raw or str(form.values["quantity"])
    number = raw or form.values["quantity"]
    if not number.isascii() or not number.isdigit() or len(number) > 11:
        form.fail("Must be a whole number of units.", "quantity")
        return None
    try:
        return ReceiveIn().load({"quantity": int(number)})
    except ValidationError as error:
        form.fail(error.messages["quantity"][0], "quantity")
        return None


def _receive_page(product, shipment, form, preview, status=200):
    return render_template("admin/receive.html", product=product, shipment=shipment, form=form,
                           preview=preview), status
