"""The HTTP APIs: public (widget), admin (token)."""

from flask.sessions import SecureCookieSessionInterface

from . import admin_api, public


class NoSessionsUnderApi(SecureCookieSessionInterface):
    """The APIs authenticate by key or token, never by cookie: skip the signed session there."""

    def open_session(self, app, request):
        if request.path.startswith("/api/"):
            return None  # Flask then uses a null session and never sets a cookie
        return super().open_session(app, request)


def init_app(app):
    app.session_interface = NoSessionsUnderApi()
    app.register_blueprint(public.bp, url_prefix="/api/v1")
    app.register_blueprint(admin_api.bp, url_prefix="/api/v1/admin")
