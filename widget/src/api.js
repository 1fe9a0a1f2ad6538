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
  const api = {};

  // {ok, status, body}; offline, refused by CORS or timed out: {status: "no answer"}
  const call = async (path, init) => {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), TIMEOUT);
    try {
      const answer = await fetcher(base + path, { ...init, credentials: "omit", signal: abort.signal });
      return { ok: answer.ok, status: answer.status, body: await answer.json().catch(() => null) };
    } catch (error) {
      return { status: "no answer" };
    } finally {
      clearTimeout(timer);
    }
  };

  // A GET whose answer has the items expected, else undefined and a warning.
  const get = (path, expected) => call(path).then(({ ok, status, body }) =>
    ok && body && expected(body.items) ? body : warn(`${path.split("?")[0]} failed (${status})`));

  // One request for keys not asked before: skus first, then pids, as the API answers them.
  function ask(keys) {
    const ordered = [...keys.filter((key) => key.sku), ...keys.filter((key) => !key.sku)];
    const query = new URLSearchParams();
    ordered.forEach((key) => query.append(key.sku ? "sku" : "pid", key.sku || key.pid));
    const items = get("availability?" + query, (found) => Array.isArray(found) && found.length == ordered.length)
      .then((body) => {
        if (!body) return [];
        api.store = api.store || body.store || {};
        return body.items;
      });
    ordered.forEach((key, index) => cache.set(id(key), items.then((found) => found[index] || null)));
  }

  api.load = (keys) => {
    const fresh = [...new Map(keys.filter((key) => key && !cache.has(id(key))).map((key) => [id(key), key])).values()];
    for (let start = 0; start < fresh.length; start += MAX_KEYS) ask(fresh.slice(start, start + MAX_KEYS));
    return Promise.all(keys.map((key) => key && cache.get(id(key))));
  };

  api.list = () => get("backorders", Array.isArray);

  api.post = (body) => call("subscriptions", {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  });

  return api;
}
