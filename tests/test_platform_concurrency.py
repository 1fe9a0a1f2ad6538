"""Webhook deliveries racing each other, on SQLite and on PostgreSQL: a repeated delivery is applied
once, deliveries for one item apply one after the other, and a restock starts one campaign."""

import json
import threading

from platform_world import SECRET, connect, fixture, post, product, shopify_headers, wait_for_restock

from backorder.db import db
from backorder.models import Campaign

THREADS = 8


def race(app, calls):
    """Run each call in its own thread, all released at once; returns their answers (or errors)."""
    barrier = threading.Barrier(len(calls))
    answers = [None] * len(calls)

    def run(index, call):
        barrier.wait(timeout=60)
        try:
            answers[index] = call()
        except Exception as error:  # shown by the assertion
            answers[index] = repr(error)

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers


def level_delivery(app, store, available, delivery, at):
    body = json.dumps({**fixture("shopify_inventory_levels_update"), "available": available}).encode()
    headers = shopify_headers(body, "inventory_levels/update", delivery=delivery, triggered_at=at, secret=SECRET)

    def call():
        answer = app.test_client().post(f"/hooks/{store.public_key}/shopify", data=body, headers=headers)
        return answer.status_code, answer.get_json().get("status")

    return call


def test_the_same_delivery_racing_itself_is_applied_once(app, client, store):
    connect(app, store, "shopify", "https://example.myshopify.com/admin/api/2025-07", {"access_token": "t"})
    post(client, store, "shopify", fixture("shopify_products_update"), shopify_headers, topic="products/update")
    answers = race(app, [level_delivery(app, store, 5, "same-id", "2026-04-22T20:00:00Z") for _ in range(THREADS)])
    assert sorted(answers) == [(200, "applied")] + [(200, "duplicate")] * (THREADS - 1), answers


def test_a_restock_reported_by_many_deliveries_at_once_starts_one_campaign(app, client, store):
    connect(app, store, "shopify", "https://example.myshopify.com/admin/api/2025-07", {"access_token": "t"})
    post(client, store, "shopify", fixture("shopify_products_update"), shopify_headers, topic="products/update")
    wait_for_restock(app, store, "TJ-01-M-RED")
    calls = [level_delivery(app, store, 3 + n, f"d-{n}", f"2026-04-22T20:00:{n:02d}Z") for n in range(THREADS)]
    answers = race(app, calls)
    assert all(answer[0] == 200 and answer[1] in ("applied", "stale") for answer in answers), answers
    assert product(app, store, "TJ-01-M-RED").on_hand == 3 + THREADS - 1  # the newest count wins
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(Campaign)).scalar() == 1
