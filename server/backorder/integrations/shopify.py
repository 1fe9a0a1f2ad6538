"""Shopify: webhook HMAC, payloads (inventory levels, products, orders, privacy) and the Admin REST API."""

import re
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation

from ..schemas.base import CONTROL_CHARS
from ..services.errors import BadPayload
from ..services.platform_stock import PlatformVariant
from .http import ApiClient
from .signatures import body_signature_valid

LINK_NEXT = re.compile(r'<([^>]+)>;\s*rel="?next"?')


def signature_valid(secret, headers, body):
    """X-Shopify-Hmac-Sha256: base64 HMAC-SHA256 of the raw body under the app's client secret."""
    return body_signature_valid(secret, body, headers.get("X-Shopify-Hmac-Sha256", ""))


def delivery_of(headers):
    """(dedupe key, topic, triggered at) of a delivery."""
    return headers.get("X-Shopify-Webhook-Id"), headers.get("X-Shopify-Topic", ""), parse_time(
        headers.get("X-Shopify-Triggered-At"))


def parse_time(value):
    """An ISO 8601 time as aware UTC, or None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)


def _id(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).strip() or len(str(value)) > 64 \
            or CONTROL_CHARS.search(str(value)):
        raise BadPayload(f"{name} is missing or not an id", field=name)
    return str(value)


def _int(value, name, required=True):
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadPayload(f"{name} is not a whole number", field=name)
    return value


def _money(value):
    try:
        money = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return money if money.is_finite() and 0 <= money < 10**10 else None


def _text(value, limit):
    """Text from a payload, without control characters or lone surrogates (the database refuses them)."""
    if not isinstance(value, str):
        return None
    value = CONTROL_CHARS.sub("", value).strip()[:limit].strip()
    return value or None


def level(payload):
    """(inventory_item_id, location_id, available or None when untracked) of an inventory_levels/update."""
    if not isinstance(payload, dict):
        raise BadPayload("An inventory level is a JSON object")
    return (_id(payload.get("inventory_item_id"), "inventory_item_id"), _id(payload.get("location_id"), "location_id"),
            _int(payload.get("available"), "available", required=False))


def variants(product):
    """PlatformVariants of a REST Product resource (products/update, or one product of a sync page)."""
    if not isinstance(product, dict) or not isinstance(product.get("variants", []), list):
        raise BadPayload("A product is a JSON object with a list of variants")
    product_id = _id(product.get("id"), "id")
    title = _text(product.get("title"), 200)
    found = []
    for variant in product.get("variants", []):
        if not isinstance(variant, dict):
            raise BadPayload("Each variant is a JSON object")
        variant_id = _id(variant.get("id"), "variants[].id")
        policy = variant.get("inventory_policy")
        variant_title = _text(variant.get("title"), 100)
        name = title if not variant_title or variant_title == "Default Title" else f"{title} – {variant_title}"
        item = variant.get("inventory_item_id")
        found.append(PlatformVariant(
            sku=_text(variant.get("sku"), 100) or f"shopify-{variant_id}", platform_id=variant_id,
            platform_product_id=product_id, name=name, price=_money(variant.get("price")),
            sells_at_zero={"continue": True, "deny": False}.get(policy) if isinstance(policy, str) else None,
            inventory_item_id=_id(item, "inventory_item_id") if item is not None else None,
        ))
    return found


def order_lines(order):
    """(order ref, email, lines) of an orders/create payload; lines name the variant id and sku."""
    if not isinstance(order, dict) or not isinstance(order.get("line_items"), list):
        raise BadPayload("An order is a JSON object with line_items")
    lines = []
    for item in order["line_items"]:
        if not isinstance(item, dict):
            raise BadPayload("Each line item is a JSON object")
        quantity = _int(item.get("quantity"), "line_items[].quantity")
        variant = item.get("variant_id")
        lines.append({"platform_id": _id(variant, "line_items[].variant_id") if variant is not None else None,
                      "sku": _text(item.get("sku"), 100),
                      "quantity": quantity, "unit_price": _money(item.get("price"))})
    ref = _text(order.get("name"), 100) or _id(order.get("id"), "id")
    return ref, _text(order.get("email"), 320), lines


def redacted_email(payload):
    """The address a customers/redact asks us to forget."""
    customer = payload.get("customer") if isinstance(payload, dict) else None
    email = customer.get("email") if isinstance(customer, dict) else None
    return _text(email, 320)


class ShopifyClient(ApiClient):
    """Admin REST API, X-Shopify-Access-Token; pages follow the Link header's rel="next"."""

    platform = "shopify"

    def __init__(self, api_url, credentials, **settings):
        super().__init__(api_url, headers={"X-Shopify-Access-Token": credentials["access_token"]}, **settings)

    def pause_after(self, response):
        # X-Shopify-Shop-Api-Call-Limit: "39/40": the bucket leaks 2 calls a second.
        used, _, size = response.headers.get("X-Shopify-Shop-Api-Call-Limit", "").partition("/")
        return 1.0 if used.isdigit() and size.isdigit() and int(used) >= int(size) - 1 else 0

    def product_count(self):
        return self.get_json("products/count.json").get("count")

    def product_pages(self, per_page=250):
        """Each page of products (lists of Product resources)."""
        response = self.request("GET", "products.json", params={"limit": per_page})
        while True:
            yield response.json().get("products", [])
            found = LINK_NEXT.search(response.headers.get("Link", ""))
            if not found:
                return
            response = self.request("GET", found.group(1))

    def levels(self, inventory_item_ids):
        """{inventory_item_id: {location_id: available}} for these items (at most 50 per request)."""
        levels = {}
        ids = [str(item) for item in inventory_item_ids]
        for start in range(0, len(ids), 50):
            response = self.request("GET", "inventory_levels.json",
                                    params={"inventory_item_ids": ",".join(ids[start:start + 50]), "limit": 250})
            while True:
                for found in response.json().get("inventory_levels", []):
                    by_location = levels.setdefault(str(found["inventory_item_id"]), {})
                    by_location[str(found["location_id"])] = found.get("available")
                link = LINK_NEXT.search(response.headers.get("Link", ""))
                if not link:
                    break
                response = self.request("GET", link.group(1))
        return levels
