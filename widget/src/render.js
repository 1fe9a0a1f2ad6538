// What the shopper sees: a status line by the add-to-cart button, the notify-me form and the list of
// products on backorder. Each lives in an open shadow root styled by one constructable stylesheet
// (no inline <style>, so a strict CSP needs no style-src), and every remote string goes in as text.

// :host stays a plain box the theme may space or size (e.g. reserve a line: no layout shift); the
// wrapper resets everything inherited, so no page rule, !important or not, reaches the text.
const CSS = `:host{display:block}
.w{all:initial;display:block;font:var(--backorder-font-size,15px)/1.5 var(--backorder-font,system-ui,sans-serif);\
color:var(--backorder-color,#1d1d1f);--a:var(--backorder-accent,#1a56db);--r:var(--backorder-radius,4px)}
:where(.w *){font:inherit;color:inherit;margin:0}
[hidden]{display:none!important}
b{font-weight:600}
i,p{font-style:normal;color:var(--backorder-muted,#555)}
button{border:0;border-radius:var(--r);padding:.5em 1em;background:var(--a);color:#fff;font-weight:600}
[part~=toggle]{margin-left:.6em;padding:0;background:none;color:var(--a);text-decoration:underline}
:focus-visible{outline:2px solid var(--a);outline-offset:2px}
form,label,ul,a>span{display:grid;gap:.4em}
form{max-width:24em;margin-top:.4em}
[part~=result]{min-height:1.5em}
input{padding:.4em;border:1px solid #767676;border-radius:var(--r);background:#fff;color:#1d1d1f}
:disabled{opacity:.6}
.trap{position:absolute;left:-9999px}
ul{list-style:none;padding:0}
a{display:flex;gap:.8em;align-items:center;text-decoration:none}
img{width:64px;height:64px;flex:none;object-fit:cover;border-radius:var(--r);background:#eee}`;

let sheet;

const el = (tag, attributes = {}, ...children) => {
  const element = document.createElement(tag);
  for (const name in attributes) element.setAttribute(name, attributes[name]);
  element.append(...children); // strings become text nodes
  return element;
};

const isoDay = (value) => /^\d{4}-\d\d-\d\d$/.test(value) ? value : null;

// Only web links: no javascript:, data: or other schemes reach an href or src.
const webUrl = (value) => {
  try {
    const url = new URL(value, location.href);
    return value && /^https?:$/.test(url.protocol) ? url.href : "";
  } catch (error) {
    return "";
  }
};

// The host's open shadow root with the stylesheet; returns the wrapper everything goes in.
function shadow(host, kind) {
  host.setAttribute("data-backorder-host", kind);
  const root = host.attachShadow({ mode: "open" });
  const box = el("div", { class: "w" });
  try {
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
    }
    if (!("adoptedStyleSheets" in root)) throw 0;
    root.adoptedStyleSheets = [sheet];
  } catch (error) { // no constructable stylesheets (older Safari): a <style> inside the shadow root
    root.append(el("style", {}, CSS));
  }
  root.append(box);
  return box;
}

/** When the position-th unit beyond stock ships: the unclaimed part of planned shipments that
 *  covers it (like the server's eta_of_unit), else the back-in-stock date, else null. */
export function unitEta(item, position) {
  let covered = 0;
  for (const part of [].concat(item.incoming || []).filter(Boolean)) { // a malformed answer must not throw
    covered += part.quantity;
    if (covered >= position) return isoDay(part.eta);
  }
  return item.eta_source == "back_in_stock_date" ? isoDay(item.eta) : null;
}

/** What to show for an item when the shopper wants `quantity`: {text, label, disable, notify}.
 *  label is the add-to-cart button's wording for the state (null: the theme's own). */
export function describe(item, quantity, env) {
  const { t, store } = env;
  const state = item && item.state;
  const now = item && item.available_now || 0;
  const room = item && item.backorder_remaining;
  if (state == "in_stock") {
    const later = quantity - now;
    if (later <= 0) return {};
    if (room != null && later > room) return { text: t("only", { n: now + room }) };
    const date = unitEta(item, later);
    return { text: t("now", { n: now }) + ", " + t(date ? "later" : "laterTbc", { n: later, date }) };
  }
  if (state == "backorder" || state == "preorder") {
    const date = state == "preorder" ? isoDay(item.eta) : unitEta(item, quantity);
    let text = t(date ? state : state + "Tbc", { date });
    if (store.show_backorder_remaining && room != null) text += " · " + t("left", { n: room });
    return { text, label: t(state == "preorder" ? "buttonPreorder" : "buttonBackorder") };
  }
  if (state == "sold_out") {
    return { text: t("soldOut"), disable: true, notify: Boolean(item.notify && store.signup && item.sku) };
  }
  return {}; // untracked or unknown: the page stays as the theme made it
}

