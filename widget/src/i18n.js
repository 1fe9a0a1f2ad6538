// The widget's words and dates. One line per string key, in KEYS order, worded so that no plural forms
// are needed; {n} and {date} are filled in. Merchants override any key by name.

export const KEYS = ("backorder backorderTbc preorder preorderTbc left now later laterTbc only soldOut notify email "
  + "quantity buttonBackorder buttonPreorder failed").split(" ");

export const TABLE = {
  en: `Backorder: ships around {date}
Backorder: date to be confirmed
Preorder: released {date}
Preorder: release date to be confirmed
{n} left
{n} can ship now
{n} around {date}
{n} later, date to be confirmed
Only {n} available
Sold out
Notify me
Email
Quantity (optional)
Backorder now
Preorder now
Please try again later.`,
  de: `Nachbestellung: Versand ca. {date}
Nachbestellung: Termin folgt
Vorbestellung: erscheint am {date}
Vorbestellung: Termin folgt
noch {n}
{n} sofort lieferbar
{n} ab ca. {date}
{n} später, Termin folgt
Nur {n} verfügbar
Ausverkauft
Benachrichtigen
E-Mail
Menge (optional)
Nachbestellen
Vorbestellen
Fehler. Bitte erneut versuchen.`,
  fr: `Sur commande : expédition vers le {date}
Sur commande : date à confirmer
Précommande : sortie le {date}
Précommande : date à confirmer
encore {n}
{n} en expédition immédiate
{n} vers le {date}
{n} plus tard, date à confirmer
Seulement {n} disponible(s)
Épuisé
Me prévenir
E-mail
Quantité (facultatif)
Commander
Précommander
Erreur. Veuillez réessayer.`,
  es: `Bajo pedido: envío hacia el {date}
Bajo pedido: fecha por confirmar
Preventa: sale el {date}
Preventa: fecha por confirmar
quedan {n}
{n} con envío inmediato
{n} hacia el {date}
{n} más tarde, fecha por confirmar
Solo {n} disponibles
Agotado
Avisarme
Correo electrónico
Cantidad (opcional)
Comprar bajo pedido
Reservar
Error. Inténtalo de nuevo.`,
  nl: `Nabestelling: verzonden rond {date}
Nabestelling: datum volgt
Pre-order: verschijnt {date}
Pre-order: datum volgt
nog {n}
{n} direct leverbaar
{n} rond {date}
{n} later, datum volgt
Nog maar {n} beschikbaar
Uitverkocht
Mail me
E-mail
Aantal (optioneel)
Nabestellen
Pre-order
Fout. Probeer het opnieuw.`,
};

/** The first candidate that is a valid language tag ("de_AT" is read as "de-AT"), else "en". */
export function pickLocale(...candidates) {
  for (const tag of candidates) {
    try {
      return Intl.getCanonicalLocales(tag.replace(/_/g, "-"))[0];
    } catch (error) { /* missing or not a language tag: try the next */ }
  }
  return "en";
}

/** "2026-12-14" as the shopper reads it ("Dec 14", "14. Dez."), or "" for anything else.
 *  Read as a calendar day in UTC, so no timezone moves it to the day before. */
export function formatDate(iso, locale) {
  const day = /^(\d{4})-(\d\d)-(\d\d)$/.exec(iso);
  return day ? new Intl.DateTimeFormat(locale, { day: "numeric", month: "short", timeZone: "UTC" })
    .format(Date.UTC(day[1], day[2] - 1, day[3])) : "";
}

/** t(key, {n, date}) for a locale: the first override that has the key (data-label-*, then the store's
 *  labels), else the built-in string of the language, else English. {date} is an ISO date. */
export function translator(locale, ...overrides) {
  const lines = (lang) => TABLE[lang] && TABLE[lang].split("\n");
  const own = lines(locale.toLowerCase().split("-")[0]) || [];
  const en = lines("en");
  return (key, vars = {}) => {
    const index = KEYS.indexOf(key);
    let text = own[index] || en[index] || "";
    for (const labels of overrides) {
      if (labels && typeof labels[key] == "string") { text = labels[key]; break; }
    }
    return text.replace(/\{(n|date)\}/g, (_, name) => name == "n" ? vars.n : formatDate(vars.date, locale));
  };
}
