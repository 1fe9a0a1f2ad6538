"""Settings: defaults, then BACKORDER_* environment variables, then the test mapping."""

import os

PLACEHOLDER_SECRET = "dev-only-change-me"

# Every setting, its default and its type. An environment variable BACKORDER_<NAME>
# overrides the default; README.md documents each one.
DEFAULTS = {
    "DEBUG": False,
    "SECRET_KEY": PLACEHOLDER_SECRET,
    "DATABASE_URL": None,  # None: SQLite file "backorder.sqlite" in the instance folder
    "PUBLIC_URL": "http://127.0.0.1:5000",
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "SQLITE_BUSY_TIMEOUT": 30,
    "STORE_CACHE_SECONDS": 5,
    # Public answers kept per process: another process's changes show within this many seconds (0: none kept)
    "ANSWER_CACHE_SECONDS": 5,
    "LOG_LEVEL": "INFO",
    # Email: the outbox worker's transport, sender of last resort, batch and retry policy
    "SMTP_URL": "console://",  # smtp://user:pass@host:587?starttls=1, smtps://host:465, console://
    "MAIL_FROM": "backorder@localhost",  # used when a store has no sender address of its own
    "MAIL_BATCH": 100,
    "MAIL_LEASE_SECONDS": 60,  # a claimed message whose worker died is sent by another after this
    "MAIL_MAX_ATTEMPTS": 8,
    "WORKER_POLL_SECONDS": 1,
    "WORKER_MAIL_SECONDS": 5,  # a worker sends mail this long at most, then runs its due tasks, then mail again
    "RUN_WORKER": True,  # `backorder run` (the development server) also sends mail in a thread
    # Sign-up abuse limits (token buckets shared by every process)
    "TRUSTED_PROXIES": 0,  # reverse proxies in front that set X-Forwarded-For (for per-client limits)
    "RATELIMIT_STORAGE": "database",  # or redis://host:6379/0
    "SIGNUP_LIMIT_IP": "10/minute",
    "SIGNUP_LIMIT_EMAIL": "5/hour",
    "SIGNUP_LIMIT_STORE": "600/minute",
    # Platform integrations: REST calls to BigCommerce, Shopify and WooCommerce, and their webhooks
    "PLATFORM_TIMEOUT_SECONDS": 10,
    "PLATFORM_RETRIES": 4,  # after a timeout, a 5xx or a 429 (which waits as long as the platform asks)
    "PLATFORM_RETRY_SECONDS": 1,  # first backoff; it doubles on each retry
    "WEBHOOK_TOLERANCE_SECONDS": 300,  # Standard Webhooks timestamps further from now are refused
    "WEBHOOK_DEDUPE_DAYS": 7,  # delivery ids remembered this long (platforms retry for two days at most)
    "SHOPIFY_API_VERSION": "2025-07",
    "BIGCOMMERCE_API_URL": "https://api.bigcommerce.com",  # a store's REST base is this + /stores/<store hash>
    # Reports: product-page views are counted in memory and written in one batch this often (0: not counted)
    "VIEW_FLUSH_SECONDS": 10,
    # Admin pages: how long a login lasts, and how fast passwords may be guessed
    "ADMIN_SESSION_HOURS": 12,
    "ADMIN_LOGIN_LIMIT_IP": "30/hour",
    "ADMIN_LOGIN_LIMIT_EMAIL": "10/hour",
    "PASSWORD_HASH_FAST": False,  # tests only: cheap Argon2 parameters (a login hash costs ~1 ms, not ~100 ms)
}


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConfigError(RuntimeError):
    """The settings cannot run a server (raised at start-up, never per request)."""


def _parse(name, raw, default):
    if isinstance(default, bool):
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off", ""):
            return False
        raise ConfigError(f"BACKORDER_{name} must be true or false, not {raw!r}")
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"BACKORDER_{name} must be a whole number, not {raw!r}") from None
    return raw


def load(app, test_config=None):
    """Fill app.config from defaults, the environment and test_config, then check it."""
    settings = dict(DEFAULTS)
    for name, default in DEFAULTS.items():
        raw = os.environ.get(f"BACKORDER_{name}")
        if raw is not None:
            settings[name] = _parse(name, raw, default)
    settings.update(test_config or {})
    settings["LOG_LEVEL"] = str(settings["LOG_LEVEL"]).upper()
    if settings["LOG_LEVEL"] not in LOG_LEVELS:
        raise ConfigError(f"BACKORDER_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {settings['LOG_LEVEL']!r}")

    url = settings["DATABASE_URL"] or "sqlite:///" + os.path.join(app.instance_path, "backorder.sqlite")
    settings["SQLALCHEMY_DATABASE_URI"] = url
    settings["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(url, settings["SQLITE_BUSY_TIMEOUT"])
    app.config.from_mapping(settings)
    app.json.sort_keys = False

    if app.config["SECRET_KEY"] == PLACEHOLDER_SECRET and not (app.config["DEBUG"] or app.config.get("TESTING")):
        raise ConfigError(
            "BACKORDER_SECRET_KEY is not set. Set it to a long random string, for example "
            "the output of: python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        os.makedirs(os.path.dirname(url.removeprefix("sqlite:///")) or ".", exist_ok=True)


def engine_options(url, busy_timeout):
    """SQLAlchemy engine options for this database: pool health on servers, a busy wait on SQLite."""
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": busy_timeout}}
    return {"pool_pre_ping": True}
