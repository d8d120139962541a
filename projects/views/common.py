"""Helpers shared by the projects views: role gates, pagination, the versioned save."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction

from projects.services import save_versioned
from stations import access
from stations.locking import StaleVersionError

PAGE_SIZE = 25

# Creating records is for station staff (their own station); reading is for anyone in scope.
station_staff_required = access.role_required(access.is_station_user)
district_staff_required = access.role_required(access.is_district_user)

__all__ = ["login_required", "station_staff_required", "district_staff_required", "paginate", "save_form"]


def paginate(request, queryset, per_page=PAGE_SIZE, param="page"):
    """One page of `queryset`: a count query and a bounded slice, whatever the data size."""
    return Paginator(queryset, per_page).get_page(request.GET.get(param))


def save_form(request, form, *, success_message, **instance_fields):
    """Validate and save a model form with the version check; True on success.

    `instance_fields` (station, created_by …) are set on new records before saving. A concurrent edit
    becomes a form error, nothing is overwritten. A record dated in a locked month is saved with its late
    entry (补录, `forms.LockedMonthMixin`) in one transaction.
    """
    if not form.is_valid():
        return False
    for name, value in instance_fields.items():
        if form.instance.pk is None:
            setattr(form.instance, name, value)
    try:
        with transaction.atomic():
            save_versioned(form, version=form.cleaned_data.get("version"))
            if hasattr(form, "record_late_entries"):
                form.record_late_entries()
    except (StaleVersionError, ValidationError) as exc:
        form.add_error(None, exc.messages)
        return False
    if success_message:
        messages.success(request, success_message)
    return True


def show_station(user) -> bool:
    """Lists show a station column to district and city users, who see several stations."""
    return not access.is_station_user(user)
