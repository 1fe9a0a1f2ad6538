"""Compose the four emails we send: confirm, restock, room and eta_update.

Plain functions, no Flask: the worker calls `compose_message` with what it loaded from the outbox.
Restock and room notices are subscription mail (RFC 8058 headers, List-Id, postal address, visible
unsubscribe link: platform-contracts §4); confirm and eta_update are transactional and carry none.
"""

import datetime
import functools
import re
from email.headerregistry import Address
from email.message import EmailMessage
from email.header import Header
from email.utils import format_datetime, make_msgid
from pathlib import Path
from urllib.parse import urlsplit

import jinja2

from .i18n import format_date, format_price, language, phrase

KINDS = ("confirm", "restock", "room", "eta_update")
SUBSCRIPTION_KINDS = ("restock", "room")
REQUIRED_LINKS = {
    "confirm": ("confirm",),
    "restock": ("product", "unsubscribe"),
    "room": ("product", "unsubscribe"),
    "eta_update": (),
}
WEB_LINKS = ("confirm", "product", "unsubscribe", "manage")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
# What str.splitlines() breaks at (the email package refuses these in headers) and other controls.
LINE_BREAKS_AND_CONTROLS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")
# Dot-separated atoms with RFC 6532's UTF-8: no white space (Unicode's included), no specials, no empty parts.
ATOM = r'[^\s"(),.:;<>@\[\\\]]+'
DOT_ATOM = re.compile(rf"{ATOM}(\.{ATOM})*")


