// The widget's words, dates and plurals. One line per string key, in KEYS order; "one|other" picks a
// plural form with Intl.PluralRules; {n}, {date} are filled in. Merchants override any key by name.

export const KEYS = ("backorder backorderTbc preorder preorderTbc left now later laterTbc only soldOut notify email "
  + "quantity send buttonBackorder buttonPreorder failed").split(" ");

export const TABLE = {
  en: `Backorder: ships around {date}
Backorder: date to be confirmed
Preorder: released {date}
Preorder: release date to be confirmed
{n} left
{n} ships now|{n} ship now
{n} ships around {date}|{n} ship around {date}
{n} ships later, date to be confirmed|{n} ship later, date to be confirmed
Only {n} available
Sold out
Notify me
Email
Quantity (optional)
Notify me when it's back
Backorder now
Preorder now
Something went wrong. Please try again.`,
  de: `Nachbestellung: Versand ca. {date}
Nachbestellung: Liefertermin folgt
Vorbestellung: erscheint am {date}
Vorbestellung: Erscheinungstermin folgt
noch {n}
{n} sofort lieferbar
{n} ab ca. {date}
{n} später, Termin folgt
Nur {n} verfügbar
Ausverkauft
Benachrichtigen
E-Mail
Menge (optional)
Benachrichtigen, wenn wieder da
Nachbestellen
Vorbestellen
Etwas ist schiefgelaufen. Bitte erneut versuchen.`,
  fr: `Sur commande : expédié vers le {date}
Sur commande : date à confirmer
Précommande : sortie le {date}
Précommande : date de sortie à confirmer
encore {n}
{n} expédié maintenant|{n} expédiés maintenant
{n} expédié vers le {date}|{n} expédiés vers le {date}
{n} expédié plus tard, date à confirmer|{n} expédiés plus tard, date à confirmer
Seulement {n} disponible(s)
Épuisé
Me prévenir
E-mail
Quantité (facultatif)
Me prévenir du retour
Commander
Précommander
Une erreur est survenue. Veuillez réessayer.`,
  es: `Bajo pedido: envío hacia el {date}
Bajo pedido: fecha por confirmar
Preventa: sale el {date}
Preventa: fecha por confirmar
quedan {n}
{n} se envía ya|{n} se envían ya
{n} se envía hacia el {date}|{n} se envían hacia el {date}
{n} más tarde, fecha por confirmar
Solo {n} disponibles
Agotado
Avisarme
Correo electrónico
Cantidad (opcional)
Avisarme cuando vuelva
Comprar bajo pedido
Reservar
Algo salió mal. Inténtalo de nuevo.`,
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
Mail me als het terug is
Nabestellen
Pre-order
Er ging iets mis. Probeer het opnieuw.`,
};

/** The first candidate that is a valid language tag ("de_AT" is read as "de-AT"), else "en". */
export function pickLocale(...candidates) {
  for (const tag of candidates) {
    try {
      const [found] = Intl.getCanonicalLocales(tag ? String(tag).replace(/_/g, "-") : []);
      if (found) return found;
    } catch (error) { /* not a language tag: try the next */ }
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
  const plural = new Intl.PluralRules(locale);
  return (key, vars = {}) => {
    const index = KEYS.indexOf(key);
    let text = own[index] || en[index] || "";
    for (const labels of overrides) {
      if (labels && typeof labels[key] == "string") { text = labels[key]; break; }
    }
    const forms = text.split("|");
    text = forms[forms.length > 1 && plural.select(vars.n) != "one" ? 1 : 0];
    return text.replace(/\{(n|date)\}/g, (_, name) => name == "n" ? vars.n : formatDate(vars.date, locale));
  };
}
