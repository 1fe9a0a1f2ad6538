"""Browser tests: the widget on demo storefront pages, in Debian's Chromium through Playwright.

Two servers per session, on two origins, so CORS is real:
- the API: create_app on a temporary SQLite file, migrated, with the demo store, at http://127.0.0.1:<port>;
- the storefront: the templates in server/backorder/templates/storefront (and e2e/pages/hostile.html)
  rendered with widget_src on the API origin, at http://localhost:<port>.
SQLite only: BACKORDER_TEST_DATABASE_URL is ignored here; the browser proves the widget, not the database.
Nothing is imported from tests/conftest.py; the admin flows use the test SMTP server of tests/smtp_mailbox.py.

Run: `.venv/bin/python -m pytest e2e -q` after `npm ci && npm run build` (the widget, jQuery and
axe-core come from npm), with Debian's chromium at /usr/bin/chromium. Screenshots go to e2e/artifacts/.
"""

import json
import logging
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from types import SimpleNamespace
from urllib.parse import parse_qs

import pytest
from flask import Flask, abort, render_template, request, send_from_directory
from playwright.sync_api import expect
from werkzeug.serving import make_server

from platforms import AXE, JQUERY

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests"))

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
PACKAGE = os.path.join(REPO, "server", "backorder")
WIDGET = os.path.join(PACKAGE, "static", "widget.js")
PAGE_ASSETS = os.path.join(PACKAGE, "static", "storefront")
ARTIFACTS = os.path.join(HERE, "artifacts")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]

PAGES = ("plain", "cornerstone", "dawn", "woocommerce")
# Shoppers are rarely in UTC: an ISO date read as UTC midnight shows the day before in California.
TIMEZONE = "America/Los_Angeles"

# Collected in every page from its first script on; a Symbol key, so Object.keys(window) never sees it.
RECORDER = """(() => {
  const record = { shifts: [], longtasks: [], frames: [], rejections: [], csp: [] };
  Object.defineProperty(window, Symbol.for("backorder.e2e"), { value: record });
  const describe = (node) => !node ? null : node.nodeType !== 1 ? node.nodeName
    : node.nodeName.toLowerCase() + (node.id ? "#" + node.id : "") + (node.className && node.className.baseVal === undefined
      ? "." + String(node.className).trim().split(/\\s+/).join(".") : "")
      + (node.hasAttribute("data-backorder-host") ? "[data-backorder-host]" : "");
  const observe = (type, handle) => {
    try { new PerformanceObserver((list) => list.getEntries().forEach(handle)).observe({ type, buffered: true }); }
    catch (error) { record[type + "-unsupported"] = String(error); }
  };
  observe("layout-shift", (entry) => record.shifts.push({
    value: entry.value, startTime: entry.startTime, hadRecentInput: entry.hadRecentInput,
    sources: (entry.sources || []).map((source) => describe(source.node)) }));
  observe("longtask", (entry) => record.longtasks.push({ startTime: entry.startTime, duration: entry.duration }));
  observe("long-animation-frame", (entry) => record.frames.push({
    startTime: entry.startTime, duration: entry.duration,
    scripts: (entry.scripts || []).map((script) => ({ sourceURL: script.sourceURL, invoker: script.invoker,
      startTime: script.startTime, duration: script.duration })) }));
  window.addEventListener("unhandledrejection", (event) => record.rejections.push(String(event.reason)));
  document.addEventListener("securitypolicyviolation", (event) =>
    record.csp.push(event.effectiveDirective + " blocked " + event.blockedURI));
})();"""

RECORD = 'window[Symbol.for("backorder.e2e")]'
expect.set_options(timeout=5_000)


def pytest_report_header(config):
    return "e2e: SQLite only; Chromium at " + CHROMIUM


def _free_server(app):
    return make_server("127.0.0.1", 0, app, threaded=True)


def _serve(server):
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return thread


