import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import test from "node:test";

import { item, page, STORE } from "./dom.js";
import { translator } from "../src/i18n.js";
import { answerText, describe, listView, relabel, statusView, unitEta } from "../src/render.js";

const env = (store = {}, locale = "en-GB") =>
  ({ locale, store: { ...STORE, ...store }, t: translator(locale, {}, store.labels), post: async () => ({ ok: true, body: {} }) });
const INCOMING = [{ eta: "2026-12-14", quantity: 5 }, { eta: "2027-01-20", quantity: 10 }];

test("in stock: nothing to say while the quantity fits", () => {
  assert.deepEqual(describe(item({ available_now: 3 }), 3, env()), {});
});

test("in stock: a quantity beyond stock is split into now and the dated rest", () => {
  const shown = describe(item({ available_now: 2, incoming: INCOMING }), 3, env());
  assert.equal(shown.text, "2 can ship now, 1 around 14 Dec");
  assert.equal(describe(item({ available_now: 25, incoming: [{ eta: "2026-12-14", quantity: 40 }] }), 30, env()).text,
    "25 can ship now, 5 around 14 Dec");
});

test("in stock: the unit that needs the second shipment gets its date", () => {
  assert.equal(describe(item({ available_now: 1, incoming: INCOMING }), 7, env()).text, "1 can ship now, 6 around 20 Jan");
  assert.equal(unitEta(item({ incoming: INCOMING }), 5), "2026-12-14");
  assert.equal(unitEta(item({ incoming: INCOMING }), 6), "2027-01-20");
  assert.equal(unitEta(item({ incoming: INCOMING }), 16), null);
  assert.equal(unitEta(item({ eta: "2026-11-02", eta_source: "back_in_stock_date" }), 3), "2026-11-02");
});

test("in stock: beyond what can be backordered, the limit; beyond all shipments, no date", () => {
  assert.equal(describe(item({ available_now: 2, backorder_remaining: 0 }), 3, env()).text, "Only 2 available");
  assert.equal(describe(item({ available_now: 2, backorder_remaining: 3 }), 9, env()).text, "Only 5 available");
  assert.equal(describe(item({ available_now: 2 }), 4, env()).text, "2 can ship now, 2 later, date to be confirmed");
});

test("backorder: dated status, the store's button label, the remaining count only if the store shows it", () => {
  const backorder = item({ state: "backorder", available_now: 0, backorder_remaining: 3, eta: "2026-12-14",
    eta_source: "shipment", incoming: [{ eta: "2026-12-14", quantity: 10 }] });
  assert.deepEqual(describe(backorder, 1, env()), { text: "Backorder: ships around 14 Dec", label: "Backorder now" });
  assert.equal(describe(backorder, 1, env({ show_backorder_remaining: true })).text, "Backorder: ships around 14 Dec · 3 left");
  assert.equal(describe(backorder, 1, env({ labels: { buttonBackorder: "Order now, ships later" } })).label, "Order now, ships later");
  assert.equal(describe({ ...backorder, incoming: [], eta: null, eta_source: null }, 1, env()).text, "Backorder: date to be confirmed");
});

test("preorder: the release date; German when the locale is", () => {
  const preorder = item({ state: "preorder", available_now: 0, eta: "2027-02-01", eta_source: "release_date" });
  assert.deepEqual(describe(preorder, 1, env()), { text: "Preorder: released 1 Feb", label: "Preorder now" });
  assert.deepEqual(describe(preorder, 1, env({}, "de")), { text: "Vorbestellung: erscheint am 1. Feb.", label: "Vorbestellen" });
  assert.equal(describe({ ...preorder, eta: "soon" }, 1, env()).text, "Preorder: release date to be confirmed");
});

test("sold out: disabled, and the sign-up only when the item and the store allow it", () => {
  const soldOut = item({ state: "sold_out", available_now: 0, backorder_remaining: 0, notify: true });
  assert.deepEqual(describe(soldOut, 1, env()), { text: "Sold out", disable: true, notify: true });
  assert.equal(describe(soldOut, 1, env({ signup: false })).notify, false);
  assert.equal(describe({ ...soldOut, notify: false }, 1, env()).notify, false);
});

test("a malformed item says no date rather than throwing", () => {
  for (const incoming of [12, "soon", null, [null], [{ eta: "tomorrow", quantity: 9 }]]) {
    assert.equal(describe(item({ available_now: 1, incoming }), 3, env()).text, "1 can ship now, 2 later, date to be confirmed");
  }
});

test("untracked, unknown states and no item leave the page alone", () => {
  for (const thing of [item({ state: "untracked" }), item({ state: "weird" }), null, "garbage"]) assert.deepEqual(describe(thing, 1, env()), {});
});

test("a merchant message with markup shows as text, never as elements", () => {
  page(`<div id="host"></div>`);
  const draw = statusView(document.getElementById("host"));
  draw(item({ message: `<img src=x onerror=alert(1)>` }), {}, env());
  const root = document.getElementById("host").shadowRoot;
  assert.equal(root.querySelector('[part~="message"]').textContent, "<img src=x onerror=alert(1)>");
  assert.equal(root.querySelector("img"), null);
});

test("the host holds an open shadow root with a live status region and an adopted stylesheet", () => {
  page(`<div id="host"></div>`);
  const host = document.getElementById("host");
  const draw = statusView(host);
  draw(item({ state: "backorder", eta: "2026-12-14", eta_source: "back_in_stock_date" }), describe(
    item({ state: "backorder", eta: "2026-12-14", eta_source: "back_in_stock_date" }), 1, env()), env());
  assert.equal(host.getAttribute("data-backorder-host"), "status");
  const status = host.shadowRoot.querySelector('[part~="status"]');
  assert.equal(status.getAttribute("role"), "status");
  assert.equal(status.textContent, "Backorder: ships around 14 Dec");
  assert.equal(host.shadowRoot.adoptedStyleSheets.length, 1);
  assert.equal(host.shadowRoot.querySelector("style"), null);
});

