import assert from "node:assert/strict";
import test from "node:test";

import { config, item, page, recordingFetch, settle, shadowOf } from "./dom.js";
import { CORNERSTONE, DAWN } from "./fixtures.js";

const { boot, start } = await import("../src/index.js");

const CATALOG = {
  A: item({ sku: "A", state: "backorder", available_now: 0, eta: "2026-12-14", eta_source: "back_in_stock_date" }),
  B: item({ sku: "B", state: "preorder", available_now: 0, eta: "2027-02-01", eta_source: "release_date" }),
  C: item({ sku: "C", state: "sold_out", available_now: 0, backorder_remaining: 0, notify: true }),
  "TEE-S": item({ sku: "TEE-S", available_now: 25, incoming: [{ eta: "2026-12-14", quantity: 40 }] }),
  "TEE-M": item({ sku: "TEE-M", state: "backorder", available_now: 0, eta: "2026-12-14", eta_source: "shipment",
    incoming: [{ eta: "2026-12-14", quantity: 10 }] }),
  "TEE-L": item({ sku: "TEE-L", state: "sold_out", available_now: 0, backorder_remaining: 0, notify: true }),
};

function capture(method) {
  const seen = [];
  const original = console[method];
  console[method] = (...args) => seen.push(args.join(" "));
  return { seen, restore: () => { console[method] = original; } };
}

const status = (n = 0) => shadowOf(n).querySelector('[part~="status"]').textContent;

test("API down, 500 or garbage: nothing drawn, one warning in all, nothing thrown", async () => {
  const warnings = capture("warn");
  try {
    for (const fetch of [
      async () => { throw new TypeError("Failed to fetch"); },
      async () => new Response("oops", { status: 500 }),
      async () => new Response(JSON.stringify({ items: "nope" }), { status: 200 }),
      async () => new Response(JSON.stringify({ items: [] }), { status: 200 }),
    ]) {
      page(`<div data-backorder-sku="A"></div><div data-backorder-sku="B"></div>`);
      await start(config(), document, { fetch });
      assert.equal(status(0), "");
      assert.equal(status(1), "");
    }
  } finally {
    warnings.restore();
  }
  assert.deepEqual(warnings.seen, ["[backorder] availability failed (no answer)"]);
});

test("one request for every placeholder on the page, without cookies, then each one drawn", async () => {
  page(`<div data-backorder-sku="A"></div><div data-backorder-sku="B"></div><div data-backorder-sku="C"></div>
        <div data-backorder-sku="A"></div>`, "en-GB");
  const { fetch, calls } = recordingFetch(CATALOG);
  await start(config({ locale: "en-GB" }), document, { fetch });
  assert.equal(calls.length, 1);
  const url = new URL(calls[0].url);
  assert.equal(url.origin + url.pathname, "https://api.example/api/v1/stores/pk_test/availability");
  assert.deepEqual(url.searchParams.getAll("sku"), ["A", "B", "C"]);
  assert.equal(calls[0].init.credentials, "omit");
  assert.ok(calls[0].init.signal);
  assert.deepEqual([0, 1, 2, 3].map(status), ["Backorder: ships around 14 Dec", "Preorder: released 1 Feb", "Sold out",
    "Backorder: ships around 14 Dec"]);
});

test("Cornerstone: a variant change costs one more request, going back costs none", async () => {
  page(CORNERSTONE, "en-GB");
  const { fetch, calls } = recordingFetch(CATALOG);
  await start(config({ locale: "en-GB" }), document, { fetch });
  const button = document.getElementById("form-action-addToCart");
  assert.equal(calls.length, 1);
  assert.equal(status(), "");
  const change = (sku) => {
    document.querySelector("[data-product-sku]").textContent = sku;
    document.dispatchEvent(new CustomEvent("onProductOptionsChanged", { detail: { data: { sku } } }));
  };
  change("TEE-M");
  await settle();
  assert.equal(calls.length, 2);
  assert.equal(status(), "Backorder: ships around 14 Dec");
  assert.equal(button.value, "Backorder now");
  change("TEE-L");
  await settle();
  assert.equal(status(), "Sold out");
  assert.equal(button.disabled, true);
  change("TEE-S");
  change("TEE-M");
  change("TEE-S");
  await settle();
  assert.equal(calls.length, 3);
  assert.equal(status(), "");
  assert.equal(button.value, "Add to Cart");
  assert.equal(button.disabled, false);
  // the host sits right after the add-to-cart wrapper
  assert.equal(document.getElementById("add-to-cart-wrapper").nextElementSibling.getAttribute("data-backorder-host"), "status");
});

