"""backorder: keep selling when a product runs out, and tell every shopper when it will ship."""

import logging
import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def create_app(test_config=None):
    """Build the app: settings, database, rate limits, error handlers, APIs, pages, commands. Nothing else runs."""
    instance_path = os.environ.get("BACKORDER_INSTANCE_PATH")
    app = Flask(__name__, instance_path=os.path.abspath(instance_path) if instance_path else None)

    from . import admin, api, cli, config, errors, shopper, storefront, widget
    from .db import db, migrate
    from .services import changes

    config.load(app, test_config)
    logging.basicConfig(level=app.config["LOG_LEVEL"], format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "migrations"))
    changes.init_app(app)  # every commit keeps the products' stored answers current
    init_process_state(app)
    if app.config["TRUSTED_PROXIES"]:  # the client's address comes from X-Forwarded-For, set by that many proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["TRUSTED_PROXIES"], x_proto=1, x_host=1)
    errors.init_app(app)
    api.init_app(app)
    admin.init_app(app)
    app.register_blueprint(widget.bp)
    app.register_blueprint(shopper.bp, url_prefix="/s")
    app.register_blueprint(storefront.bp)
    cli.init_app(app)
    return app


def init_process_state(app):
    """What the app keeps in this process's memory, made anew from its settings: the store and answer
    caches, the rate limiter, the view counter and the OpenAPI document (built on first use).
    create_app calls it; tests that reuse one app call it before each test."""
    from . import ratelimit
    from .api.recent import RecentAnswers
    from .services import views
    from .services.stores import SnapshotCache

    app.extensions["backorder.stores"] = SnapshotCache(app.config["STORE_CACHE_SECONDS"])
    app.extensions["backorder.recent"] = RecentAnswers(app.config["ANSWER_CACHE_SECONDS"])
    app.extensions["backorder.ratelimiter"] = ratelimit.RateLimiter(
        ratelimit.storage_from_url(app.config["RATELIMIT_STORAGE"]))
    views.init_app(app)
    app.extensions.pop("backorder.openapi", None)
