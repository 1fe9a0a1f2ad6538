"""Products: the searchable list with bulk actions, and each product's page (settings, live preview,
who waits, restock emails). Shipments on the product page are in shipments.py."""

from flask import abort, flash, g, jsonify, redirect, render_template, request, url_for
from marshmallow import Schema, ValidationError, fields, validate

from ..schemas.base import Sku, Text
from ..services import availability as rules
from ..services import backorders, campaigns, catalog, inventory, products, subscriptions
from ..services.errors import DomainError, UnknownCampaign
from . import bp
from .forms import Form
from .product_forms import (BULK_ACTIONS, LIMIT_CHOICES, MODE_CHOICES, LimitForm, bulk_form, product_form,
                            submitted_product)
from .widget_text import widget_lines

STATE_CHOICES = [("", "Any state"), (rules.IN_STOCK, "In stock"), (rules.BACKORDER, "Backorder"),
                 (rules.PREORDER, "Preorder"), (rules.SOLD_OUT, "Sold out")]
MAX_SELECTED = 500


class ProductSearch(Schema):
    q = Text(200, load_default=None)
    state = fields.String(validate=validate.OneOf([value for value, _ in STATE_CHOICES]), load_default=None)
    after = Sku(load_default=None)


def _list_page(bulk=None, action="", status=200):
    try:
        query = ProductSearch().load(request.args.to_dict())
    except ValidationError as error:
        abort(400, f"Not a valid search: {error.messages}")
    rows, next_after = catalog.find_products(g.store, query["q"], query["state"] or None, query["after"])
    return render_template("admin/products.html", rows=rows, next_after=next_after, query=query,
                           states=STATE_CHOICES, bulk=bulk or LimitForm(["mode", "back_in_stock_date"]), action=action,
                           actions=BULK_ACTIONS, modes=MODE_CHOICES, limits=LIMIT_CHOICES), status


@bp.get("/products", endpoint="products")
def products_list():
    """The store's products, searched by sku or name, filtered by state, a page at a time."""
    return _list_page()


@bp.post("/products")
def products_bulk():
    """Set the mode, limit or back-in-stock date of the selected products, all or none."""
    action, form = bulk_form()
    skus = request.form.getlist("sku")
    fields = form.load() if not form.errors else None
    if not 0 < len(skus) <= MAX_SELECTED:
        form.fail(f"Select between 1 and {MAX_SELECTED} products first.")
    elif fields is not None:
        catalog.update_products(g.store, skus, fields)  # another store's sku: 404, nothing changed
        flash(f"{BULK_ACTIONS[action]}: done for {len(skus)} product(s).")
        return redirect(url_for("admin.products", **request.args))
    return _list_page(form, action, status=422)


def product_page(product, form=None, plan=None, edit=None, edit_id=None, status=200):
    view = products.describe_products(g.store, [product])[0]
    campaign = next(iter(campaigns.campaigns_of(g.store, product, limit=1)), None)
    return render_template(
        "admin/product.html", product=product, view=view, form=form or product_form(product),
        lines=widget_lines(g.store, view.availability), modes=MODE_CHOICES, limits=LIMIT_CHOICES,
        shipments=inventory.shipments_of(product), plan=plan or Form(None, ["quantity", "expected_on"]),
        edit=edit, edit_id=edit_id,
        backorders=backorders.backorder_lines(g.store, status="open", sku=product.sku, limit=200),
        waiting=subscriptions.list_subscriptions(g.store, product.sku, status="active", limit=100),
        waiting_total=catalog.waiting_counts([product.id])[product.id], campaign=campaign,
    ), status


@bp.route("/products/<sku:sku>", methods=["GET", "POST"])
def products_page(sku):
    """One product: its settings (the API's ProductIn), what the widget shows, shipments, who waits."""
    product = products.get_product(g.store, sku)
    form = product_form(product)
    if form.submitted():
        fields = submitted_product(form)
        if fields is not None:
            products.upsert_products(g.store, [(product.sku, fields)])
            flash("Saved. The widget shows the change within the store's cache time.")
            return redirect(url_for("admin.products_page", sku=product.sku))
        return product_page(product, form, status=422)
    return product_page(product, form)


@bp.post("/products/<sku:sku>/preview")
def products_preview(sku):
    """What the widget would show if the posted (unsaved) settings were saved, as JSON for products.js."""
    product = products.get_product(g.store, sku)
    form = product_form(product)
    fields = submitted_product(form)
    if fields is None:
        return jsonify(state=None, lines=[], errors=form.errors), 422
    found = catalog.preview_availability(g.store, product, fields)
    return jsonify(state=found.state, lines=widget_lines(g.store, found), errors={})


@bp.post("/products/<sku:sku>/restock-emails")
def products_restock_emails(sku):
    """The merchant's "send restock emails now": a campaign to everyone waiting, in the store's waves."""
    product = products.get_product(g.store, sku)
    try:
        campaigns.start_manual_campaign(g.store, product)
    except DomainError as error:  # sold out: nobody could buy it
        flash(error.message, "error")
    else:
        flash("Restock emails are on their way; the progress shows below.")
    return redirect(url_for("admin.products_page", sku=product.sku, _anchor="campaign"))


@bp.get("/products/<sku:sku>/campaigns/<int:campaign_id>/progress")
def products_campaign_progress(sku, campaign_id):
    """A campaign's progress as {"done", "total", "finished", "text"} for admin.js's progress bar."""
    product = products.get_product(g.store, sku)
    campaign = campaigns.campaign_of(g.store, campaign_id)
    if campaign.product_id != product.id:
        raise UnknownCampaign(f"No campaign {campaign_id} for {sku!r}", campaign_id=campaign_id)
    found = catalog.campaign_progress(campaign)
    text = f"{found.sent} of {found.total} sent" + ("" if not found.finished else f" · {found.status}")
    return jsonify(done=found.done, total=found.total, finished=found.finished, text=text)