def _chromium(say):
    """The path of Debian's Chromium, installing it with apt-get when running as root."""
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        say(f"e2e: {CHROMIUM} is missing; running `apt-get install -y chromium` (as root)")
        done = subprocess.run(["apt-get", "install", "-y", "chromium"], capture_output=True, text=True)
        if done.returncode != 0:
            say("e2e: that failed; running `apt-get update`, then `apt-get install -y chromium` again")
            subprocess.run(["apt-get", "update"], capture_output=True, text=True)
            done = subprocess.run(["apt-get", "install", "-y", "chromium"], capture_output=True, text=True)
        say(f"e2e: apt-get install -y chromium exited {done.returncode}"
            + ("" if done.returncode == 0 else ": " + (done.stderr or done.stdout).strip()[-500:]))
        if os.path.exists(CHROMIUM):
            return CHROMIUM
    pytest.fail(f"Chromium is missing: the browser tests need Debian's chromium at {CHROMIUM}. "
                "Install it with `sudo apt-get install -y chromium` (never `playwright install`).", pytrace=False)


def _storefront_app(settings):
    """The shop on its own origin: the demo templates with the snippet pointing at the API origin."""
    app = Flask("e2e_storefront", template_folder=os.path.join(PACKAGE, "templates"))
    pages_folder = os.path.join(HERE, "pages")
    app.jinja_loader.searchpath.append(pages_folder)

    def context():
        widget_src = settings["api"] + "/widget.js"
        if request.args.get("widget_latency"):  # the script arrives late, as from a distant CDN
            widget_src += "?latency=" + str(int(request.args["widget_latency"]))
        return dict(widget_src=widget_src if request.args.get("widget") != "0" else None,
                    public_key=settings["public_key"], asset_base="/assets")

    def pasted_twice(html, widget_src):
        """The page with the snippet pasted a second time, at the top of the body."""
        snippet = next(line for line in html.splitlines() if widget_src in line and "<script" in line)
        return html.replace("</header>", "</header>\n" + snippet.strip(), 1)

    @app.get("/<any(plain, cornerstone, dawn, woocommerce):page>")
    def page(page):
        values = context()
        html = render_template(f"storefront/{page}.html", **values)
        if request.args.get("twice") and values["widget_src"]:
            html = pasted_twice(html, values["widget_src"])
        return html

    @app.get("/hostile")
    def hostile():
        values = context()
        html = render_template("hostile.html", **values)
        policy = (f"script-src {settings['api']} 'self'; connect-src {settings['api']}; style-src 'self'; "
                  "object-src 'none'; base-uri 'none'")
        return html, {"Content-Security-Policy": policy}

    @app.get("/pages/<path:name>")
    def page_asset(name):
        return send_from_directory(pages_folder, name)

    @app.get("/assets/<path:name>")
    def asset(name):
        if name == "jquery.js":
            if not os.path.exists(JQUERY):
                abort(404, description=f"jQuery is not installed at {JQUERY}: run `npm ci`.")
            return send_from_directory(os.path.dirname(JQUERY), "jquery.min.js", mimetype="text/javascript")
        return send_from_directory(PAGE_ASSETS, name)

    return app


def _script_latency(wsgi_app):
    """Answer /widget.js?latency=<ms> that much later, so the page paints before the widget runs."""

    def delayed(environ, start_response):
        if environ.get("PATH_INFO") == "/widget.js":
            latency = parse_qs(environ.get("QUERY_STRING", "")).get("latency")
            if latency:
                time.sleep(min(int(latency[0]), 2000) / 1000)
        return wsgi_app(environ, start_response)

    return delayed


