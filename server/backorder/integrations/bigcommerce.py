"""BigCommerce: webhook authentication (our secret header, Standard Webhooks), thin callbacks turned
into tasks, and the REST API (Catalog v3, Inventory v3, Orders v2, Scripts v3)."""

import hashlib
import re
from ..services.errors import BadPayload
from ..services.platform_stock import PlatformVariant
from .http import ApiClient
from .shopify import _id, _int, _money, _text, parse_time

STOCK_SCOPES = re.compile(
    r"store/(product|sku)/inventory(/order)?/updated\Z"
    r"|store/channel/[^/]+/inventory/product/(stock_changed|settings_changed|out_of_stock_reached)\Z")
# The webhooks register_webhooks creates: stock, products and orders.
SUBSCRIBED_SCOPES = ("store/product/inventory/updated", "store/product/inventory/order/updated",
                     "store/sku/inventory/updated", "store/sku/inventory/order/updated", "store/product/updated",
                     "store/sku/created", "store/order/created", "store/order/statusUpdated")
PRODUCT_SCOPES = ("store/product/created", "store/product/updated", "store/sku/created", "store/sku/updated")
INCOMPLETE, CANCELLED, DECLINED = 0, 5, 6  # order status ids that are not (yet) sales


def _number(value, name):
    """A positive id as an int (BigCommerce ids are numbers; a JSON string of digits is taken too)."""
    text = _id(value, name)
    if not text.isdigit() or len(text) > 18:
        raise BadPayload(f"{name} is not a number", field=name)
    return int(text)


def delivery_id(headers, payload, body):
    """The dedupe key: webhook-id when signed the Standard Webhooks way, else the payload's hash."""
    return headers.get("webhook-id") or (payload.get("hash") if isinstance(payload.get("hash"), str) else None) \
        or hashlib.sha1(body).hexdigest()


def task_for(payload):
    """The task (a dict for the outbox) a callback asks for, or None for a scope we do not use.

    Callbacks are triggers only: the task re-reads the product or order through the API.
    """
    if not isinstance(payload, dict) or not isinstance(payload.get("scope"), str):
        raise BadPayload("A BigCommerce callback is a JSON object with a scope")
    scope, data = payload["scope"], payload.get("data")
    if not isinstance(data, dict):
        raise BadPayload("A BigCommerce callback has a data object")
    if STOCK_SCOPES.match(scope) or scope in PRODUCT_SCOPES:
        inventory = data.get("inventory") if isinstance(data.get("inventory"), dict) else {}
        sku = data.get("sku") if isinstance(data.get("sku"), dict) else {}
        if data.get("type") == "product":
            product_id = data.get("id")
        else:  # sku scopes and channel inventory: the product is named inside
            product_id = inventory.get("product_id") or sku.get("product_id") or data.get("product_id")
        return {"task": "product", "product_id": _number(product_id, "data product id")}
    if scope == "store/order/created":
        return {"task": "order", "order_id": _number(data.get("id"), "data.id")}
    if scope == "store/order/statusUpdated":
        status = data.get("status") if isinstance(data.get("status"), dict) else {}
        # created while incomplete (payment pending or failed): record it once it becomes a sale
        if status.get("previous_status_id") == INCOMPLETE and status.get("new_status_id") not in (
                INCOMPLETE, CANCELLED, DECLINED):
            return {"task": "order", "order_id": _number(data.get("id"), "data.id")}
    return None


def _count(locations, name):
    values = [location.get(name) for location in locations if isinstance(location, dict)
              and location.get("location_enabled", True) and isinstance(location.get(name), int)]
    return sum(values) if values else None


def variant_counts(inventory_items):
    """{variant_id: (count, native backorder limit or None)} from GET /v3/inventory/items.

    The count is available to sell summed over enabled locations; when the store uses native
    backorders (a backorder_limit is present) it is on hand minus backordered units instead, and the
    limit stands for ours.
    """
    counts = {}
    for item in inventory_items:
        identity = item.get("identity") or {}
        locations = item.get("locations") or []
        limits = [location.get("backorder_limit", (location.get("settings") or {}).get("backorder_limit"))
                  for location in locations if isinstance(location, dict)]
        limits = [limit for limit in limits if isinstance(limit, int)]
        if limits:
            count = (_count(locations, "total_inventory_onhand") or 0) - (_count(locations, "qty_backordered") or 0)
        else:
            count = _count(locations, "available_to_sell")
        if identity.get("variant_id") is not None and count is not None:
            counts[str(identity["variant_id"])] = (count, sum(limits) if limits else None)
    return counts


