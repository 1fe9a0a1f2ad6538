"""Do secret checks take the same time however close a guess is? Timing of wrong guesses, measured in-process.

    .venv/bin/python benchmarks/token_timing.py                 # 3,000 tries a case
    .venv/bin/python benchmarks/token_timing.py --tries 500 --logins 40

A guess that shares a long prefix with the secret must take as long as one that differs at its first
character, or an attacker learns the secret a character at a time. Cases, on a temp SQLite database
through the WSGI app (no network noise), every try of every case interleaved in random order:

- the admin API token (GET /api/v1/admin/store): the right one; all but its last character; wrong
  from its first character. The token is looked up by its SHA-256, never compared as text.
- a signed shopper link (GET /s/manage/<token>, itsdangerous): the right one; its signature wrong in
  the last character; wrong in the first.
- the confirmation link's nonce (POST /s/confirm/<token>, a correctly signed token carrying a wrong
  nonce): all but its last character right; wrong from the first.
- the admin login (users.authenticate, real Argon2 parameters): a known email with a wrong password;
  an unknown email.

Prints the median of each case in µs and, for each pair that must not differ, the difference of
medians beside the noise floor (the difference between two random halves of the same case). Exits
0: it measures, it does not judge. Results: docs/security.md.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from types import SimpleNamespace

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "server"))

from flask_migrate import upgrade  # noqa: E402

from backorder import create_app  # noqa: E402
from backorder.db import db  # noqa: E402
from backorder.models import Store, Subscription  # noqa: E402
from backorder.services import products, stores, subscriptions, users  # noqa: E402
from backorder.tokens import make_token  # noqa: E402


def other_char(char):
    return "A" if char != "A" else "B"


def changed(text, index):
    """`text` with the character at `index` replaced by another URL-safe one."""
    index %= len(text)
    return text[:index] + other_char(text[index]) + text[index + 1:]


def measure(cases, tries):
    """{case: [nanoseconds…]}: every try of every case, in one shuffled order; each case's status is printed."""
    for name, call in cases.items():
        print(f"  {name:44} answers {call().status_code}")
    order = [name for name in cases for _ in range(tries)]
    random.shuffle(order)
    for name, call in cases.items():  # warm every path first
        for _ in range(20):
            call()
    times = {name: [] for name in cases}
    for name in order:
        started = time.perf_counter_ns()
        cases[name]()
        times[name].append(time.perf_counter_ns() - started)
    return times


def noise(samples):
    """|median of one random half - median of the other|: how far two medians of one case drift."""
    shuffled = random.sample(samples, len(samples))
    half = len(shuffled) // 2
    return abs(statistics.median(shuffled[:half]) - statistics.median(shuffled[half:]))


def report(times, pairs):
    for name, samples in times.items():
        print(f"  {name:44} median {statistics.median(samples) / 1000:9.1f} µs  ({len(samples)} tries)")
    for near, far in pairs:
        difference = (statistics.median(times[near]) - statistics.median(times[far])) / 1000
        floor = max(noise(times[near]), noise(times[far])) / 1000
        print(f"  {near} - {far}: {difference:+.2f} µs (noise floor {floor:.2f} µs)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tries", type=int, default=3000, help="tries per case for the tokens and links")
    parser.add_argument("--logins", type=int, default=100, help="tries per case for the login (~100 ms each)")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp()
    app = create_app({"SECRET_KEY": "timing", "DATABASE_URL": f"sqlite:///{tmp}/timing.sqlite",
                      "SIGNUP_LIMIT_IP": "1000000/second", "SIGNUP_LIMIT_EMAIL": "1000000/second"})
    with app.app_context():
        upgrade()
        store, token = stores.create_store("Timing Shop", ["https://shop.example.com"])
        products.upsert_product(store, "LAMP", {"mode": "notify", "on_hand": 0})
        subscriptions.subscribe(store, "LAMP", "shopper@example.com")
        pending = db.session.scalars(db.select(Subscription)).one()
        nonce, subscription_id = pending.confirm_nonce, pending.id
        manage = make_token("manage", [store.id, pending.email_hash])
        users.create_user(db.session.get(Store, store.id), "owner@example.com", "correct horse battery staple")
    client = app.test_client()
    signature_at = manage.rindex(".") + 1

    def admin(guess):
        return lambda: client.get("/api/v1/admin/store", headers={"Authorization": f"Bearer {guess}"})

    def page(path):
        return lambda: client.get(path)

    def confirm_with(guess):
        with app.app_context():
            link = make_token("confirm", [subscription_id, guess])
        return lambda: client.post(f"/s/confirm/{link}")

    def login(email):
        def call():
            with app.app_context():
                return SimpleNamespace(status_code=401 if users.authenticate(email, "wrong password") is None else 200)
        return call

    print("\nAdmin API token (GET /api/v1/admin/store)")
    report(measure({
        "right token": admin(token),
        "all but the last character": admin(changed(token, -1)),
        "wrong from the first character": admin(changed(token, 3)),  # after the "sk_" every token has
    }, args.tries), [("all but the last character", "wrong from the first character")])
    print("\nSigned shopper link (GET /s/manage/<token>)")
    report(measure({
        "right link": page(f"/s/manage/{manage}"),
        # The last character of the base64 signature holds 2 padding bits: changed, it may decode to the same
        # signature (a valid link). The one before it is the last that always matters.
        "signature wrong in its last character": page(f"/s/manage/{changed(manage, -2)}"),
        "signature wrong in its first character": page(f"/s/manage/{changed(manage, signature_at)}"),
    }, args.tries), [("signature wrong in its last character", "signature wrong in its first character")])
    print("\nConfirmation nonce (POST /s/confirm/<token>, signed, wrong nonce)")
    report(measure({
        "nonce wrong in its last character": confirm_with(changed(nonce, -1)),
        "nonce wrong from its first character": confirm_with(changed(nonce, 0)),
    }, args.tries), [("nonce wrong in its last character", "nonce wrong from its first character")])
    print("\nAdmin login (users.authenticate, Argon2)")
    report(measure({
        "known email, wrong password": login("owner@example.com"),
        "unknown email": login("nobody@example.com"),
    }, args.logins), [("known email, wrong password", "unknown email")])
    return 0


if __name__ == "__main__":
    sys.exit(main())
