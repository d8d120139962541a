"""Two small helpers every app's views share (one home, not a copy per app)."""

from django import forms
from django.core.exceptions import ValidationError


def is_htmx(request) -> bool:
    """Did htmx send this request (it swaps the answer into the page)?"""
    return request.headers.get("HX-Request") == "true"


def errors_into(form, error: ValidationError) -> None:
    """A service's refusal shown on the form: next to the field it names, else above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


class PreloadedChoiceField(forms.ChoiceField):
    """A choice of one of `objects`, a list read once for a whole formset: unlike ModelChoiceField, no
    row renders or cleans with a query of its own. Cleans to the object; an id not in the list (another
    station's, forged) is "not a valid choice"."""

    def __init__(self, *, objects=(), label_of=str, empty_label="---------", **kwargs):
        super().__init__(**kwargs)
        self.set_objects(objects, label_of=label_of, empty_label=empty_label)

    def set_objects(self, objects, *, label_of=str, empty_label="---------"):
        self._by_id = {str(obj.pk): obj for obj in objects}
        self.choices = [("", empty_label), *((key, label_of(obj)) for key, obj in self._by_id.items())]

    def prepare_value(self, value):
        return getattr(value, "pk", value)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        found = self._by_id.get(str(value))
        if found is None:
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            )
        return found

    def valid_value(self, value):
        return True  # to_python has checked it against the list

    def has_changed(self, initial, data):
        return str(self.prepare_value(initial) or "") != str(data or "")
