"""The products list (search, state filter, pages, bulk actions) and the product page (settings, preview,
restock emails), through the Flask client."""

import re
from datetime import date, timedelta

import pytest

from backorder.db import db
from backorder.models import Campaign, Message, Product, Store
from backorder.services import products, subscriptions


def _product(app, store, sku):
    with app.app_context():
        return db.session.execute(db.select(Product).filter_by(store_id=store.id, sku=sku)).scalar_one_or_none()


def _sign_up(app, store, sku, count):
    with app.app_context():
        shop = db.session.get(Store, store.id)
        shop.double_opt_in = False
        db.session.commit()
        for n in range(count):
            subscriptions.subscribe(shop, sku, f"waiting{n}@example.com")


def _settings(**changes):
    """A full product form as the page posts it."""
    return {"mode": "backorder", "limit_kind": "unlimited", "limit_number": "", "back_in_stock_date": "",
            "release_date": "", "handling_days": "", "message": "", "on_hand": "0", "on_hand_seen": "0",
            "safety_stock": "0", "name": "Lamp", "price": "", **changes}


@pytest.mark.parametrize("url", ["/admin/products", "/admin/products/LAMP", "/admin/import"])
def test_pages_need_a_login(client, make_product, url):
    make_product("LAMP")
    answer = client.get(url)
    assert answer.status_code == 302 and "/admin/login" in answer.location


@pytest.mark.parametrize("url", ["/admin/products", "/admin/products/LAMP", "/admin/products/LAMP/preview",
                                 "/admin/products/LAMP/shipments", "/admin/products/LAMP/restock-emails",
                                 "/admin/import"])
def test_every_form_needs_the_csrf_token(admin, make_product, url):
    make_product("LAMP")
    answer = admin.client.post(url, data={"mode": "backorder", "sku": "LAMP", "action": "mode"})
    assert answer.status_code == 400 and "expired" in answer.text


def test_list_shows_each_products_numbers(app, admin, store, make_product):
    make_product("LAMP", name="Brass lamp", on_hand=0, mode="backorder", backorder_limit=10)
    make_product("MUG", name="Mug", on_hand=7, safety_stock=2)
    _sign_up(app, store, "LAMP", 2)
    admin.client.post("/api/v1/admin/orders", headers=store.headers,
                      json={"order_ref": "O-1", "lines": [{"sku": "LAMP", "quantity": 3}]})
    admin.client.post("/api/v1/admin/products/LAMP/shipments", headers=store.headers,
                      json={"quantity": 10, "expected_on": "2099-01-05"})
    page = admin.get("/admin/products").text
    lamp = re.search(r"<tr>\s*<td><input[^>]*value=\"LAMP\".*?</tr>", page, re.S)[0]
    cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", lamp, re.S)]
    assert cells[1:] == ["LAMPBrass lamp", "backorder", "0", "backorder", "3 / 10", "2", "5 Jan 2099"]
    assert '7 <span class="help">(2 kept back)</span>' in page


def test_search_and_state_filter(admin, make_product):
    make_product("TEE-RED", name="Red tee", on_hand=3)
    make_product("TEE-BLUE", name="Blue tee", on_hand=0)
    make_product("MUG", name="Mug", on_hand=0)

    def listed(query):
        return re.findall(r'name="sku" value="([^"]+)"', admin.get("/admin/products" + query).text)

    assert listed("?q=tee") == ["TEE-BLUE", "TEE-RED"]
    assert listed("?q=red") == ["TEE-RED"]
    assert listed("?state=sold_out") == ["MUG", "TEE-BLUE"]
    assert listed("?q=tee&state=sold_out") == ["TEE-BLUE"]
    assert admin.get("/admin/products?state=melted").status_code == 400


def test_list_pages_with_a_next_link(app, admin, store):
    with app.app_context():
        products.upsert_products(db.session.get(Store, store.id), [(f"P-{n:03}", {}) for n in range(55)])
    first = admin.get("/admin/products").text
    assert first.count('name="sku"') == 50
    following = re.search(r'href="([^"]+)" rel="next"', first)[1].replace("&amp;", "&")
    second = admin.get(following).text
    assert re.findall(r'name="sku" value="([^"]+)"', second) == [f"P-{n:03}" for n in range(50, 55)]
    assert 'rel="next"' not in second


def test_bulk_actions_set_mode_limit_and_date_on_the_selected(app, admin, store, make_product):
    for sku in ("A", "B", "C"):
        make_product(sku, mode="notify")
    answer = admin.post("/admin/products?q=", data={"sku": ["A", "B"], "action": "mode", "mode": "backorder"})
    assert answer.status_code == 302
    modes = {sku: _product(app, store, sku).mode for sku in "ABC"}
    assert modes == {"A": "backorder", "B": "backorder", "C": "notify"}
    admin.post("/admin/products", data={"sku": ["A", "C"], "action": "limit", "limit_kind": "incoming"})
    assert _product(app, store, "C").limit_to_incoming
    admin.post("/admin/products", data={"sku": ["A"], "action": "limit", "limit_kind": "number", "limit_number": "4"})
    assert _product(app, store, "A").backorder_limit == 4
    assert not _product(app, store, "A").limit_to_incoming
    admin.post("/admin/products", data={"sku": ["A", "B"], "action": "date", "back_in_stock_date": "2099-02-03"})
    assert _product(app, store, "B").back_in_stock_date == date(2099, 2, 3)
    assert "Set back-in-stock date: done for 2 product(s)." in admin.get("/admin/products").text


