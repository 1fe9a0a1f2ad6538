// Stands in for Shopify on the demo Dawn page: the section re-render a variant change fetches, and
// what assets/product-info.js and assets/product-form.js then do, in Dawn's order: replace the
// selected-variant JSON, update the URL, set input[name=id] and dispatch a bubbling `change` on it,
// and only then enable or disable the add-to-cart button (see platform-contracts.md §3.2).
// `?variant=41000000003` preselects a variant, as Shopify product URLs do.
(function () {
  "use strict";

  var VARIANTS = [
    { id: 41000000001, title: "S", sku: "DEMO-TEE-S", available: true },
    { id: 41000000002, title: "M", sku: "DEMO-TEE-M", available: true },
    { id: 41000000003, title: "L", sku: "DEMO-TEE-L", available: false },
    { id: 41000000004, title: "XL", sku: "DEMO-TEE-XL", available: true },
  ];
  var STRINGS = { addToCart: "Add to cart", soldOut: "Sold out" }; // window.variantStrings in Dawn

  var info = document.querySelector("product-info");
  var section = info.getAttribute("data-section");
  var selects = info.querySelector("variant-selects");
  var form = document.getElementById("product-form-" + section);
  var idInput = form.querySelector('input[name="id"]');
  var button = document.getElementById("ProductSubmitButton-" + section);
  var buttonText = button.querySelector("span");
  var quantity = document.getElementById("Quantity-" + section);

  function variantFor(title) {
    return VARIANTS.filter(function (variant) { return variant.title === title; })[0];
  }

  function selectedJson(variant) {
    return JSON.stringify({
      id: variant.id, title: variant.title, option1: variant.title, option2: null, option3: null, sku: variant.sku,
      requires_shipping: true, taxable: true, featured_image: null, available: variant.available,
      name: "Organic cotton tee - " + variant.title, public_title: variant.title, options: [variant.title],
      price: 2400, weight: 200, compare_at_price: null, inventory_management: "shopify", barcode: "",
    });
  }

  // product-form.js: toggleSubmitButton(disable, text)
  function toggleSubmitButton(disable, text) {
    if (disable) {
      button.setAttribute("disabled", "disabled");
      if (text) buttonText.textContent = text;
    } else {
      button.removeAttribute("disabled");
      buttonText.textContent = STRINGS.addToCart;
    }
  }

  // product-info.js: handleUpdateProductInfo, after the section HTML for the new variant arrived.
  function showVariant(variant, fromUser) {
    selects.querySelector("[data-selected-variant]").textContent = selectedJson(variant);
    if (fromUser) {
      var url = new URL(window.location.href);
      url.searchParams.set("variant", variant.id);
      window.history.replaceState({}, "", url.toString());
    }
    idInput.value = variant.id;
    if (fromUser) idInput.dispatchEvent(new Event("change", { bubbles: true }));
    toggleSubmitButton(!variant.available, STRINGS.soldOut);
  }

  // The page as Shopify renders it for the selected (or ?variant=) variant, before any script.
  var wanted = Number(new URLSearchParams(window.location.search).get("variant"));
  VARIANTS.forEach(function (variant, index) {
    if (variant.id === wanted) document.getElementById(section + "-1-" + index).checked = true;
  });
  var initial = variantFor(selects.querySelector("input:checked").value);
  showVariant(initial, false);
  idInput.disabled = false; // product-form.js enables the id input once scripts run

  selects.addEventListener("change", function (event) {
    if (event.target.name !== "Size-1") return;
    var variant = variantFor(event.target.value);
    // Dawn fetches `?section_id=…&option_values=…` here; answer a little later, like the network.
    setTimeout(function () { showVariant(variant, true); }, 40);
  });

  // quantity-input: the steppers change the value and dispatch `change`.
  info.querySelector("quantity-input").addEventListener("click", function (event) {
    var step = event.target.closest(".quantity__button");
    if (!step) return;
    var value = Math.max(1, (Number(quantity.value) || 1) + (step.name === "plus" ? 1 : -1));
    quantity.value = String(value);
    quantity.dispatchEvent(new Event("change", { bubbles: true }));
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault(); // POST /cart/add.js on a real store
  });
})();
