"""Settings: the store's own page of everything it can change, the snippet to paste, a new API token."""

from zoneinfo import available_timezones

from flask import current_app, flash, g, redirect, render_template, url_for

from ..schemas import StoreSettings
from ..services import stores
from . import bp
from .forms import Form

FIELDS = [
    "name", "allowed_origins", "locale", "timezone", "handling_days", "cache_max_age",
    "sender_name", "sender_email", "postal_address", "consent_text", "double_opt_in",
    "wave_factor", "wave_interval_minutes", "min_restock_quantity", "quiet_hours_start", "quiet_hours_end",
    "notify_on_room", "eta_tolerance_days", "show_backorder_remaining", "widget_labels",
]


def snippet(store):
    """The one line a merchant pastes into the theme."""
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    return f'<script src="{base}/widget.js" data-store="{store.public_key}" defer></script>'


def _page(form, new_token=None, status=200):
    zones = sorted(available_timezones())
    return render_template("admin/settings.html", form=form, snippet=snippet(g.store), zones=zones,
                           new_token=new_token, has_platforms="admin.platforms" in current_app.view_functions), status


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    """Every store setting in one form; saving keeps what was typed and shows errors by field."""
    form = Form(StoreSettings(), FIELDS, {name: getattr(g.store, name) for name in FIELDS})
    if form.submitted():
        data = form.load()
        if data is not None:
            stores.update_store(g.store, data)
            flash("Settings saved. The widget shows the change within a few seconds.")
            return redirect(url_for("admin.settings"))
        return _page(form, status=422)
    return _page(form)


@bp.post("/settings/api-token")
def rotate_api_token():
    """A new admin API token, shown on this answer only; the old one stops working now."""
    token = stores.rotate_api_token(g.store)
    form = Form(StoreSettings(), FIELDS, {name: getattr(g.store, name) for name in FIELDS})
    return _page(form, new_token=token)