def compose_message(kind, *, store, to, locale, links, context, message_id_domain, default_sender_email=None):
    """One multipart (text + HTML) email of `kind` to `to`, in the language of `locale`.

    `store` needs name, sender_name, sender_email, postal_address and public_key; `links` holds absolute
    URLs (confirm, product, unsubscribe, manage, unsubscribe_mailto); `context` holds product_name and,
    as the kind needs them, price, currency, quantity, eta, old_eta, new_eta, order_ref, confirm_days,
    product_url (used when links has no product link).
    Raises ValueError for an unknown kind, a bad address or link, or no sender address.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown email kind {kind!r}; expected one of {', '.join(KINDS)}")
    lang = language(locale)
    commercial = kind in SUBSCRIPTION_KINDS
    links = _checked_links(kind, {"product": context.get("product_url"), **{k: v for k, v in links.items() if v}})
    values = _template_values(kind, lang, store, context)
    subject = one_line(phrase(f"subject_{kind}", lang, product=values["product_name"],
                              order_ref=values["order_ref"]))
    values.update(subject=subject, links=links, commercial=commercial, lang=lang)

    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = _sender(store, default_sender_email)
    message["To"] = _address(to)
    message["Date"] = format_datetime(datetime.datetime.now(datetime.timezone.utc))
    message["Message-ID"] = make_msgid(domain=_checked_domain(message_id_domain))
    message["Auto-Submitted"] = "auto-generated"
    if commercial:
        # RFC 8058: the HTTPS link (POSTed to by the mailbox provider), then the mailto fallback.
        targets = [f"<{url}>" for url in (links["unsubscribe"], links["unsubscribe_mailto"]) if url]
        message["List-Unsubscribe"] = VerbatimHeader("List-Unsubscribe", [t + "," for t in targets[:-1]] + targets[-1:])
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        message["List-Id"] = _list_id(values["store_name"], store.public_key, message_id_domain)
    message.set_content(_render(f"{lang}/{kind}.txt", values), cte="quoted-printable")
    message.add_alternative(_render(f"{lang}/{kind}.html", values), subtype="html", cte="quoted-printable")
    return message


def one_line(value):
    """`value` as one line of text: control characters and line breaks become single spaces.

    A newline in a product or store name must never start a new header (header injection).
    """
    if value is None:
        return None
    return re.sub(" {2,}", " ", LINE_BREAKS_AND_CONTROLS.sub(" ", str(value))).strip()


class VerbatimHeader(str):
    """A header written exactly as built here, folded only between its tokens.

    The default policy turns a long URL into RFC 2047 encoded words, which no mail client reads
    in List-Unsubscribe (RFC 2369 wants the URLs as they are, and DKIM signs what we write).
    """

    def __new__(cls, name, tokens):
        for token in tokens:
            if not token.isascii() or not token.isprintable() or not token.strip():
                raise ValueError(f"{name}: header tokens must be printable ASCII, got {token!r}")
        header = super().__new__(cls, " ".join(tokens))
        header.name = name
        header.tokens = tuple(tokens)
        return header

    def fold(self, *, policy):
        lines = [f"{self.name}:"]
        for token in self.tokens:
            if policy.max_line_length and len(lines[-1]) > len(self.name) + 1 \
                    and len(lines[-1]) + 1 + len(token) > policy.max_line_length:
                lines.append("")
            lines[-1] += " " + token
        return policy.linesep.join(lines) + policy.linesep


def _list_id(store_name, public_key, domain):
    """RFC 2919 List-Id: `"<store> restock alerts" <restock.<public key>.<domain>>`."""
    list_id = f"restock.{public_key}.{domain}"
    if not re.fullmatch(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+", list_id):
        raise ValueError(f"cannot build a List-Id from public key {public_key!r} and domain {domain!r}")
    description = f"{store_name} restock alerts"
    if description.isascii():
        phrase_tokens = ['"' + description.replace("\\", "\\\\").replace('"', '\\"') + '"']
    else:  # encoded words, whole: no quoting rules inside, and a decoder joins adjacent ones
        phrase_tokens = Header(description, "utf-8").encode(linesep="\n").split()
    return VerbatimHeader("List-Id", phrase_tokens + [f"<{list_id}>"])


def _checked_links(kind, links):
    checked = {key: links.get(key) or None for key in (*WEB_LINKS, "unsubscribe_mailto")}
    for key in REQUIRED_LINKS[kind]:
        if not checked[key]:
            raise ValueError(f"a {kind} email needs links[{key!r}]")
    for key, url in checked.items():
        if url is None:
            continue
        scheme = "mailto" if key == "unsubscribe_mailto" else "http(s)"
        parts = urlsplit(url)
        ok = parts.scheme == "mailto" if key == "unsubscribe_mailto" else (
            parts.scheme in ("https", "http") and bool(parts.netloc))
        if not ok or not url.isascii() or re.search(r"[\s<>\"]", url) or not url.isprintable():
            raise ValueError(f"links[{key!r}] must be an absolute {scheme} URL without spaces, got {url!r}")
    return checked


def _template_values(kind, lang, store, context):
    product_name = one_line(context.get("product_name"))
    if not product_name:
        raise ValueError(f"a {kind} email needs context['product_name']")
    order_ref = one_line(context.get("order_ref"))
    if kind == "eta_update" and not order_ref:
        raise ValueError("an eta_update email needs context['order_ref']")
    quantity = context.get("quantity")
    return {
        "store_name": one_line(store.name),
        "postal_lines": [line.strip() for line in (store.postal_address or "").splitlines() if line.strip()],
        "product_name": product_name,
        "order_ref": order_ref,
        "price": format_price(context.get("price"), lang, context.get("currency")),
        "quantity": quantity if quantity and quantity > 1 else None,
        "eta": format_date(context.get("eta"), lang),
        "old_eta": format_date(context.get("old_eta"), lang),
        "new_eta": format_date(context.get("new_eta"), lang),
        "confirm_days": context.get("confirm_days", 7),
    }


def _sender(store, default_sender_email):
    email = store.sender_email or default_sender_email
    if not email:
        raise ValueError(f"store {store.name!r} has no sender address and no default was given")
    return _address(email, display_name=one_line(store.sender_name or store.name) or "")


def _address(text, display_name=""):
    if not isinstance(text, str) or CONTROL_CHARACTERS.search(text):
        raise ValueError(f"not a valid email address: {text!r}")
    try:
        address = Address(display_name=display_name, addr_spec=text.strip())
    except (ValueError, IndexError) as error:
        # Python's parser refuses a non-ASCII local part (é@example.com), which RFC 6531/6532 allow and
        # smtplib sends with SMTPUTF8: take one made only of characters an unquoted local part may hold.
        local, _, domain = text.strip().rpartition("@")
        if local.isascii() or not DOT_ATOM.fullmatch(local) or not DOT_ATOM.fullmatch(domain):
            raise ValueError(f"not a valid email address: {text!r}") from error
        address = Address(display_name=display_name, username=local, domain=domain)
    if not address.username or not address.domain:
        raise ValueError(f"not a valid email address: {text!r}")
    return address


def _checked_domain(domain):
    if not domain or not re.fullmatch(r"[A-Za-z0-9.-]+", domain):
        raise ValueError(f"message_id_domain must be a host name, got {domain!r}")
    return domain


@functools.cache
def _environment():
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=jinja2.select_autoescape(["html"], default_for_string=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _render(name, values):
    return _environment().get_template(name).render(values)
