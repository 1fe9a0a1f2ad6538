"""Pages shoppers reach from our emails: confirm an alert, unsubscribe (RFC 8058), manage alerts, follow a link.

The signed token in the URL is the only credential: no login, no cookie, no CSRF token, because
a mailbox provider's one-click POST carries none. GETs never change anything (link scanners
prefetch them); every change is a POST.
"""

from urllib.parse import urlsplit

from flask import Blueprint, redirect, render_template, request

from ..db import db
from ..mail.i18n import language, phrase
from ..models import Message, Product, Store, utcnow
from ..services import subscriptions
from ..services.errors import InvalidLink
from ..tokens import BadToken, read_token

bp = Blueprint("shopper", __name__)


@bp.after_request
def page_headers(answer):
    """Nothing on these pages may be framed, sniffed, cached by a proxy or leak the token onwards."""
    answer.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
    answer.headers["X-Content-Type-Options"] = "nosniff"
    answer.headers["Referrer-Policy"] = "no-referrer"
    answer.headers["Cache-Control"] = "no-store"
    return answer


def _page(name, status=200, locale="en", **values):
    lang = language(locale)
    return render_template(f"shopper/{name}.html", lang=lang, t=lambda key, **more: phrase(key, lang, **more),
                           **values), status


def _invalid(locale="en", status=404):
    return _page("message", status, locale, title_key="link_invalid_title", text_key="link_invalid", values={})


@bp.errorhandler(BadToken)
@bp.errorhandler(InvalidLink)
def invalid_link(error):
    return _invalid()


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm(token):
    """GET shows a button; POST (the button) confirms the alert."""
    subscription_id, nonce = read_token("confirm", token)
    subscription = subscriptions.subscription_for_link(subscription_id)
    product = db.session.get(Product, subscription.product_id)
    values = {"product": product.name or product.sku}
    if request.method == "GET":
        if subscription.status == "active" and subscription.confirmed_at:
            return _page("message", 200, subscription.locale, title_key="confirm_done_title",
                         text_key="confirm_done", values=values)
        return _page("confirm", 200, subscription.locale, values=values)
    try:
        subscriptions.confirm(subscription_id, nonce)
    except InvalidLink:
        return _page("message", 410, subscription.locale, title_key="confirm_expired_title",
                     text_key="confirm_expired", values={})
    return _page("message", 200, subscription.locale, title_key="confirm_done_title", text_key="confirm_done",
                 values=values)


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token):
    """GET asks; POST unsubscribes at once, whatever its body (RFC 8058 one-click), with 200 and no redirect."""
    subscription = subscriptions.subscription_for_link(read_token("unsubscribe", token))
    store = db.session.get(Store, subscription.store_id)
    values = {"store": store.name, "email": subscription.email}
    if request.method == "GET":
        return _page("unsubscribe", 200, subscription.locale, values=values)
    channel = "one-click" if request.form.get("List-Unsubscribe") == "One-Click" else "link"
    subscriptions.unsubscribe_address(store.id, subscription.email_hash, channel)
    return _page("message", 200, subscription.locale, title_key="unsubscribe_done_title",
                 text_key="unsubscribe_done", values=values)


@bp.route("/manage/<token>", methods=["GET", "POST"])
def manage(token):
    """Every alert the address holds at the store, each removable, or all at once."""
    store_id, hashed = read_token("manage", token)
    store = db.session.get(Store, store_id) if isinstance(store_id, int) else None
    alerts = subscriptions.alerts_of(store_id, hashed) if store else []
    if store is None or not alerts:
        return _invalid()
    email, locale = alerts[0].email, alerts[0].locale
    notice = None
    if request.method == "POST":
        if request.form.get("remove_all"):
            subscriptions.unsubscribe_address(store_id, hashed, "manage")
            notice = "manage_removed_all"
        else:
            chosen = next((a for a in alerts if str(a.id) == request.form.get("remove", "")), None)
            if chosen is not None:
                subscriptions.remove_alert(chosen)
                notice = "manage_removed"
        alerts = subscriptions.alerts_of(store_id, hashed)
    open_alerts = [alert for alert in alerts if alert.status in subscriptions.OPEN]
    products = {p.id: p for p in db.session.execute(
        db.select(Product).where(Product.id.in_([alert.product_id for alert in open_alerts]))).scalars()}
    return _page("manage", 200, locale, values={"store": store.name, "email": email}, notice=notice,
                 alerts=[(alert, products[alert.product_id]) for alert in open_alerts])


def _safe_target(url):
    return url if url and urlsplit(url).scheme in ("http", "https") else None


@bp.get("/go/<token>")
def go(token):
    """Count the click on an email's product link, then send the shopper to the product."""
    message_id = read_token("click", token)
    message = db.session.get(Message, message_id) if isinstance(message_id, int) else None
    if message is None:
        return _invalid()
    if message.clicked_at is None:
        message.clicked_at = utcnow()
        db.session.commit()
    product = db.session.get(Product, message.product_id) if message.product_id else None
    store = db.session.get(Store, message.store_id)
    target = _safe_target(product.url if product else None) or _safe_target(
        store.allowed_origins[0] if store.allowed_origins else None)
    if target is None:
        return _invalid(message.locale)
    return redirect(target, 302)
