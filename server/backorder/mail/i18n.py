"""Short sentences, dates and prices in the five languages we speak: en, de, fr, es, nl.

Table-driven on purpose (no Babel): adding a language means adding one column to each table
below and one folder of templates.
"""

import datetime
import string
from decimal import Decimal, InvalidOperation

LANGUAGES = ("en", "de", "fr", "es", "nl")
DEFAULT_LANGUAGE = "en"

PHRASES = {
    "en": {
        "signup_pending": "Almost done: check your inbox to confirm your alert.",
        "signup_active": "You're on the list. We'll email you when it's back.",
        "confirm_title": "Confirm your alert",
        "confirm_question": "Get one email when {product} is back?",
        "confirm_button": "Confirm my alert",
        "confirm_done_title": "Alert confirmed",
        "confirm_done": "Thank you. We'll email you once when {product} is back.",
        "confirm_expired_title": "Link expired",
        "confirm_expired": "This confirmation link has expired or was already used. "
                           "Sign up again on the product page.",
        "link_invalid_title": "Link not valid",
        "link_invalid": "This link is not valid or has expired.",
        "unsubscribe_title": "Unsubscribe",
        "unsubscribe_question": "Stop all restock alerts from {store} to {email}?",
        "unsubscribe_button": "Unsubscribe",
        "unsubscribe_done_title": "You're unsubscribed",
        "unsubscribe_done": "{store} will not email {email} again.",
        "manage_title": "Your restock alerts",
        "manage_intro": "Alerts for {email} at {store}:",
        "manage_empty": "You have no alerts at {store}.",
        "manage_remove": "Remove",
        "manage_remove_all": "Remove all",
        "manage_removed": "Alert removed.",
        "manage_removed_all": "All alerts removed.",
        "subject_confirm": "Please confirm your alert for {product}",
        "subject_restock": "Back in stock: {product}",
        "subject_room": "You can order {product} now",
        "subject_eta_update": "New shipping date for your order {order_ref}",
    },
    "de": {
        "signup_pending": "Fast geschafft: Bitte bestätigen Sie Ihre Benachrichtigung über den Link in Ihrem Postfach.",
        "signup_active": "Sie stehen auf der Liste. Wir schreiben Ihnen, sobald der Artikel wieder da ist.",
        "confirm_title": "Benachrichtigung bestätigen",
        "confirm_question": "Eine E-Mail erhalten, sobald {product} wieder da ist?",
        "confirm_button": "Benachrichtigung bestätigen",
        "confirm_done_title": "Benachrichtigung bestätigt",
        "confirm_done": "Vielen Dank. Wir schreiben Ihnen einmal, sobald {product} wieder da ist.",
        "confirm_expired_title": "Link abgelaufen",
        "confirm_expired": "Dieser Bestätigungslink ist abgelaufen oder wurde schon benutzt. "
                           "Melden Sie sich auf der Produktseite erneut an.",
        "link_invalid_title": "Ungültiger Link",
        "link_invalid": "Dieser Link ist ungültig oder abgelaufen.",
        "unsubscribe_title": "Abmelden",
        "unsubscribe_question": "Keine Benachrichtigungen von {store} mehr an {email} senden?",
        "unsubscribe_button": "Abmelden",
        "unsubscribe_done_title": "Sie sind abgemeldet",
        "unsubscribe_done": "{store} sendet keine E-Mails mehr an {email}.",
        "manage_title": "Ihre Benachrichtigungen",
        "manage_intro": "Benachrichtigungen für {email} bei {store}:",
        "manage_empty": "Sie haben keine Benachrichtigungen bei {store}.",
        "manage_remove": "Entfernen",
        "manage_remove_all": "Alle entfernen",
        "manage_removed": "Benachrichtigung entfernt.",
        "manage_removed_all": "Alle Benachrichtigungen entfernt.",
        "subject_confirm": "Bitte bestätigen Sie Ihre Benachrichtigung für {product}",
        "subject_restock": "Wieder verfügbar: {product}",
        "subject_room": "{product} ist jetzt bestellbar",
        "subject_eta_update": "Neuer Versandtermin für Ihre Bestellung {order_ref}",
    },
    # French puts a no-break space before ":" and "?".
    "fr": {
        "signup_pending": "Presque fini\u00a0: confirmez votre alerte grâce au lien reçu par e-mail.",
        "signup_active": "Vous êtes sur la liste. Nous vous écrirons dès son retour.",
        "confirm_title": "Confirmer votre alerte",
        "confirm_question": "Recevoir un e-mail dès que {product} sera de retour\u00a0?",
        "confirm_button": "Confirmer mon alerte",
        "confirm_done_title": "Alerte confirmée",
        "confirm_done": "Merci. Nous vous écrirons une fois, dès que {product} sera de retour.",
        "confirm_expired_title": "Lien expiré",
        "confirm_expired": "Ce lien de confirmation a expiré ou a déjà été utilisé. "
                           "Inscrivez-vous à nouveau sur la page du produit.",
        "link_invalid_title": "Lien non valide",
        "link_invalid": "Ce lien n'est pas valide ou a expiré.",
        "unsubscribe_title": "Se désabonner",
        "unsubscribe_question": "Ne plus envoyer d'alertes de {store} à {email}\u00a0?",
        "unsubscribe_button": "Se désabonner",
        "unsubscribe_done_title": "Désabonnement confirmé",
        "unsubscribe_done": "{store} n'enverra plus d'e-mails à {email}.",
        "manage_title": "Vos alertes",
        "manage_intro": "Alertes de {email} chez {store}\u00a0:",
        "manage_empty": "Vous n'avez aucune alerte chez {store}.",
        "manage_remove": "Supprimer",
        "manage_remove_all": "Tout supprimer",
        "manage_removed": "Alerte supprimée.",
        "manage_removed_all": "Toutes les alertes ont été supprimées.",
        "subject_confirm": "Confirmez votre alerte pour {product}",
        "subject_restock": "De retour en stock\u00a0: {product}",
        "subject_room": "{product} est de nouveau disponible à la commande",
        "subject_eta_update": "Nouvelle date d'expédition pour votre commande {order_ref}",
    },
    "es": {
        "signup_pending": "Casi listo: revisa tu correo para confirmar tu aviso.",
        "signup_active": "Ya estás en la lista. Te escribiremos cuando vuelva.",
        "confirm_title": "Confirma tu aviso",
        "confirm_question": "¿Quieres recibir un correo cuando {product} vuelva?",
        "confirm_button": "Confirmar mi aviso",
        "confirm_done_title": "Aviso confirmado",
        "confirm_done": "Gracias. Te escribiremos una vez, cuando {product} vuelva a estar disponible.",
        "confirm_expired_title": "Enlace caducado",
        "confirm_expired": "Este enlace de confirmación ha caducado o ya se ha usado. "
                           "Vuelve a suscribirte en la página del producto.",
        "link_invalid_title": "Enlace no válido",
        "link_invalid": "Este enlace no es válido o ha caducado.",
        "unsubscribe_title": "Darse de baja",
        "unsubscribe_question": "¿Dejar de enviar avisos de {store} a {email}?",
        "unsubscribe_button": "Darme de baja",
        "unsubscribe_done_title": "Te has dado de baja",
        "unsubscribe_done": "{store} no volverá a escribir a {email}.",
        "manage_title": "Tus avisos",
        "manage_intro": "Avisos de {email} en {store}:",
        "manage_empty": "No tienes avisos en {store}.",
        "manage_remove": "Eliminar",
        "manage_remove_all": "Eliminar todos",
        "manage_removed": "Aviso eliminado.",
        "manage_removed_all": "Se han eliminado todos los avisos.",
        "subject_confirm": "Confirma tu aviso para {product}",
        "subject_restock": "De nuevo disponible: {product}",
        "subject_room": "Ya puedes pedir {product}",
        "subject_eta_update": "Nueva fecha de envío para tu pedido {order_ref}",
    },
    "nl": {
        "signup_pending": "Bijna klaar: bevestig je melding via de link in je inbox.",
        "signup_active": "Je staat op de lijst. We mailen je zodra het er weer is.",
        "confirm_title": "Bevestig je melding",
        "confirm_question": "Eén e-mail krijgen zodra {product} er weer is?",
        "confirm_button": "Melding bevestigen",
        "confirm_done_title": "Melding bevestigd",
        "confirm_done": "Bedankt. We mailen je één keer zodra {product} er weer is.",
        "confirm_expired_title": "Link verlopen",
        "confirm_expired": "Deze bevestigingslink is verlopen of al gebruikt. "
                           "Meld je opnieuw aan op de productpagina.",
        "link_invalid_title": "Ongeldige link",
        "link_invalid": "Deze link is ongeldig of verlopen.",
        "unsubscribe_title": "Afmelden",
        "unsubscribe_question": "Geen meldingen van {store} meer sturen naar {email}?",
        "unsubscribe_button": "Afmelden",
        "unsubscribe_done_title": "Je bent afgemeld",
        "unsubscribe_done": "{store} mailt {email} niet meer.",
        "manage_title": "Je meldingen",
        "manage_intro": "Meldingen voor {email} bij {store}:",
        "manage_empty": "Je hebt geen meldingen bij {store}.",
        "manage_remove": "Verwijderen",
        "manage_remove_all": "Alles verwijderen",
        "manage_removed": "Melding verwijderd.",
        "manage_removed_all": "Alle meldingen verwijderd.",
        "subject_confirm": "Bevestig je melding voor {product}",
        "subject_restock": "Weer op voorraad: {product}",
        "subject_room": "{product} is nu te bestellen",
        "subject_eta_update": "Nieuwe verzenddatum voor je bestelling {order_ref}",
    },
}

MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
    "de": ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
           "Oktober", "November", "Dezember"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre"),
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
           "octubre", "noviembre", "diciembre"),
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
           "oktober", "november", "december"),
}
DATE_PATTERNS = {
    "en": "{day} {month} {year}",
    "de": "{day}. {month} {year}",
    "fr": "{day} {month} {year}",
    "es": "{day} de {month} de {year}",
    "nl": "{day} {month} {year}",
}
# (decimal mark, thousands separator)
NUMBER_MARKS = {"en": (".", ","), "de": (",", "."), "fr": (",", "\u202f"), "es": (",", "."), "nl": (",", ".")}


def language(locale):
    """The language we write for `locale`: "de-AT" → "de", "pt-BR" or None → "en"."""
    base = (locale or "").replace("_", "-").split("-")[0].strip().lower()
    return base if base in LANGUAGES else DEFAULT_LANGUAGE


def phrase(key, locale, **values):
    """The sentence `key` in the language of `locale`, with {placeholders} filled from `values`.

    Raises KeyError for an unknown key or a placeholder without a value.
    """
    return PHRASES[language(locale)][key].format_map(values)


def placeholders(text):
    """The names of the {placeholders} in `text`."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def format_date(value, locale):
    """A date written out for people: "14 December 2026", "14. Dezember 2026", "1er mars 2026"…

    Takes a date, a datetime (its date part) or an ISO "YYYY-MM-DD" string; None gives None.
    """
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.date.fromisoformat(value)
    elif isinstance(value, datetime.datetime):
        value = value.date()
    lang = language(locale)
    day = "1er" if lang == "fr" and value.day == 1 else str(value.day)
    return DATE_PATTERNS[lang].format(day=day, month=MONTHS[lang][value.month - 1], year=value.year)


def format_price(amount, locale, currency=None):
    """An amount with two decimals and the language's marks: "1,234.50" / "1.234,50", then the currency code.

    Takes a Decimal, int, float or numeric string; any other string is shown as given; None gives None.
    """
    if amount is None:
        return None
    try:
        number = Decimal(str(amount)).quantize(Decimal("0.01"))
    except InvalidOperation:
        return str(amount)
    decimal_mark, thousands = NUMBER_MARKS[language(locale)]
    whole, cents = f"{abs(number):,.2f}".split(".")
    text = ("-" if number < 0 else "") + whole.replace(",", thousands) + decimal_mark + cents
    return f"{text} {currency}" if currency else text
