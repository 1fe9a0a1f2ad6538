"""The HTTP APIs: public (widget), admin (token), platform webhooks."""

from flask.sessions import SecureCookieSessionInterface
from werkzeug.routing import BaseConverter, PathConverter

from . import admin_platforms, hooks  # noqa: F401 (admin_platforms adds routes to admin_api.bp)
from . import admin_alerts, admin_api, admin_reports, public  # noqa: F401 (admin_alerts, admin_reports add routes to admin_api.bp)
from . import admin_backorders  # noqa: F401 (adds routes to admin_api.bp)
from . import health  # noqa: F401 (adds /health to public.bp)


class NoSessionsUnderApi(SecureCookieSessionInterface):
    """The APIs authenticate by key or token, never by cookie: skip the signed session there."""

    def open_session(self, app, request):
        if request.path.startswith(("/api/", "/hooks/")):
            return None  # Flask then uses a null session and never sets a cookie
        return super().open_session(app, request)


class SkuConverter(PathConverter):
    """A sku in a path: slashes allowed (TEE/RED/M), control characters never (PostgreSQL rejects NUL)."""

    regex = r"[^/\x00-\x1f\x7f][^\x00-\x1f\x7f]*?"


class PublicKeyConverter(BaseConverter):
    """A store's public key as create_store makes it; anything else is a 404 before any query."""

    regex = r"pk_[A-Za-z0-9_-]{1,64}"


class PlatformConverter(BaseConverter):
    """A platform name in a path (webhooks, the admin API's connections)."""

    regex = "bigcommerce|shopify|woocommerce"


def init_app(app):
    app.session_interface = NoSessionsUnderApi()
    app.url_map.converters.update(sku=SkuConverter, public_key=PublicKeyConverter, platform=PlatformConverter)
    app.register_blueprint(public.bp, url_prefix="/api/v1")
    app.register_blueprint(admin_api.bp, url_prefix="/api/v1/admin")
    app.register_blueprint(hooks.bp, url_prefix="/hooks")
