// The shop's own scripts: a global named like ours, and an AMD loader (RequireJS themes have one).
window.backorder = { own: true, version: "shop-1.0", cart: [{ sku: "SHOP-1", quantity: 2 }] };
window.define = function define() { throw new Error("the shop's AMD define() was called"); };
window.define.amd = {};
