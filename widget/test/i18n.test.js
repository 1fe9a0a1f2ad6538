import assert from "node:assert/strict";
import test from "node:test";

import { formatDate, KEYS, pickLocale, TABLE, translator } from "../src/i18n.js";

test("every language has one line per string key", () => {
  for (const [lang, text] of Object.entries(TABLE)) assert.equal(text.split("\n").length, KEYS.length, lang);
});

test("dates are a day and a short month in the locale's own order", () => {
  assert.equal(formatDate("2026-12-14", "en-GB"), "14 Dec");
  assert.equal(formatDate("2026-12-14", "en-US"), "Dec 14");
  assert.equal(formatDate("2026-12-14", "de"), "14. Dez.");
  assert.equal(formatDate("2027-02-01", "fr"), "1 févr.");
});

test("a date is a calendar day: midnight UTC never becomes the day before", () => {
  assert.equal(formatDate("2026-01-01", "en-US"), "Jan 1");
});

test("anything but YYYY-MM-DD formats as nothing", () => {
  for (const bad of [null, undefined, "", "14/12/2026", "2026-12-14T00:00:00Z", 20261214]) assert.equal(formatDate(bad, "en"), "");
});

test("the first valid language tag wins; underscores are read as hyphens", () => {
  assert.equal(pickLocale(null, "", "de_AT", "fr"), "de-AT");
  assert.equal(pickLocale("not a tag!", "nl"), "nl");
  assert.equal(pickLocale(undefined, null), "en");
});

test("regional locales use their language's strings, unknown languages English", () => {
  assert.equal(translator("de-AT")("soldOut"), "Ausverkauft");
  assert.equal(translator("es-MX")("soldOut"), "Agotado");
  assert.equal(translator("pt-BR")("soldOut"), "Sold out");
});

test("built-in strings exist in English, German, French, Spanish and Dutch", () => {
  const words = ["en", "de", "fr", "es", "nl"].map((lang) => translator(lang)("backorder", { date: "2026-12-14" }));
  assert.equal(new Set(words).size, 5);
  assert.match(words[1], /14\. Dez\./);
});

test("the snippet's data-label-* beat the store's labels, which beat the built-in strings", () => {
  const t = translator("en", { soldOut: "Gone" }, { soldOut: "All sold", notify: "Tell me" });
  assert.equal(t("soldOut"), "Gone");
  assert.equal(t("notify"), "Tell me");
  assert.equal(t("email"), "Email");
});

test("overrides fill in {n} and {date} too, and non-strings are ignored", () => {
  const t = translator("en-GB", {}, { backorder: "Back {date}", soldOut: 42 });
  assert.equal(t("backorder", { date: "2026-12-14" }), "Back 14 Dec");
  assert.equal(t("soldOut"), "Sold out");
});

test("counts and dates are filled in", () => {
  assert.equal(translator("en")("now", { n: 1 }), "1 can ship now");
  assert.equal(translator("de")("later", { n: 2, date: "2026-12-14" }), "2 ab ca. 14. Dez.");
});