test("the quantity input is watched: more than ships now is dated without asking again", async () => {
  page(CORNERSTONE, "en-GB");
  const { fetch, calls } = recordingFetch(CATALOG);
  await start(config({ locale: "en-GB" }), document, { fetch });
  const qty = document.querySelector('[name="qty[]"]');
  qty.value = "30";
  qty.dispatchEvent(new Event("input", { bubbles: true }));
  assert.equal(status(), "25 can ship now, 5 around 14 Dec");
  qty.value = "2";
  qty.dispatchEvent(new Event("change", { bubbles: true }));
  assert.equal(status(), "");
  assert.equal(calls.length, 1);
});

test("Dawn: the label is set after the theme's own update of the button", async () => {
  page(DAWN.replace('"TEE-S"', '"TEE-M"'), "en-GB");
  const { fetch } = recordingFetch(CATALOG);
  await start(config({ locale: "en-GB" }), document, { fetch });
  const button = document.getElementById("ProductSubmitButton-main");
  assert.equal(button.textContent, "Backorder now");
  assert.equal(status(), "Backorder: ships around 14 Dec");
});

test("a slow API is given up after the timeout", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  page(`<div data-backorder-sku="A"></div>`);
  let aborted = false;
  const fetch = (url, init) => new Promise((resolve, reject) => {
    init.signal.addEventListener("abort", () => { aborted = true; reject(new DOMException("aborted", "AbortError")); });
  });
  const done = start(config(), document, { fetch });
  t.mock.timers.tick(4000);
  await done;
  assert.ok(aborted);
  assert.equal(status(), "");
});

test("no product and no list: one warning, no request", async () => {
  page(`<p>About us</p>`);
  const { fetch, calls } = recordingFetch(CATALOG);
  await start(config({ locale: "en-GB" }), document, { fetch });
  assert.equal(calls.length, 0);
  assert.equal(document.querySelector("[data-backorder-host]"), null);
});

test("pasted twice, it runs once; no globals are added", async () => {
  page(`<div data-backorder-sku="A"></div>`);
  const { fetch, calls } = recordingFetch(CATALOG);
  const script = document.createElement("script");
  script.src = "https://api.example/widget.js";
  script.setAttribute("data-store", "pk_test");
  const before = Object.keys(globalThis).sort();
  boot(script, document, { fetch });
  boot(script.cloneNode(), document, { fetch });
  await settle();
  assert.equal(calls.length, 1);
  assert.equal(document.querySelectorAll("[data-backorder-host]").length, 1);
  assert.deepEqual(Object.keys(globalThis).sort(), before);
});

test("the list asks /backorders once for every list on the page", async () => {
  page(`<div data-backorder-list></div><div data-backorder-list></div>`);
  const calls = [];
  const fetch = async (url) => {
    calls.push(url);
    return new Response(JSON.stringify({ store: { locale: "en" }, items: [{ sku: "A", name: "Lamp", url: "https://shop.example/lamp",
      image_url: null, availability: CATALOG.A }] }), { status: 200 });
  };
  await start(config({ locale: "en-GB" }), document, { fetch });
  assert.deepEqual(calls, ["https://api.example/api/v1/stores/pk_test/backorders"]);
  assert.equal(shadowOf(1).querySelectorAll('li[part~="item"]').length, 1);
});
