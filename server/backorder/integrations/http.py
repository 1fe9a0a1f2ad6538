"""One REST client for every platform: timeouts, retries with backoff, and each platform's rate limits.

Retried: timeouts, dropped connections, 5xx and 429 (after the wait the platform asks for). Not
retried: any other 4xx, which no retry cures (PlatformRefused), nor a connection that cannot be made
at all (unknown host, refused, no answer to connect): a wrong shop or API URL fails at once, with why,
instead of keeping a person at the admin waiting through the backoff (the worker retries its tasks later).
A client pauses on its own when a platform says the bucket is nearly empty, so a long sync slows down
instead of being refused.
"""

import logging
import random
import time
from urllib.parse import urljoin, urlsplit

import requests
from urllib3.exceptions import NameResolutionError, NewConnectionError

from ..services.errors import PlatformRefused, PlatformUnavailable

log = logging.getLogger(__name__)
MAX_WAIT = 60.0  # never sleep longer than this for one rate-limit answer


class ApiClient:
    """requests.Session with a base URL, fixed headers or auth, and the retry policy."""

    platform = "platform"

    def __init__(self, base_url, *, headers=None, auth=None, timeout=10, retries=4, backoff=1.0, sleep=time.sleep):
        self.base_url = base_url.rstrip("/") + "/"
        self.session = requests.Session()
        self.session.headers.update({"Accept": "application/json", "User-Agent": "backorder"})
        self.session.headers.update(headers or {})
        self.session.auth = auth
        self.timeout = (min(timeout, 5), timeout)  # (connect, read) seconds
        self.retries = retries
        self.backoff = backoff
        self.sleep = sleep
        self.requests_made = 0

    def url(self, path):
        return path if path.startswith(("http://", "https://")) else urljoin(self.base_url, path.lstrip("/"))

    def rate_limit_wait(self, response):
        """Seconds to wait before retrying a 429: Retry-After unless the platform says otherwise."""
        try:
            return float(response.headers.get("Retry-After", ""))
        except ValueError:
            return None

    def pause_after(self, response):
        """Seconds to pause after a successful answer that says the rate-limit bucket is nearly empty."""
        return 0

    def _backoff(self, attempt):
        return self.backoff * (2 ** attempt) * random.uniform(0.5, 1.0)

    def request(self, method, path, **kwargs):
        """The response of a successful request (2xx), after retrying what can be retried."""
        url = self.url(path)
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                self.requests_made += 1
                response = self.session.request(method, url, timeout=self.timeout, **kwargs)
            except (requests.ConnectionError, requests.Timeout) as error:
                unreachable = _unreachable(error)
                if unreachable:
                    raise PlatformUnavailable(f"{self.platform}: cannot connect to {urlsplit(url).netloc} "
                                              f"({unreachable})", platform=self.platform) from None
                if last:
                    raise PlatformUnavailable(
                        f"{self.platform}: no answer from {method} {path} ({type(error).__name__})",
                        platform=self.platform) from None
                self.sleep(self._backoff(attempt))
                continue
            if response.status_code < 300:
                pause = self.pause_after(response)
                if pause:
                    log.info("%s: rate limit nearly reached, pausing %.2fs", self.platform, pause)
                    self.sleep(min(pause, MAX_WAIT))
                return response
            if response.status_code == 429 or response.status_code >= 500:
                if last:
                    raise PlatformUnavailable(f"{self.platform}: {method} {path} answered {response.status_code} "
                                              f"{retries_word(self.retries)}", platform=self.platform,
                                              status=response.status_code)
                wait = self.rate_limit_wait(response) if response.status_code == 429 else None
                wait = self._backoff(attempt) if wait is None else wait
                log.info("%s: %s %s answered %d, retrying in %.2fs", self.platform, method, path,
                         response.status_code, wait)
                self.sleep(min(max(wait, 0), MAX_WAIT))
                continue
            raise PlatformRefused(f"{self.platform}: {method} {path} answered {response.status_code}: "
                                  f"{response.text[:200]}", platform=self.platform, status=response.status_code)
        raise AssertionError("unreachable")

    def get_json(self, path, **params):
        """The decoded JSON of a GET; an answer that is not JSON is refused."""
        response = self.request("GET", path, params=params or None)
        try:
            return response.json()
        except ValueError:
            raise PlatformRefused(f"{self.platform}: GET {path} did not answer JSON", platform=self.platform) from None


def _unreachable(error):
    """Why no connection could be made (nothing was sent, so nothing is lost by giving up), or None."""
    if isinstance(error, requests.ConnectTimeout):
        return "no answer to connect"
    reason = getattr(error.args[0], "reason", None) if error.args else None
    if isinstance(reason, NameResolutionError):
        return "host name not found"
    if isinstance(reason, NewConnectionError):
        return "connection refused or network unreachable"
    return None


def retries_word(retries):
    return f"after {retries} retries" if retries else "(no retries)"


def client_settings(config):
    """The retry policy from the app's settings."""
    return {"timeout": config["PLATFORM_TIMEOUT_SECONDS"], "retries": config["PLATFORM_RETRIES"],
            "backoff": config["PLATFORM_RETRY_SECONDS"]}