@pytest.mark.parametrize("data, field", [
    ({"sku": ["A"], "action": "date", "back_in_stock_date": "03/02/2099"}, "back_in_stock_date"),
    ({"sku": ["A"], "action": "limit", "limit_kind": "number", "limit_number": "-1"}, "limit_number"),
    ({"sku": ["A"], "action": "limit", "limit_kind": "number", "limit_number": ""}, "limit_number"),
    ({"sku": ["A"], "action": "mode", "mode": "sometimes"}, "mode"),
    ({"sku": ["A"], "action": "paint"}, "action"),
])
def test_bulk_errors_show_beside_their_field_and_change_nothing(app, admin, store, make_product, data, field):
    make_product("A", mode="notify")
    answer = admin.post("/admin/products", data=data)
    assert answer.status_code == 422
    assert re.search(rf'<small id="{field}-error" class="error">', answer.text)
    product = _product(app, store, "A")
    assert product.mode == "notify" and product.back_in_stock_date is None and product.backorder_limit is None


def test_bulk_needs_a_selection(admin, make_product):
    make_product("A")
    answer = admin.post("/admin/products", data={"action": "mode", "mode": "backorder"})
    assert answer.status_code == 422 and "Select between 1 and 500 products first." in answer.text


def test_bulk_with_another_stores_sku_is_not_found_and_changes_nothing(app, admin, store, other_store, make_product):
    make_product("MINE", mode="notify")
    with app.app_context():
        products.upsert_product(db.session.get(Store, other_store.id), "THEIRS", {"mode": "notify"})
    answer = admin.post("/admin/products", data={"sku": ["MINE", "THEIRS"], "action": "mode", "mode": "preorder"})
    assert answer.status_code == 404
    assert _product(app, store, "MINE").mode == "notify"
    assert _product(app, store, "THEIRS") is None and _product(app, other_store, "THEIRS").mode == "notify"


def test_product_page_saves_every_setting(app, admin, store, make_product):
    make_product("LAMP", name="Lamp", on_hand=0)
    answer = admin.post("/admin/products/LAMP", data=_settings(
        mode="preorder", limit_kind="number", limit_number="12", back_in_stock_date="2099-03-04",
        release_date="2099-05-06", handling_days="3", message="Hand-made", on_hand="4", safety_stock="1",
        name="Brass lamp", price="89.50"))
    assert answer.status_code == 302
    lamp = _product(app, store, "LAMP")
    assert (lamp.mode, lamp.backorder_limit, lamp.back_in_stock_date, lamp.release_date, lamp.handling_days,
            lamp.message, lamp.on_hand, lamp.safety_stock, lamp.name, str(lamp.price)) == (
        "preorder", 12, date(2099, 3, 4), date(2099, 5, 6), 3, "Hand-made", 4, 1, "Brass lamp", "89.50")
    page = admin.get("/admin/products/LAMP").text
    assert "Saved." in page and 'value="Brass lamp"' in page and 'value="12"' in page


def test_untouched_on_hand_does_not_undo_orders_placed_meanwhile(app, admin, store, make_product):
    make_product("MUG", on_hand=5, mode="backorder")
    admin.client.post("/api/v1/admin/orders", headers=store.headers,
                      json={"order_ref": "O-1", "lines": [{"sku": "MUG", "quantity": 2}]})  # 5 → 3 on hand
    admin.post("/admin/products/MUG", data=_settings(on_hand="5", on_hand_seen="5", name="Mug"))
    assert _product(app, store, "MUG").on_hand == 3
    admin.post("/admin/products/MUG", data=_settings(on_hand="9", on_hand_seen="3", name="Mug"))
    assert _product(app, store, "MUG").on_hand == 9


def test_product_errors_show_beside_their_fields_and_keep_the_input(app, admin, store, make_product):
    make_product("LAMP", name="Lamp")
    answer = admin.post("/admin/products/LAMP", data=_settings(
        back_in_stock_date="next week", on_hand="many", price="-2", limit_kind="number", limit_number="x",
        name="Kept name"))
    assert answer.status_code == 422
    for field in ("back_in_stock_date", "on_hand", "price", "limit_number"):
        assert re.search(rf'<small id="{field}-error" class="error">', answer.text), field
        assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', answer.text), field
    assert 'value="next week"' in answer.text and 'value="Kept name"' in answer.text
    assert _product(app, store, "LAMP").name == "Lamp"