def variants(product, counts=None):
    """PlatformVariants of a Catalog v3 product fetched with include=variants, with counts from the
    Inventory API when given (else the catalogue's default-location inventory_level)."""
    if not isinstance(product, dict):
        raise BadPayload("A product is a JSON object")
    product_id = _id(product.get("id"), "id")
    tracking = product.get("inventory_tracking")
    release = parse_time(product.get("preorder_release_date")) if product.get("availability") == "preorder" else None
    found = []
    for variant in product.get("variants") or []:
        if not isinstance(variant, dict):
            raise BadPayload("Each variant is a JSON object")
        variant_id = _id(variant.get("id"), "variants[].id")
        options = " / ".join(str(value.get("label")) for value in variant.get("option_values") or []
                             if isinstance(value, dict))
        count, limit = (counts or {}).get(variant_id, (None, None))
        if count is None and tracking in ("product", "variant"):
            count = _int(product.get("inventory_level") if tracking == "product" else variant.get("inventory_level"),
                         "inventory_level", required=False)
        name = _text(product.get("name"), 200)
        found.append(PlatformVariant(
            sku=_text(variant.get("sku"), 100) or _text(product.get("sku"), 100) or f"bigcommerce-{variant_id}",
            platform_id=variant_id, platform_product_id=product_id,
            name=f"{name} – {options}" if name and options else name,
            price=_money(variant.get("price") if variant.get("price") is not None else product.get("price")),
            stock=count if tracking != "none" else None, backorder_limit=limit,
            release_date=release.date() if release else None,
        ))
    return found


def order_lines(products):
    """Lines of GET /v2/orders/{id}/products; quantity_backordered is used where the store has it."""
    lines = []
    for item in products:
        backordered = item.get("quantity_backordered")
        lines.append({"platform_id": _id(item["variant_id"], "variant_id") if item.get("variant_id") else None,
                      "sku": _text(item.get("sku"), 100), "quantity": _int(item.get("quantity"), "quantity"),
                      "unit_price": _money(item.get("base_price")),
                      "backordered": backordered if isinstance(backordered, int) else None})
    return lines


class BigCommerceClient(ApiClient):
    """api.bigcommerce.com/stores/{store_hash} with X-Auth-Token; honours X-Rate-Limit-* headers."""

    platform = "bigcommerce"

    def __init__(self, api_url, credentials, **settings):
        super().__init__(api_url, headers={"X-Auth-Token": credentials["access_token"]}, **settings)

    def rate_limit_wait(self, response):
        reset = response.headers.get("X-Rate-Limit-Time-Reset-Ms", "")
        return int(reset) / 1000 if reset.isdigit() else super().rate_limit_wait(response)

    def pause_after(self, response):
        left = response.headers.get("X-Rate-Limit-Requests-Left", "")
        reset = response.headers.get("X-Rate-Limit-Time-Reset-Ms", "")
        return int(reset) / 1000 if left.isdigit() and int(left) <= 1 and reset.isdigit() else 0

    def _pages(self, path, params):
        page = 1
        while True:
            answer = self.get_json(path, **params, page=page)
            yield answer
            pagination = (answer.get("meta") or {}).get("pagination") or {}
            if page >= int(pagination.get("total_pages") or 1):
                return
            page += 1

    def product_count(self):
        return ((self.get_json("v3/catalog/products", limit=1).get("meta") or {}).get("pagination") or {}).get("total")

    def product_pages(self, per_page=250):
        for answer in self._pages("v3/catalog/products", {"include": "variants", "limit": per_page}):
            yield answer.get("data") or []

    def product(self, product_id):
        return self.get_json(f"v3/catalog/products/{int(product_id)}", include="variants").get("data") or {}

    def counts(self, variant_ids):
        """variant_counts for these variants (read in slices of 100)."""
        ids = [str(value) for value in variant_ids]
        items = []
        for start in range(0, len(ids), 100):
            for answer in self._pages("v3/inventory/items", {"variant_id:in": ",".join(ids[start:start + 100]),
                                                             "limit": 100}):
                items.extend(answer.get("data") or [])
        return variant_counts(items)

    def order(self, order_id):
        return self.get_json(f"v2/orders/{int(order_id)}")

    def order_products(self, order_id):
        return self.get_json(f"v2/orders/{int(order_id)}/products", limit=250)

    def install_script(self, src, name="backorder widget"):
        """Create the widget's storefront script; returns its uuid."""
        body = {"name": name, "description": "Backorder and back-in-stock status on product pages",
                "kind": "src", "src": src, "load_method": "defer", "location": "footer",
                "visibility": "storefront", "consent_category": "functional", "auto_uninstall": True,
                "enabled": True}
        return self.request("POST", "v3/content/scripts", json=body).json()["data"]["uuid"]

    def register_webhooks(self, destination, headers, scopes=SUBSCRIBED_SCOPES):
        """Create (or update and reactivate) one webhook per scope for `destination`; returns their ids.

        A hook is unique per scope and destination, and visible only to the token that made it, so
        existing ones are found by listing and then updated instead of duplicated.
        """
        existing = {}
        for answer in self._pages("v3/hooks", {"limit": 250}):
            for hook in answer.get("data") or []:
                if hook.get("destination") == destination:
                    existing[hook.get("scope")] = hook.get("id")
        ids = []
        for scope in scopes:
            body = {"scope": scope, "destination": destination, "is_active": True, "headers": headers}
            if scope in existing:
                self.request("PUT", f"v3/hooks/{int(existing[scope])}", json=body)
                ids.append(existing[scope])
            else:
                ids.append(self.request("POST", "v3/hooks", json=body).json()["data"]["id"])
        return ids

    def remove_script(self, uuid):
        self.request("DELETE", f"v3/content/scripts/{uuid}")


