import assert from "node:assert/strict";
import test from "node:test";

import { config, page } from "./dom.js";
import { CORNERSTONE, DAWN, SHOPIFY_PLAIN, WOO } from "./fixtures.js";
import { detect } from "../src/detect.js";
import jQuery from "jquery";

const keys = (found) => found.map((product) => product.key);

test("placeholders come first, one product each; empty ones are skipped", () => {
  page(`<div data-backorder-sku="A"></div><div data-backorder-sku=" B "></div><div data-backorder-sku=""></div>${CORNERSTONE}`);
  const found = detect(document, config());
  assert.deepEqual(keys(found), [{ sku: "A" }, { sku: "B" }]);
  assert.equal(found[0].host, document.querySelector('[data-backorder-sku="A"]'));
});

test("Cornerstone: the sku shown in .productView, the add-to-cart button, the qty[] input, after the wrapper", () => {
  page(CORNERSTONE);
  const [product] = detect(document, config());
  assert.deepEqual(product.key, { sku: "TEE-S" });
  assert.equal(product.button.id, "form-action-addToCart");
  assert.equal(product.qty.name, "qty[]");
  assert.equal(product.anchor.id, "add-to-cart-wrapper");
});

test("Cornerstone: without a sku on the page, the product id", () => {
  page(CORNERSTONE.replace("TEE-S", ""));
  assert.deepEqual(detect(document, config())[0].key, { pid: "77" });
});

test("Cornerstone: onProductOptionsChanged on document gives the variant's sku", () => {
  page(CORNERSTONE);
  const [product] = detect(document, config());
  const seen = [];
  product.follow((key) => seen.push(key));
  document.dispatchEvent(new CustomEvent("onProductOptionsChanged", { bubbles: true, detail: { data: { sku: "TEE-L" } } }));
  assert.deepEqual(seen, [{ sku: "TEE-L" }]);
});

test("Shopify Dawn: the selected variant's sku from its JSON; the installment form is no product", () => {
  page(DAWN);
  const found = detect(document, config());
  assert.equal(found.length, 1);
  assert.deepEqual(found[0].key, { sku: "TEE-S" });
  assert.equal(found[0].qty.getAttribute("form"), "product-form-main");
  assert.ok(found[0].anchor.classList.contains("product-form__buttons"));
});

test("Shopify Dawn: the quantity outside the form is found although form.id is the input named id", () => {
  page(DAWN);
  const form = document.getElementById("product-form-main");
  // browsers expose a form's controls by name: form.id is <input name="id">, not the form's id
  Object.defineProperty(form, "id", { get: () => form.querySelector("[name=id]") });
  const [product] = detect(document, config());
  assert.equal(product.qty && product.qty.getAttribute("form"), "product-form-main");
});

test("Shopify Dawn: a bubbling change on the id input switches the variant", () => {
  page(DAWN);
  const [product] = detect(document, config());
  const seen = [];
  product.follow((key) => seen.push(key));
  const id = document.querySelector("#product-form-main [name=id]");
  document.querySelector("[data-selected-variant]").textContent = JSON.stringify({ id: 42, sku: "TEE-M" });
  id.value = "42";
  id.dispatchEvent(new Event("change", { bubbles: true }));
  document.querySelector("[data-selected-variant]").textContent = JSON.stringify({ id: 43, sku: "" });
  id.value = "43";
  id.dispatchEvent(new Event("change", { bubbles: true }));
  assert.deepEqual(seen, [{ sku: "TEE-M" }, { pid: "43" }]);
});

test("Shopify without Dawn's JSON: asks by variant id (the platform id)", () => {
  page(SHOPIFY_PLAIN);
  const [product] = detect(document, config());
  assert.deepEqual(product.key, { pid: "51" });
  assert.equal(product.qty.name, "quantity");
});

test("WooCommerce: the variation already chosen (from data-product_variations) and the simple product's sku", () => {
  page(WOO);
  const found = detect(document, config(), window);
  assert.deepEqual(keys(found), [{ sku: "TEE-S" }, { sku: "LAMP" }]);
  assert.ok(found[0].anchor.classList.contains("single_add_to_cart_button")); // mounted beside the button
  assert.equal(found[1].anchor.name, "add-to-cart");
});

test("WooCommerce: nothing chosen yet means no key; a simple product without .sku is asked by id", () => {
  page(WOO.replace(' selected>S', '>S').replace('<span class="sku">LAMP</span>', ""));
  assert.deepEqual(keys(detect(document, config(), window)), [null, { pid: "6" }]);
});

test("WooCommerce: found_variation and reset_data arrive as jQuery events", () => {
  page(WOO);
  const [product] = detect(document, config(), { jQuery });
  const seen = [];
  product.follow((key) => seen.push(key));
  const form = jQuery("form.variations_form");
  form.trigger("found_variation", [{ sku: "", variation_id: 42 }]);
  form.trigger("found_variation", [{ sku: "TEE-S", variation_id: 41 }]);
  form.trigger("reset_data");
  assert.deepEqual(seen, [{ pid: "42" }, { sku: "TEE-S" }, null]);
});

test("data-platform picks one platform; none finds only placeholders", () => {
  page(CORNERSTONE + DAWN);
  assert.deepEqual(keys(detect(document, config())), [{ sku: "TEE-S" }]);
  assert.deepEqual(keys(detect(document, config({ platform: "shopify" }))), [{ sku: "TEE-S" }]);
  assert.ok(detect(document, config({ platform: "shopify" }))[0].button.matches("button[name=add]"));
  assert.deepEqual(detect(document, config({ platform: "none" })), []);
});

test("a page of no known platform has no products", () => {
  page(`<form action="/subscribe"><button>Go</button></form><div class="product">Lamp</div>`);
  assert.deepEqual(detect(document, config(), window), []);
});

test("data-sku fixes the product and data-target says where to mount", () => {
  page(`<div id="box"></div>`);
  const [product] = detect(document, config({ platform: "none", sku: "MUG", target: "#box" }));
  assert.deepEqual(product.key, { sku: "MUG" });
  assert.equal(product.into.id, "box");
  page(CORNERSTONE);
  const [fixed] = detect(document, config({ sku: "MUG" }));
  assert.deepEqual(fixed.key, { sku: "MUG" });
  assert.equal(fixed.follow, null);
  assert.equal(fixed.button.id, "form-action-addToCart");
  assert.deepEqual(detect(document, config({ platform: "none", sku: "MUG", target: "#missing" })), []);
  assert.deepEqual(detect(document, config({ platform: "none", sku: "MUG", target: "[[bad" })), []);
});
