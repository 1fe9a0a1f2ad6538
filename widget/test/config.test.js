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
    "data-locale": "de-AT", "data-platform": "shopify", "data-label-backorder": "Later: {date}",
    "data-label-button-preorder": "Reserve",
  }));
  assert.deepEqual(config, {
    store: "pk_1", api: "https://api.example:8443", sku: "MUG", target: "#here", locale: "de-AT", platform: "shopify",
    labels: { backorder: "Later: {date}", buttonPreorder: "Reserve" },
  });
});

test("unset attributes stay unset: detection then runs in auto mode", () => {
  const config = readConfig(script({ src: "https://api.example/widget.js", "data-store": "pk_1" }));
  assert.deepEqual(config, { store: "pk_1", api: "https://api.example", labels: {}, sku: undefined, target: undefined,
    locale: undefined, platform: undefined });
});

test("no config without data-store, without a src, or without a script", () => {
  assert.equal(readConfig(script({ src: "https://api.example/widget.js" })), null);
  assert.equal(readConfig(script({ "data-store": "pk_1" })), null);
  assert.equal(readConfig(script({ src: "javascript:alert(1)", "data-store": "pk_1" })), null);
  assert.equal(readConfig(null), null);
});
