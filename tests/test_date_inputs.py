"""15.1: every date input renders its value as ISO YYYY-MM-DD under zh-hans.

<input type="date"> accepts only YYYY-MM-DD; zh-hans's first input format is %Y/%m/%d, which the browser
rejected, submitting the field empty (a resident's birth date erased on the next save). Every form,
filter set and admin form of the project is inspected, not only the resident form.
"""

import copy
import datetime
import importlib
import inspect

import django_filters
import pytest
from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminDateWidget
from django.utils import translation

DAY = datetime.date(1948, 5, 1)
PROJECT_APPS = ("residents", "projects", "stations", "sws", "casework")
FORM_MODULES = (
    "residents.forms",
    "residents.forms_public",
    "residents.filters",
    "projects.forms",
    "projects.filters",
    "stations.forms",
    "stations.filters",
    "sws.dashboards.periods",
    "casework.forms.intake",
    "casework.forms.planning",
    "casework.filters",
)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _ours(cls):
    return cls.__module__.split(".")[0] in PROJECT_APPS


def _date_widgets(fields, where):
    for name, field in fields.items():
        widget = field.widget
        if isinstance(widget, forms.DateInput):
            yield f"{where}.{name}", widget


def all_date_widgets(rf, admin_user):
    for module in FORM_MODULES:
        importlib.import_module(module)
    found = []
    for form_class in {*_subclasses(forms.BaseForm)}:
        if _ours(form_class) and not inspect.isabstract(form_class):
            found += _date_widgets(form_class.base_fields, form_class.__qualname__)
    for filterset in _subclasses(django_filters.FilterSet):
        if _ours(filterset):
            # A copy: `Filter.field` builds and caches its form field, which must not stick to the class
            # (a ModelChoiceFilter's queryset is set per request).
            filters = copy.deepcopy(filterset.base_filters)
            fields = {name: f.field for name, f in filters.items()}
            found += _date_widgets(fields, filterset.__qualname__)
    request = rf.get("/admin/")
    request.user = admin_user
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label in PROJECT_APPS:
            form_class = model_admin.get_form(request)
            found += _date_widgets(form_class.base_fields, f"admin:{model.__name__}")
    return found


@pytest.mark.django_db
def test_every_date_input_of_the_project_renders_iso(rf, admin_user):
    widgets = all_date_widgets(rf, admin_user)
    names = {name for name, _ in widgets}
    # The inspection really reaches the forms concerned (a silent empty list would prove nothing).
    assert {"ResidentForm.birth_date", "PeriodForm.from_", "admin:Resident.birth_date"} <= names, names
    assert any(name.startswith("ActivityFilter") for name in names), names
    with translation.override("zh-hans"):
        rendered = {name: (widget.input_type, widget.format_value(DAY)) for name, widget in widgets}
    # A month picker (<input type="month">) takes YYYY-MM; every other date input YYYY-MM-DD.
    wrong = {
        name: value
        for name, (kind, value) in rendered.items()
        if value != ("1948-05" if kind == "month" else "1948-05-01")
    }
    assert not wrong


@pytest.mark.parametrize("widget", [forms.DateInput(), AdminDateWidget()])
def test_a_date_input_without_a_format_is_iso_too(widget):
    with translation.override("zh-hans"):
        assert 'value="1948-05-01"' in widget.render("day", DAY)


@pytest.mark.parametrize("typed", ["1948-05-01", "1948/05/01", "1948/5/1"])
def test_dates_typed_the_chinese_ways_are_still_accepted(typed):
    with translation.override("zh-hans"):
        assert forms.DateField().clean(typed) == DAY


def test_every_project_model_with_a_date_field_was_inspected(rf, admin_user, db):
    """The admin of every registered model with an editable DateField contributes its date widget."""
    widgets = {name for name, _ in all_date_widgets(rf, admin_user)}
    request = rf.get("/admin/")
    request.user = admin_user
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        form_fields = model_admin.get_form(request).base_fields
        for field in model._meta.get_fields():
            if type(field).__name__ == "DateField" and field.name in form_fields:
                assert f"admin:{model.__name__}.{field.name}" in widgets
