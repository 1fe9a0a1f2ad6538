"""Logging in and out, and choosing which of one's stores to work on."""

from urllib.parse import urlsplit

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from werkzeug.exceptions import TooManyRequests

from .. import ratelimit
from ..services import users
from . import bp
from .forms import Form, LoginForm


def _safe_next(target):
    """Only a path on this site: never an open redirect to another host."""
    parts = urlsplit(target or "")
    if parts.scheme or parts.netloc or not parts.path.startswith("/admin") or target.startswith("//"):
        return url_for("admin.home")
    return target


def _limit_attempts(email):
    """Every login attempt costs a token per client address and per email (guessing is slow, not free).

    The buckets are the login's own ("login:…"): a shop's sign-ups from the same address spend none of them.
    """
    config = current_app.config
    address = ratelimit.ip_key(request.remote_addr or "0.0.0.0")
    wait = current_app.extensions["backorder.ratelimiter"].hit_many([
        (f"login:{address}", ratelimit.parse_limit(config["ADMIN_LOGIN_LIMIT_IP"])),
        (f"login:{ratelimit.hashed(email)}", ratelimit.parse_limit(config["ADMIN_LOGIN_LIMIT_EMAIL"])),
    ])
    if wait:
        raise TooManyRequests(f"Too many login attempts. Try again in {ratelimit.retry_after(wait)} seconds.")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The login form; a good email and password start a session on the user's first store."""
    form = Form(LoginForm(), ["email", "password"])
    error = None
    if form.submitted():
        email = request.form.get("email", "")
        data = form.load()
        if data is not None:
            _limit_attempts(email)
            user = users.authenticate(data["email"], data["password"])
            if user is None:
                error = "That email and password do not match an account."
            else:
                session.clear()
                session.permanent = True
                session.update(user_id=user.id, stamp=users.session_stamp(user))
                return redirect(_safe_next(request.args.get("next")))
    form.values.pop("password", None)
    return render_template("admin/login.html", form=form, error=error), 401 if error else 200


@bp.post("/logout")
def logout():
    session.clear()
    flash("You are logged out.")
    return redirect(url_for("admin.login"))


@bp.post("/store")
def switch_store():
    """Work on another of the user's stores (one they are a member of; anything else is not found)."""
    store_id = request.form.get("store_id", "")
    store = users.store_of_user(g.user.id, int(store_id) if store_id.isdigit() and len(store_id) < 10 else -1)
    session["store_id"] = store.id
    flash(f"Now working on {store.name}.")
    return redirect(url_for("admin.home"))


@bp.get("/")
def home():
    """Where the admin starts: the dashboard when there is one."""
    return redirect(url_for("admin.dashboard" if "admin.dashboard" in current_app.view_functions
                            else "admin.settings"))