const labels = new WeakMap(); // button → {original, applied}

/** Sets the add-to-cart button's wording (input value or its first text), or gives the theme's back
 *  when `wanted` is empty, unless the theme relabelled the button since. */
export function relabel(button, wanted) {
  if (!button) return;
  let node = button;
  let key = "value";
  if (button.tagName != "INPUT") {
    const walker = document.createTreeWalker(button, 4); // text nodes
    while ((node = walker.nextNode()) && !node.data.trim());
    key = "data";
  }
  if (!node) return;
  let last = labels.get(button);
  if (last && node[key] != last.applied) last = null; // the theme wrote its own label since
  if (wanted) {
    labels.set(button, { original: last ? last.original : node[key], applied: wanted });
    node[key] = wanted;
  } else if (last) {
    node[key] = last.original;
    labels.delete(button);
  }
}

/** The answer to a sign-up as one sentence (textContent makes text of whatever the API sent): the
 *  API's message, its first field error, or ours. */
export function answerText(answer, t) {
  const body = answer.body || {};
  if (answer.ok) return body.message || "";
  const error = body.error || {};
  const fields = error.fields && Object.values(error.fields)[0];
  return (fields && [].concat(fields)[0]) || error.message || t("failed");
}

function notifyForm(line, box, env) {
  const { t } = env;
  const email = el("input", { name: "email", type: "email", required: "", autocomplete: "email" });
  const quantity = el("input", { name: "quantity", type: "number", min: "1" });
  const trap = el("input", { name: "company_url", tabindex: "-1", autocomplete: "off" });
  const submit = el("button", { type: "submit" }, t("notify"));
  const result = el("p", { part: "result", role: "status" });
  const consent = env.store.consent;
  const form = el("form", { part: "notify", id: "notify", hidden: "" },
    el("label", {}, t("email"), email),
    el("label", {}, t("quantity"), quantity),
    consent ? el("p", { part: "consent" }, consent) : "", // append() makes text of anything
    el("div", { class: "trap", "aria-hidden": "true" }, el("label", {}, "Leave empty", trap)),
    submit, result);
  const toggle = el("button", { type: "button", part: "toggle", "aria-expanded": "false", "aria-controls": "notify" },
    t("notify"));
  let sku;
  const open = (yes) => {
    form.hidden = !yes;
    toggle.setAttribute("aria-expanded", yes);
  };
  toggle.addEventListener("click", () => {
    open(form.hidden);
    if (!form.hidden) email.focus();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    result.textContent = "";
    const body = { sku, email: email.value.trim(), locale: env.locale, page_url: location.href.split("#")[0].slice(0, 2000) };
    const wanted = parseInt(quantity.value, 10);
    if (wanted > 0) body.quantity = wanted;
    if (trap.value) body.company_url = trap.value;
    const answer = await env.post(body);
    result.textContent = answerText(answer, t);
    if (answer.ok) email.value = "";
    submit.disabled = false;
  });
  line.append(toggle);
  box.append(form);
  return (current) => {
    if (current != sku) result.textContent = "";
    sku = current;
    toggle.hidden = !current;
    if (!current) open(false);
  };
}

/** Mounts the status view on `host`; returns draw(item, shown, env). It takes no room until there is
 *  something to say, says it on one line, and opens the sign-up form only on request, so the page
 *  shifts as little as it can (a theme that reserves the host's height shifts not at all). */
export function statusView(host) {
  const box = shadow(host, "status");
  const status = el("span", { part: "status", role: "status" });
  const line = el("div", {}, status);
  const message = el("p", { part: "message", hidden: "" });
  box.append(line, message);
  let notify;
  return (item, shown, env) => {
    const text = shown.text || "";
    if (status.textContent != text) status.textContent = text; // a live region: write only changes
    message.textContent = (item && item.message) || "";
    message.hidden = !message.textContent;
    if (shown.notify && !notify) notify = notifyForm(line, box, env);
    if (notify) notify(shown.notify && item.sku);
  };
}

/** Mounts the list view on `host`; returns draw(items, env) for the /backorders answer. */
export function listView(host) {
  const box = shadow(host, "list");
  const list = el("ul", { part: "list" });
  box.append(list);
  return (items, env) => list.replaceChildren(...items.map((product) => {
    const src = webUrl(product.image_url);
    const name = product.name || "";
    const image = el("img", { alt: src ? name : "", loading: "lazy" }); // sized by CSS
    if (src) image.src = src;
    const link = el("a", {}, image, el("span", {},
      el("b", { part: "name" }, name),
      el("i", { part: "eta" }, describe(product.availability, 1, env).text || "")));
    const href = webUrl(product.url);
    if (href) link.href = href;
    return el("li", { part: "item" }, link);
  }));
}
