"""Optimistic locking in the admin, for every model with a `version` (residents, requests, station work).

The app's own forms carry the version they were opened with and the services refuse a save over a newer
one. The admin must do the same, or an administrator's correction and a worker's edit silently overwrite
each other: `VersionCheckedAdminMixin` gives a ModelAdmin a change form that carries the version
(`expected_version`, hidden), checks it under a row lock when the form is cleaned (the admin saves in one
transaction, so two saves cannot both pass; a refused save writes nothing, nor inlines, nor many-to-many),
and bumps the version on save so that a worker's form opened before the correction is refused in turn.
"""

from django import forms
from django.core.exceptions import ValidationError


class VersionCheckedAdminForm(forms.ModelForm):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    stale_message = "该记录已被他人修改，请刷新页面后重新填写"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["expected_version"].initial = self.instance.version

    def clean(self):
        data = super().clean()
        if self.instance.pk is not None:
            current = (
                type(self.instance)
                ._default_manager.select_for_update()
                .filter(pk=self.instance.pk)
                .values_list("version", flat=True)
                .first()
            )
            # A post without the version (a forged or outdated page) is refused like a stale one.
            if current is None or data.get("expected_version") != current:
                raise ValidationError(f"{self.stale_message}（本次修改未保存）。", code="stale")
        return data


class VersionCheckedAdminMixin:
    """For a ModelAdmin of a model with `version`: set `stale_message` to the app's wording for it."""

    form = VersionCheckedAdminForm
    stale_message = VersionCheckedAdminForm.stale_message

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.stale_message = self.stale_message
        return form

    def save_model(self, request, obj, form, change):
        if change:
            obj.version += 1  # the form checked, under a row lock, that it was opened on the current one
        super().save_model(request, obj, form, change)
