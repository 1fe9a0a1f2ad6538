"""Demo storefront pages at /demo/: one page per platform style, so a person can see every state.

The pages are plain Jinja templates (templates/storefront/) that need only three values, so the
browser tests render the very same files from a second origin. Page scripts live in
static/storefront/ (no inline script: the pages must also work under a strict CSP).
"""

import os

from flask import Blueprint, abort, render_template, request, send_from_directory

from .db import db
from .demo import DEMO_NAME
from .models import Store

bp = Blueprint("storefront", __name__, url_prefix="/demo")

HERE = os.path.dirname(os.path.abspath(__file__))
PAGE_SCRIPTS = os.path.join(HERE, "static", "storefront")
# jQuery is a dev dependency of the repo (WooCommerce themes run on it); an installed wheel has no copy.
JQUERY = os.path.join(os.path.dirname(os.path.dirname(HERE)), "node_modules", "jquery", "dist", "jquery.min.js")

PAGES = {
    "plain": "Any theme: [data-backorder-sku] placeholders on a collection page, and the backorder list",
    "cornerstone": "BigCommerce Cornerstone product page: size options, onProductOptionsChanged",
    "dawn": "Shopify Dawn product page: variant radios, the hidden variant id input and its change event",
    "woocommerce": "WooCommerce variable product (found_variation / reset_data) and a simple product",
}

# What each demo product shows (server/backorder/demo.py builds them).
PRODUCTS = [
    ("DEMO-TEE-S", "In stock (25): nothing shown, until a quantity above 25 says how many ship now and when the rest do"),
    ("DEMO-TEE-M", "Backorder: ships with the shipment due in 12 days; the button says so"),
    ("DEMO-TEE-L", "Sold out: button disabled, notify-me form"),
    ("DEMO-TEE-XL", "Preorder: released in 60 days"),
    ("DEMO-MUG", "Backorder up to 10 units, back-in-stock date set by hand"),
    ("DEMO-LAMP", "Backorder with the merchant's message, two shipments"),
    ("DEMO-BOOK", "Preorder"),
    ("DEMO-CAP", "Sold out, notify me"),
    ("DEMO-BAG", "Sold out: its backorder limit is reached"),
    ("DEMO-SCARF", "Backorder only as many as are on order"),
    ("DEMO-SOCKS", "Sold out: what is left is safety stock"),
]


def _demo_public_key():
    """The demo store's public key, or None before `backorder demo` has run."""
    return db.session.execute(db.select(Store.public_key).filter_by(name=DEMO_NAME)).scalar()


@bp.get("/")
def index():
    """Links to every demo page and what each demo product shows."""
    return render_template("storefront/index.html", pages=PAGES, products=PRODUCTS,
                           public_key=_demo_public_key())


@bp.get("/<any(plain, cornerstone, dawn, woocommerce):page>")
def page(page):
    """One demo storefront page with the widget snippet, for the demo store."""
    public_key = _demo_public_key()
    if public_key is None:
        abort(404, description="There is no demo store yet: run `backorder demo`.")
    return render_template(f"storefront/{page}.html", widget_src=request.url_root + "widget.js",
                           public_key=public_key, asset_base=request.script_root + "/demo/assets")


@bp.get("/assets/<path:name>")
def asset(name):
    """The pages' own scripts and stylesheet, and jQuery from the repo's node_modules."""
    if name == "jquery.js":
        if not os.path.exists(JQUERY):
            abort(404, description="jQuery is not installed: run `npm ci` in the repository (node_modules/jquery).")
        return send_from_directory(os.path.dirname(JQUERY), os.path.basename(JQUERY), mimetype="text/javascript")
    return send_from_directory(PAGE_SCRIPTS, name)
