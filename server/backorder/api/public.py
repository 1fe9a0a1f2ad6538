"""The public API the widget calls: availability and the list of products on backorder."""

import hashlib
from functools import wraps

from flask import Blueprint, Response, current_app, g, jsonify, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import TooManyRequests

from .. import ratelimit, schemas
from ..mail.i18n import phrase
from ..services import answers, products, subscriptions
from ..services.errors import UnknownStore
from ..services.stores import store_by_public_key, store_generation
from .spec import arguments, body, openapi_document, other_responses, response

bp = Blueprint("public", __name__)


def find_store(public_key):
    """The store's settings for this public key (from the per-process cache), kept in g.store."""
    g.store = current_app.extensions["backorder.stores"].get(public_key)
    return g.store


def cacheable(view):
    """Let browsers and CDNs cache a 200 for the store's max age, and revalidate it by ETag (304).

    The ETag is a hash of the body, so it changes exactly when the answer does. The answer is kept
    for ANSWER_CACHE_SECONDS (api/recent.py): a repeat of the same URL, or its revalidation, is
    answered from memory without the database. Headers are set as plain strings: werkzeug's
    cache_control and add_etag helpers cost more than the query.
    """

    @wraps(view)
    def wrapper(*args, public_key, **kwargs):
        recent = current_app.extensions["backorder.recent"]
        key = (request.path, request.query_string)
        store = find_store(public_key)
        kept = recent.get(key)
        if kept is not None:
            _count_views(store, kept.viewed)
            return _answer(kept.body, kept.etag, kept.max_age)
        generation = store_generation(store.id)  # before reading: a change meanwhile makes it stale
        g.viewed = ()
        answer = view(*args, public_key=public_key, **kwargs)
        if answer.status_code != 200:
            return answer
        body = answer.get_data()
        etag = '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'
        recent.put(key, store.id, generation, etag, body, store.cache_max_age, g.viewed)
        _count_views(store, g.viewed)
        return _answer(body, etag, store.cache_max_age)

    return wrapper


def _answer(body, etag, max_age):
    """The 200 with its caching headers, or a 304 when If-None-Match names its ETag: the same for an answer
    just computed and one kept in memory."""
    match = request.headers.get("If-None-Match")
    unchanged = bool(match) and _matches(match, etag)
    answer = Response(b"" if unchanged else body, 304 if unchanged else 200, mimetype="application/json")
    answer.headers["Cache-Control"] = f"public, max-age={max_age}"
    answer.headers["ETag"] = etag
    return answer


def _matches(if_none_match, etag):
    """If-None-Match compares weakly (RFC 9110 13.1.2): W/"x" matches "x", and * matches any."""
    return etag in if_none_match or if_none_match.strip() == "*"


def _count_views(store, items):
    views = current_app.extensions.get("backorder.views")
    if views is not None and items:  # counted in memory, written in batches (services/views.py): no write per request
        views.count(store, items)


@bp.after_request
def allow_store_origins(answer):
    """CORS: echo the Origin only when it is one of the store's storefronts (never *, never credentials).

    A preflight (OPTIONS, sent before the widget's JSON POST) is answered here too: Flask answers
    OPTIONS itself without calling the view, so the store is looked up from the path.
    """
    answer.vary.add("Origin")
    origin = request.headers.get("Origin")
    store = g.get("store")
    # A preflight, or a request refused before the view looked the store up (400, 413, 415, 422):
    # the widget must still be able to read the answer.
    if store is None and origin and request.view_args and "public_key" in request.view_args:
        try:
            store = find_store(request.view_args["public_key"])
        except (UnknownStore, SQLAlchemyError):  # no such store, or the database is down: no CORS
            store = None
    if store is not None and origin and origin in store.allowed_origins:
        answer.headers["Access-Control-Allow-Origin"] = origin
        answer.headers["Access-Control-Expose-Headers"] = "ETag, Retry-After"
        if request.method == "OPTIONS":
            allowed = request.url_rule.methods - {"HEAD", "OPTIONS"} if request.url_rule else {"GET"}
            answer.headers["Access-Control-Allow-Methods"] = ", ".join(sorted(allowed))
            answer.headers["Access-Control-Allow-Headers"] = "Content-Type"
            answer.headers["Access-Control-Max-Age"] = "600"
    return answer


@bp.get("/stores/<public_key:public_key>/availability")
@other_responses({304: "Not modified since the ETag in If-None-Match", 404: "Unknown store"})
@cacheable
@response(schemas.AvailabilityList, 200, "Availability of each sku, in the order asked")
@arguments(schemas.AvailabilityQuery)
def availability(query, public_key):
    """What shoppers may do with each sku (or platform id) now: in stock, backorder, preorder or sold out."""
    store = g.store
    skus, pids = list(dict.fromkeys(query["sku"])), list(dict.fromkeys(query["pid"]))
    found = answers.answers_for(store, skus, pids=pids)
    g.viewed = found  # counted by cacheable, here and on each repeat answered from memory
    items = found[:len(skus)] + [{**item, "platform_id": pid} for item, pid in zip(found[len(skus):], pids)]
    return jsonify(store=store.widget, items=items)


@bp.get("/stores/<public_key:public_key>/backorders")
@other_responses({304: "Not modified since the ETag in If-None-Match", 404: "Unknown store"})
@cacheable
@response(schemas.ListedProducts, 200, "Products that can be backordered or preordered now")
def backorders(public_key):
    """Every product a shopper can backorder or preorder now, with its ETA."""
    store = g.store
    return {"store": store.widget, "items": products.listed_backorders(store)}


def limit_signups(email):
    """Refuse (429) a sign-up past the limits per client address, per email address and per store."""
    config = current_app.config
    limiter = current_app.extensions["backorder.ratelimiter"]
    wait = limiter.hit_many([
        (ratelimit.ip_key(request.remote_addr or "0.0.0.0"), ratelimit.parse_limit(config["SIGNUP_LIMIT_IP"])),
        (f"email:{subscriptions.email_hash(email)}", ratelimit.parse_limit(config["SIGNUP_LIMIT_EMAIL"])),
        (f"store:{g.store.id}", ratelimit.parse_limit(config["SIGNUP_LIMIT_STORE"])),
    ])
    if wait > 0:  # one generic answer, whichever bucket ran dry
        raise TooManyRequests("Too many sign-ups; please try again later.", retry_after=ratelimit.retry_after(wait))


@bp.post("/stores/<public_key:public_key>/subscriptions")
@other_responses({404: "Unknown store or sku", 429: "Too many sign-ups (see Retry-After)"})
@response(schemas.SubscriptionAccepted, 202, "Accepted: the same answer for a new, repeated or known address")
@body(schemas.SubscriptionIn, "A shopper's notify-me sign-up")
def subscribe(fields, public_key):
    """Sign a shopper up for an email when the product is back (double opt-in by default)."""
    find_store(public_key)
    limit_signups(fields["email"])
    store = store_by_public_key(public_key)
    locale = fields.get("locale") or store.locale
    if fields.get("company_url"):  # the honeypot: bots fill every field; tell them what people are told
        status = "pending" if store.double_opt_in else "active"
    else:
        status = subscriptions.subscribe(store, fields["sku"], fields["email"], locale=locale,
                                         quantity=fields["quantity"], page_url=fields.get("page_url"),
                                         source="widget")
    return {"status": status, "message": phrase(f"signup_{status}", locale)}, 202


@bp.get("/openapi.json")
def openapi():
    """This API, described as OpenAPI 3."""
    return jsonify(openapi_document())
