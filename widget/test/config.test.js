import assert from "node:assert/strict";
import test from "node:test";

import "./dom.js";
import { readConfig } from "../src/config.js";

function script(attributes) {
  const element = document.createElement("script");
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  return element;
}

test("reads the store, overrides and the API origin from the script's own src", () => {
  const config = readConfig(script({
    src: "https://api.example:8443/widget.js?v=3", "data-store": "pk_1", "data-sku": "MUG", "data-target": "#here",
    "data-locale": "de-AT", "data-platform": "Shopify", "data-label-backorder": "Later: {date}",
    "data-label-button-preorder": "Reserve",
  }));
  assert.deepEqual(config, {
    store: "pk_1", api: "https://api.example:8443", sku: "MUG", target: "#here", locale: "de-AT", platform: "shopify",
    labels: { backorder: "Later: {date}", buttonPreorder: "Reserve" },
  });
});

test("defaults: platform auto, no sku, target, locale or labels", () => {
  const config = readConfig(script({ src: "https://api.example/widget.js", "data-store": "pk_1" }));
  assert.equal(config.platform, "auto");
  assert.equal(config.sku, null);
  assert.equal(config.target, null);
  assert.equal(config.locale, null);
  assert.deepEqual(config.labels, {});
});

test("data-api names the API when the script comes from elsewhere", () => {
  const config = readConfig(script({ src: "https://cdn.example/backorder/widget.js", "data-store": "pk_1",
    "data-api": "https://api.example/ignored/path" }));
  assert.equal(config.api, "https://api.example");
});

test("no config without data-store, without a src, or without a script", () => {
  assert.equal(readConfig(script({ src: "https://api.example/widget.js" })), null);
  assert.equal(readConfig(script({ "data-store": "pk_1" })), null);
  assert.equal(readConfig(script({ src: "javascript:alert(1)", "data-store": "pk_1" })), null);
  assert.equal(readConfig(null), null);
});
