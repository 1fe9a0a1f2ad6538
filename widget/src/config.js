// The snippet's settings, read once from its own <script> tag (like Plausible and Umami).

/** The settings of `<script src="https://API/widget.js" data-store="pk_…">`, or null when the tag has no
 *  data-store or no usable src. data-label-foo-bar="…" overrides the string "fooBar". */
export function readConfig(script) {
  const data = script && script.dataset;
  if (!data || !data.store) return null;
  const labels = {};
  for (const name in data) {
    if (/^label[A-Z]/.test(name)) labels[name[5].toLowerCase() + name.slice(6)] = data[name];
  }
  let api;
  try {
    api = new URL(script.src).origin; // "null" for javascript:, data: and the like
  } catch (error) {
    return null;
  }
  if (api == "null") return null;
  return { store: data.store, api, labels, sku: data.sku, target: data.target, locale: data.locale, platform: data.platform };
}
