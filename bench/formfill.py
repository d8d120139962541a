"""Fill an HTML form the way a hurried worker would: keep what the page pre-filled, pick the first choice,
type plausible text where a field is empty and required.

The benchmark posts the intake form without knowing its fields in advance, so it keeps working while the
form grows; `Page.post_values` overrides any field.
"""

from html.parser import HTMLParser

SKIP_ACTIONS = ("logout", "i18n", "setlang")

# Plausible values by (part of) field name, for empty text fields.
TEXT_GUESSES = [
    ("phone", "13820001234"),
    ("mobile", "13820001234"),
    ("id_number", ""),  # optional, and a made-up one would fail the check digit
    ("name", "张桂兰"),
    ("description", "独居老人家中楼道灯坏了，请帮忙更换灯泡。"),
    ("address", "果园新村朝阳里3号楼2门101"),
    ("note", "演示"),
    ("reason", "演示"),
]
TYPE_GUESSES = {"date": "1948-03-02", "number": "1", "email": "demo@example.com", "tel": "13820001234"}


class _Form:
    def __init__(self, attrs):
        self.action = attrs.get("action") or ""
        self.method = (attrs.get("method") or "get").lower()
        self.fields = []  # (kind, name, attrs, value/options)


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._form = None
        self._select = None
        self._option = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = _Form(attrs)
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        if tag == "input" and attrs.get("name"):
            self._form.fields.append(("input", attrs["name"], attrs, attrs.get("value", "")))
        elif tag == "select" and attrs.get("name"):
            self._select = ("select", attrs["name"], attrs, [])
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._option = {"value": attrs.get("value"), "selected": "selected" in attrs, "text": ""}
            self._select[3].append(self._option)
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = ["textarea", attrs["name"], attrs, ""]
            self._form.fields.append(self._textarea)

    def handle_data(self, data):
        if self._option is not None:
            self._option["text"] += data
        if self._textarea is not None:
            self._textarea[3] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
            self._option = None
        elif tag == "option":
            self._option = None
        elif tag == "textarea" and self._textarea is not None:
            fields = self._form.fields if self._form else []
            if fields and fields[-1] is self._textarea:
                fields[-1] = tuple(self._textarea)
            self._textarea = None


def _guess_text(name, input_type, required):
    lowered = name.lower()
    for part, value in TEXT_GUESSES:
        if part in lowered:
            return value
    if input_type in TYPE_GUESSES:
        return TYPE_GUESSES[input_type] if required else ""
    return "演示" if required else ""


def main_form(html: str, action: str = ""):
    """The page's main POST form: the one posting to `action` (or to itself) with the most fields."""
    parser = _FormParser()
    parser.feed(html)
    candidates = [
        form
        for form in parser.forms
        if form.method == "post" and not any(word in form.action for word in SKIP_ACTIONS)
    ]
    preferred = [form for form in candidates if form.action in ("", action)]
    pool = preferred or candidates
    return max(pool, key=lambda form: len(form.fields), default=None)


def fill(html: str, action: str = "", overrides: dict | None = None) -> dict:
    """POST data for the page's main form, or {} when the page has none."""
    form = main_form(html, action)
    if form is None:
        return {}
    data: dict = {}
    for kind, name, attrs, value in form.fields:
        required = "required" in attrs
        if kind == "select":
            options = [o for o in value if o["value"] not in (None, "")]
            chosen = [o for o in value if o["selected"] and o["value"] not in (None, "")] or options[:1]
            if chosen:
                data[name] = chosen[0]["value"]
            continue
        if kind == "textarea":
            data[name] = value.strip() or _guess_text(name, "textarea", True)
            continue
        input_type = (attrs.get("type") or "text").lower()
        if input_type in ("submit", "button", "reset", "file", "image"):
            continue
        if input_type == "checkbox":
            if "checked" in attrs:
                data.setdefault(name, [])
                data[name].append(value or "on")
            continue
        if input_type == "radio":
            if "checked" in attrs or name not in data:
                data[name] = value
            continue
        if input_type == "hidden":
            data[name] = value
            continue
        data[name] = value or _guess_text(name, input_type, required)
    data.update(overrides or {})
    return data
