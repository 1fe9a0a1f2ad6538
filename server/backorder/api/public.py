"""The public API the widget calls: availability and the list of products on backorder."""

import hashlib
from functools import lru_cache, wraps

from flask import Blueprint, current_app, g, jsonify, request

from .. import schemas
from ..services import products
from .spec import arguments, openapi_document, other_responses, response

bp = Blueprint("public", __name__)


def find_store(public_key):
    """The store's settings for this public key (from the per-process cache), kept in g.store."""
    g.store = current_app.extensions["backorder.stores"].get(public_key)
    return g.store


def cacheable(view):
    """Let browsers and CDNs cache a 200 for the store's max age, and revalidate it by ETag (304).

    The ETag is a hash of the body, so it changes exactly when the answer does. Headers are set
    as plain strings: werkzeug's cache_control and add_etag helpers cost more than the query.
    """

    @wraps(view)
    def wrapper(*args, **kwargs):
        answer = view(*args, **kwargs)
        if answer.status_code == 200:
            answer.headers["Cache-Control"] = f"public, max-age={g.store.cache_max_age}"
            answer.headers["ETag"] = '"' + hashlib.blake2b(answer.get_data(), digest_size=16).hexdigest() + '"'
            if "If-None-Match" in request.headers:
                answer.make_conditional(request)
        return answer

    return wrapper


@bp.after_request
def allow_store_origins(answer):
    """CORS: echo the Origin only when it is one of the store's storefronts (never *, never credentials)."""
    answer.vary.add("Origin")
    store = g.get("store")
    origin = request.headers.get("Origin")
    if store is not None and origin and origin in store.allowed_origins:
        answer.headers["Access-Control-Allow-Origin"] = origin
        answer.headers["Access-Control-Expose-Headers"] = "ETag"
    return answer


@lru_cache(maxsize=20_000)
def _dumped(availability):
    """One item of the availability answer as JSON-ready data, remembered per (frozen, hashable) value."""
    return schemas.AvailabilityOut().dump(availability)


@bp.get("/stores/<public_key:public_key>/availability")
@other_responses({304: "Not modified since the ETag in If-None-Match", 404: "Unknown store"})
@cacheable
@response(schemas.AvailabilityList, 200, "Availability of each sku, in the order asked")
@arguments(schemas.AvailabilityQuery)
def availability(query, public_key):
    """What shoppers may do with each sku (or platform id) now: in stock, backorder, preorder or sold out."""
    store = find_store(public_key)
    skus, pids = list(dict.fromkeys(query["sku"])), list(dict.fromkeys(query["pid"]))
    found = products.availability_of_skus(store, skus, pids=pids)
    # Product pages ask the same questions over and over: each item is shaped once, then reused.
    items = [_dumped(item) for item in found[:len(skus)]]
    items += [{**_dumped(item), "platform_id": pid} for item, pid in zip(found[len(skus):], pids)]
    return jsonify(store=store.widget, items=items)


@bp.get("/stores/<public_key:public_key>/backorders")
@other_responses({304: "Not modified since the ETag in If-None-Match", 404: "Unknown store"})
@cacheable
@response(schemas.ListedProducts, 200, "Products that can be backordered or preordered now")
def backorders(public_key):
    """Every product a shopper can backorder or preorder now, with its ETA."""
    store = find_store(public_key)
    return {"store": store.widget, "items": products.listed_backorders(store)}


@bp.get("/openapi.json")
def openapi():
    """This API, described as OpenAPI 3."""
    return jsonify(openapi_document())
