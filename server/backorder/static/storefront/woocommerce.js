// Stands in for WooCommerce's add-to-cart-variation.js on the demo page: the same jQuery events on
// form.variations_form (check_variations, found_variation with the variation, reset_data,
// show_variation / hide_variation, woocommerce_variation_has_changed), the same DOM updates, and
// the same start-up (on DOM ready, then check_variations 100 ms later). Needs jQuery.
// `?attribute_pa_size=l` preselects a size, as WooCommerce does for query-string attributes.
(function ($) {
  "use strict";

  function VariationForm($form) {
    var self = this;
    self.$form = $form;
    self.$attributeFields = $form.find(".variations select");
    self.$singleVariation = $form.find(".single_variation");
    self.$singleVariationWrap = $form.find(".single_variation_wrap");
    self.$product = $form.closest(".product");
    self.variationData = $form.data("product_variations");
    self.$button = $form.find(".single_add_to_cart_button");
    self.$sku = self.$product.find(".product_meta .sku");
    self.parentSku = self.$sku.text();

    self.$singleVariationWrap.show();
    $form.on("click", ".reset_variations", function (event) {
      event.preventDefault();
      self.$attributeFields.val("").trigger("change");
      $form.trigger("reset_data");
    });
    $form.on("change", ".variations select", function () {
      $form.find('input[name="variation_id"]').val("").trigger("change");
      $form.trigger("woocommerce_variation_select_change");
      $form.trigger("check_variations");
      $form.trigger("woocommerce_variation_has_changed");
    });
    $form.on("check_variations", function () { self.findVariation(); });
    $form.on("found_variation", function (event, variation) { self.showVariation(variation); });
    $form.on("reset_data", function () { self.resetDisplayedVariation(); });
    $form.on("submit", function (event) { event.preventDefault(); }); // a real store posts the cart form

    setTimeout(function () {
      $form.trigger("check_variations");
      $form.trigger("wc_variation_form", self);
    }, 100);
  }

  VariationForm.prototype.chosenAttributes = function () {
    var data = {};
    var chosen = 0;
    this.$attributeFields.each(function () {
      var name = $(this).data("attribute_name") || $(this).attr("name");
      data[name] = $(this).val() || "";
      if (data[name]) chosen += 1;
    });
    return { data: data, count: this.$attributeFields.length, chosenCount: chosen };
  };

  VariationForm.prototype.findVariation = function () {
    var attributes = this.chosenAttributes();
    this.$form.trigger("update_variation_values");
    if (attributes.count && attributes.count === attributes.chosenCount) {
      var match = this.variationData.filter(function (variation) {
        return Object.keys(variation.attributes).every(function (name) {
          return !variation.attributes[name] || variation.attributes[name] === attributes.data[name];
        });
      })[0];
      if (match) {
        this.$form.trigger("found_variation", [match]);
        return;
      }
    }
    this.$form.trigger("reset_data");
  };

  VariationForm.prototype.showVariation = function (variation) {
    var purchasable = variation.is_purchasable && variation.is_in_stock;
    this.$sku.text(variation.sku || this.parentSku);
    this.$singleVariation.html('<div class="woocommerce-variation-availability">' + variation.availability_html + "</div>");
    this.$form.find('input[name="variation_id"]').val(variation.variation_id).trigger("change");
    if (purchasable) {
      this.$button.removeClass("disabled wc-variation-selection-needed wc-variation-is-unavailable");
    } else {
      this.$button.removeClass("wc-variation-selection-needed").addClass("disabled wc-variation-is-unavailable");
    }
    this.$singleVariation.show().trigger("show_variation", [variation, purchasable]);
  };

  VariationForm.prototype.resetDisplayedVariation = function () {
    this.$sku.text(this.parentSku);
    this.$singleVariation.hide().html("").trigger("hide_variation");
    this.$button.removeClass("wc-variation-is-unavailable").addClass("disabled wc-variation-selection-needed");
  };

  // The page as WooCommerce renders it for ?attribute_pa_size=…, before any script.
  var wanted = new URLSearchParams(window.location.search).get("attribute_pa_size");
  if (wanted) $("#pa_size").val(wanted);

  $(function () {
    $(".variations_form").each(function () { new VariationForm($(this)); });
    $("form.cart:not(.variations_form)").on("submit", function (event) { event.preventDefault(); });
  });
})(window.jQuery);
