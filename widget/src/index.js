// The storefront widget. Reads its <script> tag once, finds the products on the page when the DOM is
// ready, asks the API about all of them in one request and shows each one's availability.
import { client, warn } from "./api.js";
import { readConfig } from "./config.js";
import { detect } from "./detect.js";
import { pickLocale, translator } from "./i18n.js";
import { describe, listView, relabel, statusView } from "./render.js";

const MARK = "data-backorder-widget"; // on <html> once a copy of the script runs: pasted twice, runs once

const fail = (error) => warn(error && error.message);
const idOf = (key) => key ? (key.sku ? "s" + key.sku : "p" + key.pid) : "";

/** Runs the widget on the page: mounts, one batched request, variant and quantity changes.
 *  Returns a promise of the first answers drawn (for tests) that never rejects. */
export function start(config, doc = document, win = window) {
  const api = client(config, (...args) => win.fetch(...args));
  const products = detect(doc, config, win);
  const lists = [...doc.querySelectorAll("[data-backorder-list]")];
  if (!products.length && !lists.length) return warn("no product on this page");
  let env;
  const environment = (store) => {
    if (!env && store) {
      const locale = pickLocale(config.locale, store.locale, doc.documentElement.lang, navigator.language);
      env = { locale, store, t: translator(locale, config.labels, store.labels), post: api.post };
    }
    return env;
  };

  api.load(products.map((product) => product.key)); // the one request for everything on the page
  const drawn = products.map((product) => {
    let host = product.host;
    if (!host) {
      host = doc.createElement("div");
      if (product.into) product.into.append(host);
      else product.anchor.after(host);
    }
    const draw = statusView(host);
    const { button, qty } = product;
    let key = product.key;
    let item = null;
    let asked = 0;
    let disabledByUs = false;
    const show = () => {
      if (!environment(api.store)) return;
      const shown = describe(item, parseInt(qty && qty.value) || 1, env);
      draw(item, shown, env);
      relabel(button, shown.label);
      if (button && shown.disable && !button.disabled) button.disabled = disabledByUs = true;
      if (button && !shown.disable && disabledByUs) button.disabled = disabledByUs = false;
    };
    const choose = (next) => {
      const turn = ++asked;
      key = next;
      return api.load([next]).then(([found]) => {
        if (turn != asked) return; // the shopper picked another variant meanwhile
        item = found;
        show();
      }).catch(fail);
    };
    if (product.follow) product.follow((next) => idOf(next) == idOf(key) || choose(next));
    if (qty) ["input", "change"].forEach((type) => qty.addEventListener(type, show));
    return choose(key);
  });
  const draws = lists.map(listView);
  const listed = draws.length && api.list().then((answer) => {
    if (answer) draws.forEach((draw) => draw(answer.items, environment(answer.store || {})));
  }).catch(fail);
  return Promise.all([...drawn, listed]);
}

/** Starts the widget once per page for this <script> tag, after the DOM is ready. */
export function boot(script, doc = document, win = window) {
  if (!script || doc.documentElement.hasAttribute(MARK)) return;
  doc.documentElement.setAttribute(MARK, "");
  const config = readConfig(script);
  if (!config) return warn("no data-store");
  const run = () => {
    try {
      start(config, doc, win);
    } catch (error) {
      fail(error);
    }
  };
  if (doc.readyState == "loading") doc.addEventListener("DOMContentLoaded", run);
  else run();
}

boot(document.currentScript);