test("sold out with sign-ups: a toggle opens a labelled form with consent and an off-screen honeypot", async () => {
  page(`<div id="host"></div>`);
  const posted = [];
  const environment = { ...env(), post: async (body) => { posted.push(body); return { ok: true, body: { message: "Check your inbox." } }; } };
  const draw = statusView(document.getElementById("host"));
  const soldOut = item({ sku: "CAP", state: "sold_out", notify: true });
  draw(soldOut, describe(soldOut, 1, environment), environment);
  const root = document.getElementById("host").shadowRoot;
  const form = root.querySelector('form[part~="notify"]');
  const toggle = root.querySelector('button[part~="toggle"]');
  assert.ok(form.hidden);
  toggle.click();
  assert.ok(!form.hidden);
  assert.equal(toggle.getAttribute("aria-expanded"), "true");
  const email = form.querySelector('input[name="email"]');
  assert.equal(email.type, "email");
  assert.ok(email.required);
  assert.equal(email.closest("label").textContent, "Email");
  assert.equal(form.querySelector('input[name="quantity"]').closest("label").textContent, "Quantity (optional)");
  assert.equal(form.querySelector('[part~="consent"]').textContent, STORE.consent);
  const trap = form.querySelector('input[name="company_url"]');
  assert.equal(trap.getAttribute("tabindex"), "-1");
  assert.equal(trap.closest("[aria-hidden]").getAttribute("aria-hidden"), "true");
  email.value = "shopper@example.com";
  form.querySelector('input[name="quantity"]').value = "2";
  form.querySelector('button[type="submit"]').click();
  await new Promise((done) => setTimeout(done, 5));
  assert.deepEqual(posted, [{ sku: "CAP", email: "shopper@example.com", locale: "en-GB", quantity: 2,
    page_url: "https://shop.example/products/tee" }]);
  assert.equal(root.querySelector('[part~="result"]').textContent, "Check your inbox.");
  assert.equal(form.querySelector('button[type="submit"]').disabled, false);
});

test("sign-up answers: the API's message, its first field error, or a general failure", () => {
  const t = translator("en");
  assert.equal(answerText({ ok: true, body: { message: "Check your inbox" } }, t), "Check your inbox");
  assert.equal(answerText({ ok: false, body: { error: { message: "Invalid", fields: { email: ["Not a valid email address."] } } } }, t),
    "Not a valid email address.");
  assert.equal(answerText({ ok: false, body: { error: { code: "rate_limited", message: "Too many sign-ups" } } }, t), "Too many sign-ups");
  assert.equal(answerText({ ok: false, body: null }, t), "Please try again later.");
});

test("the button label changes for the state and the theme's own label comes back", () => {
  page(`<button id="b"> <span>Add to cart</span><span class="spinner"></span></button><input id="i" type="submit" value="Add to Cart">`);
  const button = document.getElementById("b");
  relabel(button, "Backorder now");
  assert.equal(button.textContent.trim(), "Backorder now");
  relabel(button, "Preorder now");
  relabel(button, null);
  assert.equal(button.textContent.trim(), "Add to cart");
  relabel(button, "Backorder now");
  button.querySelector("span").textContent = "Sold out"; // the theme wrote its own label since
  relabel(button, null);
  assert.equal(button.textContent.trim(), "Sold out");
  const input = document.getElementById("i");
  relabel(input, "Preorder now");
  assert.equal(input.value, "Preorder now");
  relabel(input, null);
  assert.equal(input.value, "Add to Cart");
});

test("the backorder list: links and images only for web URLs, name and ETA as text", () => {
  page(`<div data-backorder-list></div>`);
  const host = document.querySelector("[data-backorder-list]");
  listView(host)([
    { sku: "LAMP", name: "Lamp <b>", url: "/products/lamp", image_url: "https://cdn.example/lamp.jpg",
      availability: item({ state: "backorder", eta: "2026-12-14", eta_source: "shipment", incoming: [{ eta: "2026-12-14", quantity: 1 }] }) },
    { sku: "BAD", name: "Bad", url: "javascript:alert(1)", image_url: "data:image/svg+xml,<svg/>", availability: item({ state: "preorder" }) },
  ], env());
  const items = host.shadowRoot.querySelectorAll('ul[part~="list"] > li[part~="item"]');
  assert.equal(items.length, 2);
  const [first, second] = [...items].map((li) => li.querySelector("a"));
  assert.equal(first.getAttribute("href"), "https://shop.example/products/lamp");
  assert.equal(first.querySelector("img").getAttribute("src"), "https://cdn.example/lamp.jpg");
  assert.equal(first.querySelector("img").getAttribute("alt"), "Lamp <b>");
  assert.equal(first.querySelector('[part~="name"]').textContent, "Lamp <b>");
  assert.equal(first.querySelector('[part~="eta"]').textContent, "Backorder: ships around 14 Dec");
  assert.equal(second.hasAttribute("href"), false);
  assert.equal(second.querySelector("img").hasAttribute("src"), false);
  assert.equal(host.getAttribute("data-backorder-host"), "list");
});

test("the widget's source has no HTML sinks, eval or string timers", () => {
  const folder = new URL("../src/", import.meta.url);
  for (const file of readdirSync(folder)) {
    const code = readFileSync(new URL(file, folder), "utf8");
    assert.doesNotMatch(code, /innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|set(Timeout|Interval)\(\s*["'`]/, file);
  }
});
