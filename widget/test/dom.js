// Test helpers: a happy-dom document as the page, fixtures, a recording fetch. Not a test file itself.
import { GlobalRegistrator } from "@happy-dom/global-registrator";

if (!GlobalRegistrator.isRegistered) GlobalRegistrator.register({ url: "https://shop.example/products/tee" });

/** Replaces the page body with a fixture (tests may use innerHTML; the widget never does). */
export function page(html, lang = "en") {
  document.documentElement.removeAttribute("data-backorder-widget");
  document.documentElement.lang = lang;
  document.body.innerHTML = html;
}

export const STORE = { locale: "en", show_backorder_remaining: false, signup: true, consent: "I agree to one email.", labels: {} };

/** An availability item with defaults, like the API's. */
export function item(overrides = {}) {
  return { sku: "A", platform_id: null, state: "in_stock", purchasable: true, available_now: 3, backorder_remaining: null,
    eta: null, eta_source: null, incoming: [], message: null, notify: false, ...overrides };
}

/** A fetch that answers availability from `catalog` (key → item) and records every URL asked. */
export function recordingFetch(catalog = {}, store = STORE) {
  const calls = [];
  const fetch = async (url, init = {}) => {
    calls.push({ url: String(url), init });
    const query = new URL(url).searchParams;
    const items = [...query.getAll("sku").map((sku) => catalog[sku] || item({ sku, state: "untracked" })),
      ...query.getAll("pid").map((pid) => ({ ...(catalog["pid:" + pid] || item({ sku: null, state: "untracked" })), platform_id: pid }))];
    return new Response(JSON.stringify({ store, items }), { status: 200, headers: { "Content-Type": "application/json" } });
  };
  return { fetch, calls };
}

/** Lets pending promises and timers run. */
export const settle = () => new Promise((done) => setTimeout(done, 5));

export const config = (overrides = {}) => ({ store: "pk_test", api: "https://api.example", labels: {}, sku: null,
  target: null, locale: null, platform: "auto", ...overrides });

/** The shadow root of the n-th widget host on the page. */
export const shadowOf = (n = 0) => document.querySelectorAll("[data-backorder-host]")[n].shadowRoot;
