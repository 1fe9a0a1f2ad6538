// The public API: availability batched and cached per key for the page's life, the list of products on
// backorder, sign-ups. Every call has a timeout and sends no cookies; failures resolve, never throw.

const TIMEOUT = 4000;
const MAX_KEYS = 100;
let warned = false;

/** At most one console.warn per page, always prefixed. */
export function warn(message) {
  if (!warned) console.warn("[backorder] " + message);
  warned = true;
}

const id = (key) => key.sku ? "s" + key.sku : "p" + key.pid;

/** A client for one store: load(keys) → items (null where unknown), list(), post(body), and .store,
 *  the store's widget settings from the first answer. */
export function client(config, fetcher) {
  const base = `${config.api}/api/v1/stores/${encodeURIComponent(config.store)}/`;
  const cache = new Map(); // key id → promise of its item
  const api = { store: null };

  async function call(path, init = {}) {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), TIMEOUT);
    try {
      const answer = await fetcher(base + path, { ...init, credentials: "omit", signal: abort.signal });
      const body = await answer.json().catch(() => null);
      return { ok: answer.ok, status: answer.status, body };
    } catch (error) { // offline, refused by CORS or timed out
      return { ok: false, status: 0, body: null };
    } finally {
      clearTimeout(timer);
    }
  }

  // One request for keys not asked before: skus first, then pids, as the API answers them.
  function ask(keys) {
    const query = new URLSearchParams();
    keys.forEach((key) => key.sku && query.append("sku", key.sku));
    keys.forEach((key) => key.sku || query.append("pid", key.pid));
    const ordered = [...keys.filter((key) => key.sku), ...keys.filter((key) => !key.sku)];
    const items = call("availability?" + query).then(({ ok, status, body }) => {
      if (ok && body && Array.isArray(body.items) && body.items.length == ordered.length) {
        api.store = api.store || body.store || {};
        return body.items;
      }
      warn(`availability unavailable (${status || "no answer"})`);
      return [];
    });
    ordered.forEach((key, index) => cache.set(id(key), items.then((found) => found[index] || null)));
  }

  api.load = (keys) => {
    const fresh = [...new Map(keys.filter((key) => key && !cache.has(id(key))).map((key) => [id(key), key])).values()];
    for (let start = 0; start < fresh.length; start += MAX_KEYS) ask(fresh.slice(start, start + MAX_KEYS));
    return Promise.all(keys.map((key) => key ? cache.get(id(key)) : null));
  };

  api.list = () => call("backorders").then(({ ok, status, body }) => {
    if (ok && body && Array.isArray(body.items)) return body;
    warn(`backorder list unavailable (${status || "no answer"})`);
    return null;
  });

  api.post = (body) => call("subscriptions", {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  });

  return api;
}