def _open_site(tmp_path_factory, name, **config):
    """An API server on a fresh SQLite database with the demo store, and a storefront on another origin.

    Returns (site, close). `config` adds settings to the API app (an SMTP server, say).
    """
    from flask_migrate import upgrade

    from backorder import create_app
    from backorder.db import db
    from backorder.demo import load_demo

    if not os.path.exists(WIDGET):
        pytest.fail("widget not built: run npm ci && npm run build", pytrace=False)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    database = tmp_path_factory.mktemp(name) / f"{name}.sqlite"
    api_app = create_app({"TESTING": True, "SECRET_KEY": "e2e-secret", "DATABASE_URL": f"sqlite:///{database}",
                          "LOG_LEVEL": "WARNING", "PASSWORD_HASH_FAST": True, **config})
    api_app.wsgi_app = _script_latency(api_app.wsgi_app)
    settings = {}
    api_server = _free_server(api_app)
    shop_server = _free_server(_storefront_app(settings))
    api = f"http://127.0.0.1:{api_server.server_port}"
    shop = f"http://localhost:{shop_server.server_port}"
    with api_app.app_context():
        upgrade()
        public_key, token, skus = load_demo(origins=[shop])
        db.session.remove()
    settings.update(api=api, public_key=public_key)
    threads = [_serve(api_server), _serve(shop_server)]

    def close():
        for server in (api_server, shop_server):
            server.shutdown()
            server.server_close()
        for thread in threads:
            thread.join(timeout=5)
        with api_app.app_context():
            db.engine.dispose()

    return SimpleNamespace(api=api, shop=shop, public_key=public_key, token=token, skus=skus, app=api_app), close


@pytest.fixture(scope="session")
def servers(tmp_path_factory):
    """The API and the storefront, each on its own origin, with the demo store loaded."""
    site, close = _open_site(tmp_path_factory, "e2e")
    yield site
    close()


@pytest.fixture(scope="session")
def admin_site(tmp_path_factory):
    """Like `servers`, for the admin flows: a database of its own (so changing products never
    disturbs the widget tests), a real SMTP server (site.mailbox) and a mail worker thread sending to it.
    Log in as demo@example.com / demo-password."""
    from smtp_mailbox import Mailbox

    from backorder.worker import start_worker_thread

    mailbox = Mailbox()
    mailbox.start()
    site, close = _open_site(tmp_path_factory, "e2e_admin", SMTP_URL=mailbox.url, WORKER_POLL_SECONDS=0.2,
                             ADMIN_LOGIN_LIMIT_EMAIL="1000/hour", ADMIN_LOGIN_LIMIT_IP="1000/hour")
    stop = start_worker_thread(site.app)
    site.mailbox = mailbox
    yield site
    stop.set()
    close()
    mailbox.stop()


@pytest.fixture(scope="session")
def browser(pytestconfig):
    """One Chromium for the whole run."""
    from playwright.sync_api import sync_playwright

    def say(line):  # past pytest's output capture: installing a browser is worth seeing
        capture = pytestconfig.pluginmanager.get_plugin("capturemanager")
        with capture.global_and_fixture_disabled():
            print("\n" + line, flush=True)

    path = _chromium(say)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Api:
    """Plain HTTP calls to the API from the test (not the browser)."""

    def __init__(self, servers):
        self.base = servers.api
        self.public_key = servers.public_key
        self.token = servers.token

    def call(self, method, path, body=None, admin=False):
        """(status, parsed JSON or text) for one request."""
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if admin:
            headers["Authorization"] = f"Bearer {self.token}"
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(req, timeout=10) as answer:
                status, raw = answer.status, answer.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
            error.close()
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, raw.decode(errors="replace")

    def availability(self, sku):
        """The public availability item for one sku."""
        status, body = self.call("GET", f"/api/v1/stores/{self.public_key}/availability?sku={sku}")
        assert status == 200, body
        return body["items"][0]

    def store_settings(self):
        status, body = self.call("GET", f"/api/v1/stores/{self.public_key}/availability?sku=DEMO-TEE-S")
        assert status == 200, body
        return body.get("store", {})


@pytest.fixture(scope="session")
def api(servers):
    return Api(servers)