def test_preview_answers_what_the_widget_would_show_without_saving(app, admin, store, make_product):
    make_product("LAMP", on_hand=0, mode="notify", message="Hand-made")
    answer = admin.post("/admin/products/LAMP/preview", data=_settings(back_in_stock_date="2099-12-14",
                                                                       message="Hand-made"))
    assert answer.status_code == 200
    assert answer.json == {"state": "backorder", "errors": {},
                           "lines": ["Backorder: ships around 14 Dec 2099", "Button: Backorder now", "Hand-made"]}
    sold_out = admin.post("/admin/products/LAMP/preview", data=_settings(mode="notify")).json
    assert sold_out["lines"] == ["Sold out", "Form: Notify me"]
    bad = admin.post("/admin/products/LAMP/preview", data=_settings(release_date="soon"))
    assert bad.status_code == 422 and "release_date" in bad.json["errors"]
    assert _product(app, store, "LAMP").mode == "notify"
    page = admin.get("/admin/products/LAMP").text
    assert 'data-preview-url="/admin/products/LAMP/preview"' in page and "<p>Sold out</p>" in page


def test_preview_uses_the_stores_own_wording(app, admin, store, make_product):
    make_product("LAMP", on_hand=0, mode="backorder")
    with app.app_context():
        db.session.get(Store, store.id).widget_labels = {"backorderTbc": "Coming back soon"}
        db.session.commit()
    assert admin.post("/admin/products/LAMP/preview", data=_settings()).json["lines"][0] == "Coming back soon"


def test_product_page_lists_waiting_shoppers_and_open_backorders_with_etas(app, admin, store, make_product):
    make_product("LAMP", on_hand=0, mode="backorder")
    _sign_up(app, store, "LAMP", 2)
    admin.client.post("/api/v1/admin/orders", headers=store.headers,
                      json={"order_ref": "O-77", "email": "buyer@example.com",
                            "lines": [{"sku": "LAMP", "quantity": 2}]})
    admin.client.post("/api/v1/admin/products/LAMP/shipments", headers=store.headers,
                      json={"quantity": 5, "expected_on": "2099-01-05"})
    page = admin.get("/admin/products/LAMP").text
    assert "waiting0@example.com" in page and "waiting1@example.com" in page
    assert "Waiting for a restock email (2)" in page
    row = re.search(r"<tr><td>O-77</td>.*?</tr>", page, re.S)[0]
    assert "buyer@example.com" in row and "5 Jan 2099" in row


def test_restock_emails_start_a_campaign_with_a_progress_bar(app, admin, store, make_product):
    make_product("CAP", on_hand=0)
    _sign_up(app, store, "CAP", 3)
    refused = admin.post("/admin/products/CAP/restock-emails", follow_redirects=True)
    assert "sold out: restock it before telling shoppers" in refused.text
    with app.app_context():
        assert db.session.execute(db.select(Campaign)).first() is None
        products.upsert_product(db.session.get(Store, store.id), "CAP", {"on_hand": 0, "mode": "backorder"})
    answer = admin.post("/admin/products/CAP/restock-emails")
    assert answer.status_code == 302 and answer.location.endswith("/admin/products/CAP#campaign")
    page = admin.get("/admin/products/CAP").text
    url = re.search(r'data-progress-url="([^"]+)"', page)[1]
    assert "<progress" in page and admin.get(url).json == {"done": 0, "total": 3, "finished": False,
                                                          "text": "0 of 3 sent"}
    with app.app_context():
        from backorder.services import campaigns

        campaigns.run_due_campaigns()
        db.session.execute(db.update(Message).values(status="sent"))
        db.session.commit()
    assert admin.get(url).json == {"done": 3, "total": 3, "finished": True, "text": "3 of 3 sent · finished"}


def test_another_stores_product_and_campaign_are_not_found(app, admin, store, other_store, make_product):
    make_product("MINE", on_hand=1)
    with app.app_context():
        theirs = db.session.get(Store, other_store.id)
        products.upsert_product(theirs, "THEIRS", {"on_hand": 1, "mode": "backorder"})
        theirs.double_opt_in = False
        subscriptions.subscribe(theirs, "THEIRS", "x@example.com")
        from backorder.services import campaigns

        campaign = campaigns.start_manual_campaign(theirs, products.get_product(theirs, "THEIRS"))
        campaign_id = campaign.id
    for method, url in (("get", "/admin/products/THEIRS"), ("post", "/admin/products/THEIRS"),
                        ("post", "/admin/products/THEIRS/preview"), ("post", "/admin/products/THEIRS/restock-emails"),
                        ("get", f"/admin/products/THEIRS/campaigns/{campaign_id}/progress"),
                        ("get", f"/admin/products/MINE/campaigns/{campaign_id}/progress"),
                        ("get", "/admin/products/MINE/campaigns/99999999999/progress")):
        answer = getattr(admin, method)(url, **({"data": _settings()} if method == "post" else {}))
        assert answer.status_code == 404, (method, url)
    assert _product(app, other_store, "THEIRS").name is None


def test_the_list_shows_a_hand_set_back_in_stock_date_as_next_eta(admin, make_product):
    make_product("MUG", on_hand=0, mode="backorder", back_in_stock_date=date.today() + timedelta(days=10))
    later = (date.today() + timedelta(days=10)).strftime("%-d %b %Y")
    assert later in admin.get("/admin/products").text
