"""Every autocomplete in the admin takes a forged id calmly: a form error, never a 500.

Django's autocomplete widgets look the submitted ids up again to show them beside the form's errors; the
plain widgets raised on an id that is not a number (`abc`, `1.5`). The fields are found, not listed: every
form field of every registered admin (and its inlines) whose widget is an autocomplete.
"""

import pytest
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteMixin, RelatedFieldWidgetWrapper
from django.test import RequestFactory
from django.urls import reverse

from stations.access import _SubmittedIdsChecked
from stations.models import Community, Station, Street, User
from tests.stations.factories import make_staff


def _widget(field):
    widget = field.widget
    return widget.widget if isinstance(widget, RelatedFieldWidgetWrapper) else widget


def _forms(user):
    """(label, form class) of every admin add form and inline form, as `user` gets them."""
    request = RequestFactory().get("/admin/")
    request.user = user
    for model, model_admin in admin.site._registry.items():
        try:
            form = model_admin.get_form(request)
        except Exception:  # an admin without an add form (read-only logs): no field to forge
            continue
        yield f"{model._meta.label}", form
        for inline in [inline_class(model, admin.site) for inline_class in model_admin.inlines]:
            yield f"{model._meta.label} inline {inline.model._meta.label}", inline.get_formset(request).form


def autocomplete_fields(user):
    found = []
    for label, form in _forms(user):
        # Fields as a form instance has them (the station form sets its widget in __init__).
        for name, field in form().fields.items():
            if isinstance(_widget(field), AutocompleteMixin):
                found.append((label, form, name, field))
    return found


def test_every_admin_autocomplete_is_the_guarded_one(admin_user):
    found = autocomplete_fields(admin_user)
    names = {(label, name) for label, _, name, _ in found}
    # The search is real: the station's served streets and the user's station are among them.
    assert ("stations.Station", "served_streets") in names
    assert ("stations.User", "station") in names
    plain = [(lbl, name) for lbl, _, name, fld in found if not isinstance(_widget(fld), _SubmittedIdsChecked)]
    assert plain == []


@pytest.mark.parametrize("forged", ["abc", "1.5", "99999999999999999999999"])
def test_a_forged_id_is_a_form_error_on_every_autocomplete(admin_user, guoyuan, forged):
    for label, form_class, name, field in autocomplete_fields(admin_user):
        value = [forged] if _widget(field).allow_multiple_selected else forged
        form = form_class(data={name: value})
        assert not form.is_valid()
        assert name in form.errors, (label, name)
        form[name].as_widget()  # renders beside the errors: this raised with the plain widget


def test_served_streets_forged_ids_answer_with_the_form(client, admin_user, guoyuan):
    client.force_login(admin_user)
    url = reverse("admin:stations_station_change", args=[guoyuan.pk])
    for forged in ("abc", "1.5"):
        data = {
            "code": guoyuan.code,
            "name": guoyuan.name,
            "district": guoyuan.district_id,
            "served_streets": [forged],
            "streets-TOTAL_FORMS": "0",
            "streets-INITIAL_FORMS": "0",
            "assignments-TOTAL_FORMS": "0",
            "assignments-INITIAL_FORMS": "0",
        }
        response = client.post(url, data)
        assert response.status_code == 200
        assert "served_streets" in response.context["adminform"].form.errors


def test_an_out_of_scope_id_is_a_form_error_on_every_autocomplete(district_user, guangkai, far_worker):
    """北辰区's centre names 南开区's street, community, station and worker: refused like missing ones."""
    staff = make_staff(district_user)
    far = {
        Street: Street.objects.get(code="120104004000"),
        Community: Community.objects.get(code="120104004002"),
        Station: guangkai,
        User: far_worker,
    }
    checked = 0
    for label, form_class, name, field in autocomplete_fields(staff):
        target = far.get(field.queryset.model)
        if target is None:
            continue
        multiple = _widget(field).allow_multiple_selected
        form = form_class(data={name: [str(target.pk)] if multiple else str(target.pk)})
        assert not form.is_valid()
        assert name in form.errors, (label, name)
        form[name].as_widget()
        checked += 1
    assert checked >= 6
