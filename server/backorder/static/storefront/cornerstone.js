// Stands in for BigCommerce on the demo Cornerstone page: window.BCData as the platform injects it,
// the option-change round trip (POST /remote/v1/product-attributes/{id}) answered locally, and the
// DOM updates and events of Cornerstone's product-details.js (see platform-contracts.md §2.5).
// `?sku=DEMO-TEE-L` preselects a variant, as BigCommerce product URLs do.
(function () {
  "use strict";

  var PRODUCT_ID = 4000000000;
  var SIZE_OPTION = 13;
  var COLOR = { optionId: 12, valueId: 146, label: "Natural" };
  // What the option-change endpoint answers for each size value id.
  var VARIANTS = {
    150: { size: "S", sku: "DEMO-TEE-S", variantId: 41000000001, stock: 25, instock: true, purchasable: true },
    151: { size: "M", sku: "DEMO-TEE-M", variantId: 41000000002, stock: 0, instock: false, purchasable: true,
           available_to_sell: 10, available_for_backorder: 10, stock_message: null },
    152: { size: "L", sku: "DEMO-TEE-L", variantId: 41000000003, stock: 0, instock: false, purchasable: false,
           available_to_sell: 0 },
    153: { size: "XL", sku: "DEMO-TEE-XL", variantId: 41000000004, stock: null, instock: true, purchasable: true },
  };

  function attributesFor(valueId) {
    var variant = VARIANTS[valueId];
    var price = { formatted: "$24.00", value: 24, currency: "USD" };
    return {
      sku: variant.sku, upc: null, variantId: variant.variantId, v3_variant_id: variant.variantId,
      stock: variant.stock, instock: variant.instock, purchasable: variant.purchasable,
      available_to_sell: variant.available_to_sell === undefined ? variant.stock : variant.available_to_sell,
      available_for_backorder: variant.available_for_backorder || 0,
      stock_message: variant.stock_message || null, purchasing_message: null,
      out_of_stock_behavior: "label_option", out_of_stock_message: "Out of stock",
      price: { without_tax: price, tax_label: "Tax" },
      weight: { formatted: "0.20 KGS", value: 0.2 },
      selected_attributes: { 12: COLOR.valueId, 13: Number(valueId) },
      in_stock_attributes: [146, 150, 151, 153],
    };
  }

  var root = document.querySelector(".productView");
  var form = root.querySelector("form[data-cart-item-add]");
  var options = form.querySelector("[data-product-option-change]");
  var button = root.querySelector("#form-action-addToCart");
  var quantity = root.querySelector('[name="qty[]"]');
  var soldOutAlert = root.querySelector("#alertBox-message-text").closest(".alertBox");
  var attributesMessage = root.querySelector(".productAttributes-message");

  function selectedValueId() {
    var checked = form.querySelector('input[name="attribute[' + SIZE_OPTION + ']"]:checked');
    return checked ? checked.value : null;
  }

  function show(element, visible) {
    element.style.display = visible ? "" : "none";
  }

  // The theme's updateView: what Cornerstone changes in the page after every option change.
  function updateView(data) {
    var size = VARIANTS[data.selected_attributes[SIZE_OPTION]].size;
    root.setAttribute("data-product-variant", "Color:" + COLOR.label + ", Size:" + size);
    root.querySelector("[data-option-value]").textContent = size;
    root.querySelector("[data-product-sku]").textContent = data.sku;
    var stockField = root.querySelector(".form-field--stock");
    stockField.classList.toggle("u-hiddenVisually", typeof data.stock !== "number");
    root.querySelector("[data-product-stock]").textContent = typeof data.stock === "number" ? data.stock : "";
    var sellable = data.purchasable && (data.instock || data.available_to_sell > 0);
    button.disabled = !sellable;
    quantity.disabled = !sellable;
    show(soldOutAlert, !sellable);
    var message = data.stock_message || data.purchasing_message;
    attributesMessage.querySelector(".alertBox-message").textContent = message || "";
    show(attributesMessage, Boolean(message));
  }

  // The option-change request is a round trip to the store: answer a little later, like the network.
  function optionChange(valueId, callback) {
    setTimeout(function () { callback({ data: attributesFor(valueId), content: "" }); }, 40);
  }

  function fire(name, detail) {
    document.dispatchEvent(new CustomEvent(name, { bubbles: true, detail: detail }));
  }

  // The page as BigCommerce renders it for the selected (or ?sku=) variant, before any script.
  var wanted = new URLSearchParams(window.location.search).get("sku");
  Object.keys(VARIANTS).forEach(function (valueId) {
    if (VARIANTS[valueId].sku === wanted) {
      form.querySelector("#attribute_rectangle__" + SIZE_OPTION + "_" + valueId).checked = true;
    }
  });
  window.BCData = { csrf_token: "demo-csrf-token", product_attributes: attributesFor(selectedValueId()) };
  updateView(window.BCData.product_attributes);

  options.addEventListener("change", function () {
    var valueId = selectedValueId();
    if (!valueId) return;
    optionChange(valueId, function (response) {
      updateView(response.data);
      fire("onProductOptionsChanged", response);
      fire("onProductUpdate", {
        productDetails: {
          productId: PRODUCT_ID, quantity: Number(quantity.value) || 1,
          optionSelections: [
            { optionId: COLOR.optionId, optionValue: COLOR.valueId },
            { optionId: SIZE_OPTION, optionValue: Number(valueId) },
          ],
        },
      });
    });
  });

  // Quantity steppers, as the theme wires them.
  form.querySelector("[data-quantity-change]").addEventListener("click", function (event) {
    var step = event.target.closest("[data-action]");
    if (!step) return;
    var value = Math.max(1, (Number(quantity.value) || 1) + (step.getAttribute("data-action") === "inc" ? 1 : -1));
    quantity.value = String(value);
    quantity.dispatchEvent(new Event("change", { bubbles: true }));
  });

  // Add to cart goes to /remote/v1/cart/add on a real store; the demo only says so.
  form.addEventListener("submit", function (event) {
    event.preventDefault();
  });
})();
