// Small product pages as each platform renders them (see shared/reference/platform-contracts.md §2–3).

export const CORNERSTONE = `
<div class="productView" data-entity-id="77">
  <dl><dd data-product-sku>TEE-S</dd></dl>
  <form data-cart-item-add action="/cart.php">
    <input type="hidden" name="product_id" value="77">
    <div id="add-to-cart-wrapper" class="add-to-cart-wrapper">
      <input id="qty[]" name="qty[]" type="tel" value="1">
      <div class="form-action"><input id="form-action-addToCart" type="submit" value="Add to Cart"></div>
    </div>
  </form>
</div>
<article class="productView-description">Description</article>`;

const variant = (id, sku) => JSON.stringify({ id, sku, available: true });

export const DAWN = `
<product-info data-product-id="4000">
  <variant-selects><script type="application/json" data-selected-variant>${variant(41, "TEE-S")}</script></variant-selects>
  <input type="number" name="quantity" value="1" form="product-form-main">
  <form method="post" action="/cart/add" class="installment"><input type="hidden" name="id" value="41"></form>
  <form method="post" action="/cart/add" id="product-form-main">
    <input type="hidden" name="id" value="41" class="product-variant-id">
    <div class="product-form__buttons">
      <button id="ProductSubmitButton-main" type="submit" name="add"><span>Add to cart</span><span class="spinner"></span></button>
    </div>
  </form>
</product-info>`;

export const SHOPIFY_PLAIN = `
<form action="/en/cart/add" method="post">
  <select name="id"><option value="51" selected>S</option><option value="52">M</option></select>
  <input name="quantity" value="1">
  <button type="submit" name="add">Add to cart</button>
</form>`;

const variations = JSON.stringify([
  { attributes: { attribute_pa_size: "s" }, sku: "TEE-S", variation_id: 41 },
  { attributes: { attribute_pa_size: "m" }, sku: "", variation_id: 42 },
]).replace(/"/g, "&quot;");

export const WOO = `
<div class="product" id="product-4000">
  <form class="variations_form cart" data-product_id="4000" data-product_variations="${variations}">
    <select name="attribute_pa_size" data-attribute_name="attribute_pa_size">
      <option value="">Choose</option><option value="s" selected>S</option><option value="m">M</option>
    </select>
    <div class="single_variation_wrap">
      <div class="woocommerce-variation-add-to-cart variations_button">
        <input type="number" name="quantity" value="1">
        <button type="submit" class="single_add_to_cart_button button alt">Add to cart</button>
        <input type="hidden" name="variation_id" class="variation_id" value="0">
      </div>
    </div>
  </form>
  <div class="product_meta"><span class="sku">TEE</span></div>
</div>
<div class="product" id="product-6">
  <form class="cart"><input name="quantity" value="1">
    <button type="submit" name="add-to-cart" value="6" class="single_add_to_cart_button">Add to cart</button></form>
  <div class="product_meta"><span class="sku">LAMP</span></div>
</div>`;
