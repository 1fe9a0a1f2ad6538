"""The merchant's admin pages: server-rendered HTML behind a session login.

Every page calls the same service functions as the admin REST API. Each request runs as one user
on one of their stores (g.user, g.store); every object a page loads goes through a service that
takes that store, so another tenant's ids are simply not found. Every POST carries the session's
CSRF token. No inline script or style anywhere (the CSP forbids both).
"""

import hmac
import secrets
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, session, url_for
from werkzeug.exceptions import HTTPException

from ..db import db
from ..models import User
from ..services import users
from ..errors import DOMAIN_STATUS
from ..services.errors import DomainError

bp = Blueprint("admin", __name__)

# The navigation, in order; a page appears once its module has registered its endpoint.
NAV = [
    ("admin.dashboard", "Dashboard"),
    ("admin.products", "Products"),
    ("admin.subscribers", "Subscribers"),
    ("admin.backorders", "Backorders"),
    ("admin.messages", "Messages"),
    ("admin.imports", "Import"),
    ("admin.reports", "Reports"),
    ("admin.platforms", "Platforms"),
    ("admin.settings", "Settings"),
]
OPEN_ENDPOINTS = {"admin.login"}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")


def csrf_token():
    """This session's CSRF token (made on first use); every form posts it back as csrf_token."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def _check_csrf():
    sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
    expected = session.get("csrf")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        abort(400, "This form has expired or did not come from this site. Reload the page and try again.")


def _signed_in_user():
    user_id = session.get("user_id")
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or session.get("stamp") != users.session_stamp(user):
        return None
    return user


@bp.before_request
def guard():
    """Log-in, CSRF and the current store, before any admin view runs."""
    if request.method not in SAFE_METHODS:
        _check_csrf()
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    g.user = _signed_in_user()
    if g.user is None:
        session.pop("user_id", None)
        return redirect(url_for("admin.login", next=request.full_path if request.method == "GET" else None))
    g.stores = users.stores_of(g.user.id)
    if not g.stores:
        abort(403, "Your account manages no store yet. Ask the operator to run: backorder create-user --store …")
    chosen = session.get("store_id")
    g.store = next((store for store in g.stores if store.id == chosen), g.stores[0])
    session["store_id"] = g.store.id
    return None


@bp.after_request
def page_headers(answer):
    """No admin page may be framed, sniffed, cached, or run a script it did not load from here."""
    answer.headers["Content-Security-Policy"] = CSP
    answer.headers["X-Content-Type-Options"] = "nosniff"
    answer.headers["X-Frame-Options"] = "DENY"
    answer.headers["Referrer-Policy"] = "same-origin"
    answer.headers.setdefault("Cache-Control", "no-store")
    return answer


@bp.errorhandler(DomainError)
def refused(error):
    """A refusal the page did not handle itself (an unknown or foreign id, a conflict): a page saying why."""
    status = next(status for kind, status in DOMAIN_STATUS if isinstance(error, kind))
    return render_template("admin/error.html", status=status, message=error.message), status


@bp.errorhandler(HTTPException)
def http_refusal(error):
    return render_template("admin/error.html", status=error.code, message=error.description), error.code


@bp.app_template_filter("local")
def local_time(moment, with_time=True):
    """A stored UTC moment in the current store's time zone: '27 Nov 2026, 14:05'."""
    if moment is None:
        return "—"
    if not isinstance(moment, datetime):
        return moment.strftime("%-d %b %Y")
    local = moment.astimezone(ZoneInfo(g.store.timezone))
    return local.strftime("%-d %b %Y, %H:%M" if with_time else "%-d %b %Y")


@bp.app_template_filter("day")
def day(value):
    return value.strftime("%-d %b %Y") if value else "—"


@bp.context_processor
def page_context():
    nav = [(endpoint, label) for endpoint, label in NAV if endpoint in current_app.view_functions]
    return {"nav": nav}


def init_app(app):
    """Register the admin pages and secure the session cookie they use."""
    from . import (  # noqa: F401 (each module adds its routes to bp)
        auth, backorders, dashboard, imports, messages, platforms, products, reports, settings, shipments, subscribers)

    app.config["SESSION_COOKIE_NAME"] = "backorder_admin"
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_SECURE"] = app.config["PUBLIC_URL"].startswith("https://")
    app.config["PERMANENT_SESSION_LIFETIME"] = app.config["ADMIN_SESSION_HOURS"] * 3600
    app.jinja_env.globals["csrf_token"] = csrf_token  # also inside imported form macros
    app.register_blueprint(bp, url_prefix="/admin")