class Visit:
    """One page in a fresh browser context, with what it logged, threw and requested."""

    def __init__(self, context, servers):
        self.servers = servers
        self.page = context.new_page()
        self.errors, self.console, self.availability_requests = [], [], []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", lambda message: self.console.append((message.type, message.text)))
        self.page.on("request", self._count)

    def _count(self, req):
        if "/availability" in req.url:
            self.availability_requests.append(req.url)

    def url(self, path, **params):
        query = "&".join(f"{key}={value}" for key, value in params.items())
        return f"{self.servers.shop}/{path}" + (f"?{query}" if query else "")

    def open(self, path, wait_for_api=True, **params):
        """Load a storefront page; by default wait until the availability answer is in and drawn."""
        if path == "woocommerce" and not os.path.exists(JQUERY):
            pytest.fail(f"jQuery is not installed at {JQUERY} (the WooCommerce page needs it): run `npm ci`",
                        pytrace=False)
        if wait_for_api:
            with self.page.expect_response(lambda answer: "/availability" in answer.url, timeout=10_000):
                self.page.goto(self.url(path, **params))
        else:
            self.page.goto(self.url(path, **params))
        self.page.wait_for_load_state("load")
        self.settle()
        return self.page

    def settle(self):
        """Let pending tasks run and two frames paint."""
        self.page.evaluate("() => new Promise((done) => setTimeout(() => "
                           "requestAnimationFrame(() => requestAnimationFrame(() => done())), 60))")

    def record(self):
        return self.page.evaluate(f"() => JSON.parse(JSON.stringify({RECORD}))")

    def widget_messages(self):
        return [(kind, text) for kind, text in self.console if text.startswith("[backorder]")]

    def screenshot(self, name):
        os.makedirs(ARTIFACTS, exist_ok=True)
        self.page.screenshot(path=os.path.join(ARTIFACTS, f"{name}.png"), full_page=True)


def new_visit(browser, servers):
    """(Visit, its context): a fresh context (no cache, no storage) recording errors, console and requests."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US", timezone_id=TIMEZONE)
    context.set_default_timeout(10_000)
    context.add_init_script(RECORDER)
    return Visit(context, servers), context


@pytest.fixture
def visit(browser, servers):
    """A fresh context per test (see new_visit)."""
    visit, context = new_visit(browser, servers)
    yield visit
    context.close()



AXE_ON_PAGE = """async () => (await axe.run(document, { resultTypes: ['violations'] })).violations
  .map((v) => v.id + ': ' + v.help + ' @ ' + v.nodes.map((n) => n.target.join(' ')).join(', '))"""


class AdminPage:
    """A browser logged in to the admin of admin_site, with an accessibility check and screenshots."""

    def __init__(self, context, site):
        self.site = site
        self.page = context.new_page()
        self.errors = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.page.add_init_script("document.addEventListener('securitypolicyviolation', (event) => "
                                  "console.error('CSP blocked ' + event.blockedURI + ' (' + event.effectiveDirective + ')'))")

    def login(self, email="demo@example.com", password="demo-password"):
        self.page.goto(self.site.api + "/admin/login")
        self.page.get_by_label("Email").fill(email)
        self.page.get_by_label("Password").fill(password)
        posted = lambda response: response.request.method == "POST" and "/admin/login" in response.url
        with self.page.expect_response(posted) as answer:
            self.page.get_by_role("button", name="Log in").click()
        response = answer.value
        if response.status != 302:
            pytest.fail(f"login as {email} answered {response.status}, not a redirect: {response.text()[:2000]}",
                        pytrace=False)
        self.page.wait_for_url(lambda url: "/admin/login" not in url)
        return self

    def open(self, path):
        """Go to an admin path (e.g. "/admin/products") and wait for it to load."""
        self.page.goto(self.site.api + path)
        self.page.wait_for_load_state("load")
        return self.page

    def axe_violations(self):
        """axe-core's violations on the current page (an empty list is the goal)."""
        if not os.path.exists(AXE):
            pytest.fail("axe-core is not installed: run `npm ci` (node_modules/axe-core/axe.min.js)", pytrace=False)
        with open(AXE, encoding="utf-8") as source:  # run through DevTools, so the page's CSP stays strict
            self.page.evaluate(source.read())
        return self.page.evaluate(AXE_ON_PAGE)

    def screenshot(self, name):
        os.makedirs(ARTIFACTS, exist_ok=True)
        self.page.screenshot(path=os.path.join(ARTIFACTS, f"admin-{name}.png"), full_page=True)


@pytest.fixture
def admin_page(browser, admin_site):
    """A fresh browser context logged in to admin_site's demo store (desktop size)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US",
                                  timezone_id=TIMEZONE, accept_downloads=True)
    context.set_default_timeout(10_000)
    yield AdminPage(context, admin_site).login()
    context.close()
