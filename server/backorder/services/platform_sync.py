"""Pulling from a platform's API: the catalogue and stock (sync), one BigCommerce product or order
(webhook tasks), and installing or removing the widget through BigCommerce's Scripts API."""

from flask import current_app

from ..db import db
from ..integrations import bigcommerce, shopify, woocommerce
from ..integrations.http import client_settings
from ..models import utcnow
from .errors import PlatformNotConfigured, PlatformRefused
from .platform_stock import apply_variants, fresh, record_platform_order, units
from .platforms import BIGCOMMERCE_SECRET_HEADER, connection_of, credentials_of, webhook_secret_of, webhook_url

CLIENTS = {"bigcommerce": bigcommerce.BigCommerceClient, "shopify": shopify.ShopifyClient,
           "woocommerce": woocommerce.WooCommerceClient}


def client_for(store, platform, config=None):
    """A REST client for the store's platform, with its decrypted credentials and the retry policy."""
    connection = connection_of(store, platform)
    credentials = credentials_of(connection)
    return CLIENTS[platform](connection.api_url, credentials, **client_settings(config or current_app.config))


def refresh_bigcommerce_product(store, payload, config, renew=None):
    """Re-read one product (variants and stock at every location) and apply it; stale reads lose."""
    client = client_for(store, "bigcommerce", config)
    started = utcnow()
    try:
        product = client.product(payload["product_id"])
    except PlatformRefused as error:
        if error.details.get("status") == 404:
            return "the product no longer exists"
        raise
    found = bigcommerce.variants(product)
    counts = client.counts([variant.platform_id for variant in found])
    found = bigcommerce.variants(product, counts)
    if not fresh(store.id, "bigcommerce", "product", str(payload["product_id"]), started):
        db.session.commit()
        return "a newer read was applied already"
    apply_variants(store, "bigcommerce", found)
    return f"{len(found)} variants applied"


def record_bigcommerce_order(store, payload, config, renew=None):
    """Fetch an order and its products and record its backordered lines (incomplete orders wait)."""
    client = client_for(store, "bigcommerce", config)
    order = client.order(payload["order_id"])
    if order.get("status_id") in (bigcommerce.INCOMPLETE, bigcommerce.CANCELLED, bigcommerce.DECLINED):
        return f"not a sale (status {order.get('status_id')})"
    lines = bigcommerce.order_lines(client.order_products(payload["order_id"]))
    email = (order.get("billing_address") or {}).get("email")
    return record_platform_order(store, str(order.get("id", payload["order_id"])), lines,
                                 email if isinstance(email, str) and email else None)


def sync_task(store, payload, config, renew=None):
    result = sync_store(store, payload["platform"], renew=renew, config=config)
    return f"{result['products']} products, {result['variants']} variants"


def _page_variants(client, platform, page, started, store):
    if platform == "bigcommerce":
        ids = [str(variant["id"]) for product in page for variant in product.get("variants") or []]
        counts = client.counts(ids) if ids else {}
        return [variant for product in page for variant in bigcommerce.variants(product, counts)]
    if platform == "shopify":
        found = [variant for product in page for variant in shopify.variants(product)]
        items = [variant.inventory_item_id for variant in found if variant.inventory_item_id]
        levels = client.levels(items) if items else {}
        for variant in found:
            by_location = levels.get(variant.inventory_item_id or "", {})
            # Stored per location (a fresher webhook level beats this read); apply_variants sums them.
            for location, available in by_location.items():
                if available is not None:
                    fresh(store.id, "shopify", "level", variant.inventory_item_id, started, location, units(available))
        return found
    found = []
    for product in page:
        if product.get("type") == "variable":
            found.extend(woocommerce.variant(variation, product.get("name"))
                         for variation in client.variations(product["id"]))
        else:
            found.append(woocommerce.variant(product))
    return [variant for variant in found if variant is not None]


def sync_store(store, platform, progress=None, renew=None, config=None):
    """Pull every product, variant and count from the platform and apply them page by page.

    Imports a catalogue and repairs missed webhooks. `progress(done, total)` is called after each
    page (total may be None); `renew()` after each page keeps a worker's lease. Returns counts.
    """
    client = client_for(store, platform, config)
    started = utcnow()
    total = client.product_count()
    done = variants = 0
    if progress:
        progress(0, total)
    for page in client.product_pages():
        found = _page_variants(client, platform, page, started, store)
        apply_variants(store, platform, found)
        done += len(page)
        variants += len(found)
        if renew:
            renew()
            db.session.commit()
        if progress:
            progress(done, total)
    connection = connection_of(store, platform)
    connection.last_sync_at = utcnow()
    connection.last_sync_result = f"{done} products, {variants} variants, {client.requests_made} requests"
    db.session.commit()
    return {"products": done, "variants": variants, "requests": client.requests_made}


def widget_src(store, config=None):
    """The widget's URL for a script tag that cannot carry attributes (BigCommerce's `src` kind)."""
    config = config or current_app.config
    return f"{config['PUBLIC_URL'].rstrip('/')}/widget.js?store={store.public_key}"


def install_widget(store):
    """Add the widget to every storefront page through BigCommerce's Scripts API (once)."""
    connection = connection_of(store, "bigcommerce")
    if connection is not None and connection.widget_script_id:
        return connection.widget_script_id
    uuid = client_for(store, "bigcommerce").install_script(widget_src(store))
    connection.widget_script_id = uuid
    db.session.commit()
    return uuid


def remove_widget(store):
    """Remove the script install_widget added; a script already deleted on BigCommerce counts as removed."""
    connection = connection_of(store, "bigcommerce")
    if connection is None or not connection.widget_script_id:
        raise PlatformNotConfigured("The widget is not installed through the Scripts API")
    try:
        client_for(store, "bigcommerce").remove_script(connection.widget_script_id)
    except PlatformRefused as error:
        if error.details.get("status") != 404:
            raise
    connection.widget_script_id = None
    db.session.commit()


def register_bigcommerce_webhooks(store):
    """Create BigCommerce's webhooks for this store (BigCommerce has no page for them: only its API),
    each sending the webhook secret back in our header. Returns the number of hooks."""
    connection = connection_of(store, "bigcommerce")
    secret = webhook_secret_of(connection)
    if secret is None:
        raise PlatformNotConfigured("Set the BigCommerce webhook secret first: the hooks send it back")
    client = client_for(store, "bigcommerce")
    return len(client.register_webhooks(webhook_url(store, "bigcommerce"), {BIGCOMMERCE_SECRET_HEADER: secret}))
