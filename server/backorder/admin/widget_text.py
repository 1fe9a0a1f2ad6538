"""The lines the widget shows for an availability, in English with the store's own wording applied,
for the product page's preview. The widget's words are widget/src/i18n.js (keys and English text)."""

ENGLISH = {
    "backorder": "Backorder: ships around {date}",
    "backorderTbc": "Backorder: date to be confirmed",
    "preorder": "Preorder: released {date}",
    "preorderTbc": "Preorder: release date to be confirmed",
    "left": "{n} left",
    "now": "{n} can ship now",
    "soldOut": "Sold out",
    "notify": "Notify me",
    "buttonBackorder": "Backorder now",
    "buttonPreorder": "Preorder now",
}


def widget_lines(store, found):
    """What a shopper sees for this availability: status line, then the button or the form."""
    words = {**ENGLISH, **(store.widget_labels or {})}

    def say(key, n=None, day=None):
        text = words[key].replace("{n}", str(n))
        return text.replace("{date}", day.strftime("%-d %b %Y") if day else "")

    lines = []
    if found.state == "in_stock":
        lines.append(f"In stock: nothing extra shown ({say('now', n=found.available_now)})")
    elif found.state in ("backorder", "preorder"):
        key = found.state if found.eta else found.state + "Tbc"
        lines.append(say(key, day=found.eta))
        if store.show_backorder_remaining and found.backorder_remaining is not None:
            lines.append(say("left", n=found.backorder_remaining))
        lines.append("Button: " + say("buttonBackorder" if found.state == "backorder" else "buttonPreorder"))
    else:
        lines += [say("soldOut"), "Form: " + say("notify")]
    if found.message:
        lines.append(found.message)
    return lines
