"""Widgets that render in Python what Django renders through templates.

Django renders every `<option>` of a Select through two template includes; the queue's filter form has six
selects with a few hundred options between them (communities, categories, workers), which cost about 6 ms
per queue page at city scale (docs/performance.md). `FastSelect` writes the same HTML directly.
"""

import html

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe


def e(value) -> str:
    """Escaped text, as django.utils.html.escape writes it, without its lazy-string wrapper (a check of
    every argument per call: a third of the filter form's time with a few hundred options)."""
    return html.escape(str(value))


def _attrs(attrs: dict) -> str:
    """As django/forms/widgets/attrs.html: in order, True as a bare name, False left out."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, str(value)),)
            for name, value in attrs.items()
            if value is not False
        ),
    )


class FastSelect(forms.Select):
    """A Select whose HTML is built in Python: same name, attributes, optgroups and selected options.

    As Django's `optgroups()` decides (without building a dict per option): a value matches an option
    when its string form does; a single select marks only the first match."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            attrs["multiple"] = True
        values = set(self.format_value(value))
        multiple = self.allow_multiple_selected
        found = False

        def option(option_value, label):
            nonlocal found
            text = str(option_value)
            selected = (multiple or not found) and text in values
            found |= selected
            return f'<option value="{e(text)}"{" selected" if selected else ""}>{e(label)}</option>'

        parts = [format_html('<select name="{}"{}>', name, _attrs(attrs))]
        for option_value, label in self.choices:
            if option_value is None:
                option_value = ""
            if isinstance(label, (list, tuple)):
                body = "".join(option(sub_value, sub_label) for sub_value, sub_label in label)
                parts.append(f'<optgroup label="{e(option_value)}">{body}</optgroup>')
            else:
                parts.append(option(option_value, label))
        parts.append("</select>")
        return mark_safe("".join(parts))  # every value and label escaped above


class _FastInputMixin:
    """An <input> written in Python, as django/forms/widgets/input.html writes it."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        value = widget["value"]
        return format_html(
            '<input type="{}" name="{}"{}{}>',
            widget["type"],
            widget["name"],
            "" if value is None else format_html(' value="{}"', str(value)),
            _attrs(widget["attrs"]),
        )


class FastTextInput(_FastInputMixin, forms.TextInput):
    pass


class FastCheckboxInput(_FastInputMixin, forms.CheckboxInput):
    pass
