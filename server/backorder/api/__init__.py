"""The HTTP APIs: public (widget), admin (token)."""

from . import admin_api, public


def init_app(app):
    app.register_blueprint(public.bp, url_prefix="/api/v1")
    app.register_blueprint(admin_api.bp, url_prefix="/api/v1/admin")
