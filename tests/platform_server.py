"""A local HTTP server playing BigCommerce, Shopify and WooCommerce REST APIs over real HTTP.

It serves the documented endpoints and pagination (BigCommerce meta.pagination, Shopify Link
rel="next", WooCommerce X-WP-TotalPages), checks each platform's authentication, and can be told to
answer the next requests with 429 (with each platform's rate-limit headers) or 500.
"""

import base64
import contextlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

BC_TOKEN, SHOPIFY_TOKEN, WOO_KEY, WOO_SECRET = "bc-token-1234", "shpat_5678", "ck_abc", "cs_def"
BC_BASE, SHOPIFY_BASE, WOO_BASE = "/stores/abc123", "/admin/api/2025-07", "/wp-json/wc/v3"


class FakePlatforms:
    """The state each fake platform serves, what was asked of it, and the failures still to play."""

    def __init__(self):
        self.requests = []  # (method, path with query, headers)
        self.failures = []  # [status, headers, times left, path prefix]
        self.bc_products, self.bc_inventory, self.bc_orders, self.bc_order_products = [], {}, {}, {}
        self.bc_scripts, self.bc_hooks = {}, {}
        self.shopify_products, self.shopify_levels = [], {}  # levels: {item id: {location: available}}
        self.woo_products, self.woo_variations = [], {}
        self.url = None

    def fail_next(self, status, times=1, headers=None, path=""):
        self.failures.append([status, headers or {}, times, path])

    def paths(self, method="GET"):
        return [path for verb, path, _ in self.requests if verb == method]


