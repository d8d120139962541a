"""Choice fields that refuse a primary key no database column can hold.

Django looks any integer up in the database; SQLite cannot bind one past 64 bits and raises
OverflowError (an error page, not a form error). A forged `community=99999999999999999999` is simply
not a valid choice, whatever the database.
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django_filters import fields as filter_fields

PK_MAX = 2**63 - 1


def out_of_range(value) -> bool:
    text = str(value).strip()
    # isdecimal, not isdigit: "²" is a digit that int() refuses (a 500); int() reads every decimal.
    return text.lstrip("-").isdecimal() and not (-PK_MAX <= int(text) <= PK_MAX)


class _Bounded:
    def to_python(self, value):
        if value not in self.empty_values and out_of_range(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class BoundedModelChoiceField(_Bounded, forms.ModelChoiceField):
    pass


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for item in value:
            if out_of_range(item):
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": item}
                )
        return super()._check_values(value)


class BoundedFilterModelChoiceField(_Bounded, filter_fields.ModelChoiceField):
    pass


class BoundedModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = BoundedFilterModelChoiceField
