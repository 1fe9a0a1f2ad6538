"""The settings page: every store setting through the same schema as the API, the snippet, a new token."""

import re

from backorder.db import db
from backorder.models import Store

GOOD = {
    "name": "Renamed Shop", "allowed_origins": "https://shop.example.com\nhttps://www.shop.example.com/any/path",
    "locale": "de", "timezone": "Europe/Berlin", "handling_days": "2", "cache_max_age": "60",
    "sender_name": "Renamed", "sender_email": "alerts@shop.example.com", "postal_address": "1 Road\nTown",
    "consent_text": "Email me.", "double_opt_in": "1", "wave_factor": "", "wave_interval_minutes": "30",
    "min_restock_quantity": "2", "quiet_hours_start": "22:00", "quiet_hours_end": "07:30",
    "eta_tolerance_days": "3", "widget_labels": "soldOut: Out of stock\nnotify: Tell me",
}


def _store(app, store):
    with app.app_context():
        return db.session.get(Store, store.id)


def test_page_shows_the_snippet_to_paste(admin, store):
    page = admin.get("/admin/settings").text
    assert f'/widget.js&#34; data-store=&#34;{store.public_key}&#34; defer&gt;&lt;/script&gt;</pre>' in page
    assert 'data-copy="snippet"' in page
    assert '<label for="wave_factor">' in page


def test_saving_changes_every_setting(app, admin, store):
    answer = admin.post("/admin/settings", data=GOOD)
    assert answer.status_code == 302
    saved = _store(app, store)
    assert saved.name == "Renamed Shop" and saved.timezone == "Europe/Berlin" and saved.handling_days == 2
    assert saved.allowed_origins == ["https://shop.example.com", "https://www.shop.example.com"]
    assert saved.wave_factor is None and saved.double_opt_in is True and saved.notify_on_room is False
    assert saved.quiet_hours_start.strftime("%H:%M") == "22:00" and saved.postal_address == "1 Road\nTown"
    assert saved.widget_labels == {"soldOut": "Out of stock", "notify": "Tell me"}
    assert saved.consent_version == 2
    page = admin.get("/admin/settings").text
    assert "Settings saved" in page and 'value="Renamed Shop"' in page and "soldOut: Out of stock" in page


def test_errors_show_next_to_their_fields_and_keep_what_was_typed(app, admin, store):
    bad = {**GOOD, "handling_days": "two", "sender_email": "not-an-address",
           "allowed_origins": "ftp://files.example.com", "widget_labels": "no colon here"}
    answer = admin.post("/admin/settings", data=bad)
    assert answer.status_code == 422
    page = answer.text
    for field in ("handling_days", "sender_email", "allowed_origins", "widget_labels"):
        assert re.search(rf'<small id="{field}-error" class="error">', page), field
        assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', page), field
    assert 'value="two"' in page and 'value="not-an-address"' in page
    assert _store(app, store).name == "Test Shop"  # nothing saved


def test_quiet_hours_need_both_ends(app, admin, store):
    answer = admin.post("/admin/settings", data={**GOOD, "quiet_hours_end": ""})
    assert answer.status_code == 422 and "Give both ends of the quiet hours" in answer.text
    assert _store(app, store).quiet_hours_start is None


def test_a_new_api_token_is_shown_once_and_replaces_the_old(app, client, admin, store):
    answer = admin.post("/admin/settings/api-token")
    token = re.search(r'<pre class="snippet" id="new-token">(sk_[\w-]+)</pre>', answer.text)[1]
    assert client.get("/api/v1/admin/products", headers=store.headers).status_code == 401
    assert client.get("/api/v1/admin/products", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert token not in admin.get("/admin/settings").text


def test_settings_are_the_current_stores_only(app, admin, store, other_store):
    admin.post("/admin/settings", data=GOOD)
    with app.app_context():
        assert db.session.get(Store, other_store.id).name == "Other Shop"
