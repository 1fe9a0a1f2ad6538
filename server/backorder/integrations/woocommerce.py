"""WooCommerce: the creation ping, webhook HMAC, product/variation and order payloads, the REST API (v3)."""

import re

from ..services.errors import BadPayload
from ..services.platform_stock import PlatformVariant
from .http import ApiClient
from .shopify import _id, _int, _money, _text, parse_time
from .signatures import body_signature_valid

PING = re.compile(rb"webhook_id=\d{1,20}\Z")
BACKORDERED_META = "Backordered"  # the line item meta WooCommerce adds with the units it oversold


def is_ping(headers, body):
    """The unsigned form-encoded `webhook_id=N` WooCommerce posts when a webhook is created or activated."""
    return "X-WC-Webhook-Signature" not in headers and PING.match(body.strip()) is not None


def signature_valid(secret, headers, body):
    """X-WC-Webhook-Signature: base64 HMAC-SHA256 of the raw body under the webhook's secret."""
    return body_signature_valid(secret, body, headers.get("X-WC-Webhook-Signature", ""))


def delivery_of(headers):
    return headers.get("X-WC-Webhook-Delivery-ID"), headers.get("X-WC-Webhook-Topic", "")


def variant(product, parent_name=None):
    """The PlatformVariant of a simple product or a variation; None for a variable parent (its
    variations carry the stock) and for grouped or external products (nothing to stock)."""
    if not isinstance(product, dict):
        raise BadPayload("A product is a JSON object")
    product_id = _id(product.get("id"), "id")
    kind = product.get("type", "simple")
    if kind not in ("simple", "variation") and not product.get("parent_id"):
        return None
    parent = _id(product["parent_id"], "parent_id") if product.get("parent_id") else None
    manage = product.get("manage_stock")
    if manage is True:
        stock = _int(product.get("stock_quantity"), "stock_quantity", required=False)
    elif product.get("stock_status") in ("instock", "outofstock", "onbackorder"):
        # Stock WooCommerce does not count: in stock counts as one unit, anything else as none.
        stock = 1 if product["stock_status"] == "instock" else 0
    else:
        stock = None
    name = _text(product.get("name"), 300)
    if parent_name and name and not name.startswith(parent_name):
        name = f"{parent_name} – {name}"
    return PlatformVariant(
        sku=_text(product.get("sku"), 100) or f"woocommerce-{product_id}", platform_id=product_id,
        platform_product_id=parent or product_id, name=name, price=_money(product.get("price")),
        stock=stock, sells_at_zero={"no": False, "notify": True, "yes": True}.get(str(product.get("backorders"))),
    )


def modified_at(product):
    """When the product last changed (date_modified_gmt is UTC without a zone), or None."""
    value = product.get("date_modified_gmt") if isinstance(product, dict) else None
    return parse_time(value + "Z") if isinstance(value, str) and value else None


def order_lines(order):
    """(order ref, email, lines, status) of an order payload; a line says how many units WooCommerce
    oversold when it added its "Backordered" meta."""
    if not isinstance(order, dict) or not isinstance(order.get("line_items"), list):
        raise BadPayload("An order is a JSON object with line_items")
    lines = []
    for item in order["line_items"]:
        if not isinstance(item, dict):
            raise BadPayload("Each line item is a JSON object")
        backordered = None
        for meta in item.get("meta_data") if isinstance(item.get("meta_data"), list) else []:
            if isinstance(meta, dict) and meta.get("key") == BACKORDERED_META:
                try:
                    backordered = int(str(meta.get("value")))
                except ValueError:
                    pass
        target = item.get("variation_id") or item.get("product_id")
        lines.append({"platform_id": _id(target, "line_items[].product_id") if target else None,
                      "sku": _text(item.get("sku"), 100),
                      "quantity": _int(item.get("quantity"), "line_items[].quantity"),
                      "unit_price": _money(item.get("price")), "backordered": backordered})
    billing = order.get("billing") if isinstance(order.get("billing"), dict) else {}
    ref = _text(str(order.get("number") or ""), 100) or _id(order.get("id"), "id")
    return ref, _text(billing.get("email"), 320), lines, order.get("status")


class WooCommerceClient(ApiClient):
    """REST API v3 with the consumer key and secret (HTTP Basic over HTTPS); pages by X-WP-TotalPages."""

    platform = "woocommerce"

    def __init__(self, api_url, credentials, **settings):
        super().__init__(api_url, auth=(credentials["consumer_key"], credentials["consumer_secret"]), **settings)

    def _pages(self, path, per_page=100):
        page = 1
        while True:
            response = self.request("GET", path, params={"per_page": per_page, "page": page})
            yield response
            total = response.headers.get("X-WP-TotalPages", "1")
            if not total.isdigit() or page >= int(total):
                return
            page += 1

    def product_count(self):
        response = self.request("GET", "products", params={"per_page": 1})
        total = response.headers.get("X-WP-Total", "")
        return int(total) if total.isdigit() else None

    def product_pages(self):
        for response in self._pages("products"):
            yield response.json()

    def variations(self, product_id):
        found = []
        for response in self._pages(f"products/{product_id}/variations"):
            found.extend(response.json())
        return found