def _page(items, page, per_page):
    start = (page - 1) * per_page
    return items[start:start + per_page], max(1, -(-len(items) // per_page))


class Handler(BaseHTTPRequestHandler):
    fake: FakePlatforms = None

    def log_message(self, *args):
        pass

    def _send(self, status, body=None, headers=None):
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _handle(self, method):
        fake = self.fake
        parts = urlsplit(self.path)
        query = {name: values[0] for name, values in parse_qs(parts.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        fake.requests.append((method, self.path, dict(self.headers)))
        for failure in fake.failures:
            if failure[2] > 0 and parts.path.startswith(failure[3]):
                failure[2] -= 1
                return self._send(failure[0], {"title": "try again"}, failure[1])
        path = parts.path
        if path.startswith(BC_BASE):
            if self.headers.get("X-Auth-Token") != BC_TOKEN:
                return self._send(401, {"title": "Unauthorized"})
            return self._bigcommerce(method, path[len(BC_BASE):], query, body)
        if path.startswith(SHOPIFY_BASE):
            if self.headers.get("X-Shopify-Access-Token") != SHOPIFY_TOKEN:
                return self._send(401, {"errors": "Invalid API key or access token"})
            return self._shopify(path[len(SHOPIFY_BASE):], query)
        if path.startswith(WOO_BASE):
            expected = "Basic " + base64.b64encode(f"{WOO_KEY}:{WOO_SECRET}".encode()).decode()
            if self.headers.get("Authorization") != expected:
                return self._send(401, {"code": "woocommerce_rest_cannot_view"})
            return self._woocommerce(path[len(WOO_BASE):], query)
        return self._send(404, {"title": "not found"})

    def _bigcommerce(self, method, path, query, body):
        fake = self.fake
        limits = {"X-Rate-Limit-Requests-Left": "100", "X-Rate-Limit-Requests-Quota": "150",
                  "X-Rate-Limit-Time-Reset-Ms": "1000", "X-Rate-Limit-Time-Window-Ms": "30000"}
        if path == "/v3/catalog/products":
            page, per_page = int(query.get("page", 1)), int(query.get("limit", 50))
            items, pages = _page(fake.bc_products, page, per_page)
            meta = {"pagination": {"total": len(fake.bc_products), "count": len(items), "per_page": per_page,
                                   "current_page": page, "total_pages": pages}}
            return self._send(200, {"data": items, "meta": meta}, limits)
        if path.startswith("/v3/catalog/products/"):
            found = [p for p in fake.bc_products if str(p["id"]) == path.rsplit("/", 1)[1]]
            return self._send(200, {"data": found[0], "meta": {}}, limits) if found else self._send(404, {"title": "nope"})
        if path == "/v3/inventory/items":
            wanted = query.get("variant_id:in", "").split(",")
            items = [fake.bc_inventory[v] for v in wanted if v in fake.bc_inventory]
            return self._send(200, {"data": items, "meta": {"pagination": {"total": len(items), "total_pages": 1}}},
                              limits)
        if path.startswith("/v2/orders/"):
            parts = path.split("/")
            order_id = parts[3]
            if len(parts) == 5 and parts[4] == "products":
                return self._send(200, fake.bc_order_products.get(order_id, []), limits)
            return self._send(200, fake.bc_orders[order_id], limits) if order_id in fake.bc_orders \
                else self._send(404, [{"status": 404, "message": "not found"}])
        if path == "/v3/hooks" and method == "GET":
            hooks = list(fake.bc_hooks.values())
            return self._send(200, {"data": hooks, "meta": {"pagination": {"total": len(hooks), "total_pages": 1}}})
        if path == "/v3/hooks" and method == "POST":
            if any(h["scope"] == body["scope"] and h["destination"] == body["destination"] for h in fake.bc_hooks.values()):
                return self._send(422, {"title": "A webhook with this scope and destination already exists"})
            hook_id = len(fake.bc_hooks) + 1
            fake.bc_hooks[hook_id] = {"id": hook_id, **body}
            return self._send(200, {"data": fake.bc_hooks[hook_id], "meta": {}})
        if path.startswith("/v3/hooks/") and method == "PUT":
            hook_id = int(path.rsplit("/", 1)[1])
            fake.bc_hooks[hook_id].update(body)
            return self._send(200, {"data": fake.bc_hooks[hook_id], "meta": {}})
        if path == "/v3/content/scripts" and method == "POST":
            uuid = f"script-{len(fake.bc_scripts) + 1}"
            fake.bc_scripts[uuid] = body
            return self._send(200, {"data": {"uuid": uuid, **body}, "meta": {}}, limits)
        if path.startswith("/v3/content/scripts/") and method == "DELETE":
            uuid = path.rsplit("/", 1)[1]
            if fake.bc_scripts.pop(uuid, None) is None:
                return self._send(404, {"title": "not found"})
            return self._send(204)
        return self._send(404, {"title": "not found"})

    def _shopify(self, path, query):
        fake = self.fake
        calls = {"X-Shopify-Shop-Api-Call-Limit": "1/40"}
        if path == "/products/count.json":
            return self._send(200, {"count": len(fake.shopify_products)}, calls)
        if path == "/products.json":
            per_page = int(query.get("limit", 50))
            start = int(query.get("page_info", "0"))
            items = fake.shopify_products[start:start + per_page]
            headers = dict(calls)
            if start + per_page < len(fake.shopify_products):
                headers["Link"] = f'<{fake.url}{SHOPIFY_BASE}/products.json?limit={per_page}&page_info={start + per_page}>; rel="next"'
            return self._send(200, {"products": items}, headers)
        if path == "/inventory_levels.json":
            levels = [{"inventory_item_id": int(item), "location_id": int(location), "available": available}
                      for item in query.get("inventory_item_ids", "").split(",")
                      for location, available in fake.shopify_levels.get(item, {}).items()]
            return self._send(200, {"inventory_levels": levels}, calls)
        return self._send(404, {"errors": "Not Found"})

    def _woocommerce(self, path, query):
        fake = self.fake
        page, per_page = int(query.get("page", 1)), int(query.get("per_page", 10))
        if path == "/products":
            items, pages = _page(fake.woo_products, page, per_page)
            return self._send(200, items, {"X-WP-Total": str(len(fake.woo_products)), "X-WP-TotalPages": str(pages)})
        if path.startswith("/products/") and path.endswith("/variations"):
            variations = fake.woo_variations.get(path.split("/")[2], [])
            items, pages = _page(variations, page, per_page)
            return self._send(200, items, {"X-WP-Total": str(len(variations)), "X-WP-TotalPages": str(pages)})
        return self._send(404, {"code": "rest_no_route"})

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def do_DELETE(self):
        self._handle("DELETE")

    def do_PUT(self):
        self._handle("PUT")


@contextlib.contextmanager
def serving_fake_platforms():
    """FakePlatforms served on 127.0.0.1 (its .url) while the block runs."""
    fake = FakePlatforms()
    handler = type("BoundHandler", (Handler,), {"fake": fake})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def platforms():
    """FakePlatforms served on 127.0.0.1 (its .url), stopped after the test."""
    with serving_fake_platforms() as fake:
        yield fake
