"""Widgets that render in Python what Django renders through templates.

Django renders every `<option>` of a Select through two template includes; the queue's filter form has six
selects with a few hundred options between them (communities, categories, workers), which cost about 6 ms
per queue page at city scale (docs/performance.md). `FastSelect` writes the same HTML directly.
"""

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe


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
    """A Select whose HTML is built in Python: same name, attributes, optgroups and selected options."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], _attrs(widget["attrs"]))]
        for group_name, options, _index in widget["optgroups"]:
            body = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                ((option["value"], _attrs(option["attrs"]), option["label"]) for option in options),
            )
            parts.append(
                format_html('<optgroup label="{}">{}</optgroup>', group_name, body) if group_name else body
            )
        parts.append("</select>")
        return mark_safe("".join(parts))  # every part is escaped by format_html above


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
