// Where the products on the page are and how a theme says the shopper picked another variant.
// Each product found is {key, host | anchor | into, button, qty, follow}: key is {sku} or {pid} (or null
// until a variant is chosen); the widget mounts on `host`, inside `into`, or right after `anchor`;
// follow(callback) calls back with the new key whenever the theme switches variants.

const one = (root, selector) => root.querySelector(selector);
const all = (root, selector) => [...root.querySelectorAll(selector)];
const text = (element) => (element && element.textContent.trim()) || "";

/** {sku}, else {pid}, else null. */
export const keyOf = (sku, pid) => sku ? { sku: String(sku) } : pid && pid != "0" ? { pid: String(pid) } : null;

// After the button's own container, or after the form when the button sits in it directly.
const anchorOf = (button, form) => {
  const box = button && button.parentElement;
  return !box || box == form ? form : box;
};

// Any theme: <div data-backorder-sku="SKU"></div>, each one a mount of its own.
const placeholders = (doc) => all(doc, "[data-backorder-sku]")
  .map((host) => ({ host, key: keyOf(host.getAttribute("data-backorder-sku").trim()) }))
  .filter((found) => found.key);

// BigCommerce Cornerstone: one .productView per product (the quick view reuses it); the theme updates
// [data-product-sku] and then fires onProductOptionsChanged on document with the variant's data.
function cornerstone(doc) {
  const roots = all(doc, ".productView");
  return roots.map((root) => {
    const form = one(root, "form[data-cart-item-add]");
    if (!form) return null;
    const skuBox = one(root, "[data-product-sku]");
    const pid = root.getAttribute("data-entity-id");
    const button = one(root, "#form-action-addToCart") || one(form, "[type=submit]");
    return {
      key: keyOf(text(skuBox), pid), button, qty: one(form, '[name="qty[]"]'),
      // the wrapper, not the button's box: the theme hides the wrapper when nothing can be bought
      anchor: one(root, ".add-to-cart-wrapper") || anchorOf(button, form),
      follow: (callback) => doc.addEventListener("onProductOptionsChanged", (event) => {
        const data = (event.detail && event.detail.data) || {};
        callback(keyOf((roots.length < 2 && data.sku) || text(skuBox), pid));
      }),
    };
  });
}

// Shopify: the product form posts the selected variant id as [name=id]; Dawn also keeps the selected
// variant as JSON (with its sku) and dispatches a bubbling `change` on the id input when it switches.
function shopify(doc) {
  return all(doc, 'form[action*="/cart/add"]').map((form) => {
    const id = one(form, "[name=id]");
    const button = one(form, "[name=add], [type=submit]");
    if (!id || !button) return null; // e.g. Dawn's installment form
    const scope = form.closest("product-info") || doc;
    const read = () => {
      let variant;
      try {
        variant = JSON.parse(text(one(scope, "[data-selected-variant]")));
      } catch (error) { /* no JSON: ask by variant id */ }
      return keyOf(variant && String(variant.id) == id.value && variant.sku, id.value);
    };
    const formId = form.getAttribute("id"); // not form.id: the form's own input named "id" shadows it
    return {
      key: read(), button, anchor: anchorOf(button, form),
      qty: one(form, "[name=quantity]") || (formId && one(doc, `[name=quantity][form="${formId}"]`)),
      follow: (callback) => form.addEventListener("change", (event) => {
        if (event.target.name == "id") callback(read());
      }),
    };
  });
}

// WooCommerce: form.variations_form announces variations with jQuery events (found_variation,
// reset_data); a simple product's form.cart posts add-to-cart=<product id> and shows its .sku.
function woocommerce(doc, win) {
  return all(doc, "form.variations_form, form.cart").map((form) => {
    const button = one(form, ".single_add_to_cart_button, [type=submit]");
    // right after the button, in its row (a flex row in most themes): a line of text fits beside it
    // without making the row taller, so nothing below moves
    const found = { button, anchor: button || form, qty: one(form, "[name=quantity]") };
    if (form.classList.contains("variations_form")) {
      found.key = chosenVariation(form);
      found.follow = (callback) => {
        const jQuery = win.jQuery;
        if (jQuery) {
          jQuery(form).on("found_variation", (event, variation) =>
            callback(variation && keyOf(variation.sku, variation.variation_id)))
            .on("reset_data", () => callback(null));
        }
      };
      return found;
    }
    const add = one(form, "[name=add-to-cart]");
    if (!add) return null;
    const scope = form.closest(".product") || form.parentElement;
    const tagged = one(scope, "[data-product_sku]");
    found.key = keyOf(text(one(scope, ".sku")) || (tagged && tagged.getAttribute("data-product_sku")), add.value);
    return found;
  });
}

// The variation WooCommerce will pick for the options already selected, from the form's own
// data-product_variations, so the first request already asks for it.
function chosenVariation(form) {
  const chosen = {};
  const fields = all(form, "select[name^=attribute_]");
  fields.forEach((field) => { chosen[field.getAttribute("data-attribute_name") || field.name] = field.value; });
  let variations;
  try {
    variations = JSON.parse(form.getAttribute("data-product_variations"));
  } catch (error) { /* "false" or missing: WooCommerce loads them by AJAX */ }
  const variation = fields.length && fields.every((field) => field.value) && Array.isArray(variations)
    && variations.find((candidate) => Object.keys(candidate.attributes || {}).every((name) =>
      !candidate.attributes[name] || candidate.attributes[name] == chosen[name]));
  return variation ? keyOf(variation.sku, variation.variation_id)
    : keyOf("", (one(form, "[name=variation_id]") || {}).value);
}

const PLATFORMS = { bigcommerce: [cornerstone], shopify: [shopify], woocommerce: [woocommerce], none: [] };

/** The products on the page, by data-platform ("auto" tries placeholders, Cornerstone, Shopify,
 *  WooCommerce in turn); data-sku fixes the first product's sku, data-target mounts it inside an element. */
export function detect(doc, config, win = {}) {
  let found = placeholders(doc);
  if (found.length) return found;
  for (const platform of PLATFORMS[config.platform] || [cornerstone, shopify, woocommerce]) {
    found = platform(doc, win).filter(Boolean);
    if (found.length) break;
  }
  if (config.sku) found = [{ ...found[0], key: { sku: config.sku }, follow: null }];
  try {
    if (found[0]) found[0].into = config.target && one(doc, config.target);
  } catch (error) { /* not a selector */ }
  return found.filter((product) => product.host || product.into || product.anchor);
}
