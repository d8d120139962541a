"""Optimistic locking: the one implementation, for every record two people may edit at once.

Residents and requests (`residents.services`), station work (`projects.services`) and the admin
(`VersionCheckedAdminMixin`) all lock the same way:

- the record has a `version` column (`Versioned`, or a field of that name) that every change bumps;
- every form that changes it carries the version the user saw, in a hidden field also named `version`
  (`VersionField`, `VersionedFormMixin`);
- the save is refused with `StaleVersionError`, whose message is the one `STALE_MESSAGE`, when the row's
  version is no longer that one: either a conditional UPDATE ... WHERE version = N (`update_versioned`),
  or a check under a row lock before a form save (`check_locked`, `save_versioned`). Nothing is written.

Same behaviour on SQLite and PostgreSQL. Lives in `stations` (which imports nothing of ours) so that every
app may use it.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models, transaction

FIELD = "version"
STALE_MESSAGE = "该记录已被他人修改，本次操作未保存，请查看最新内容后重试。"


class StaleVersionError(ValidationError):
    """The record changed since the user loaded it; nothing was written."""

    def __init__(self, message=STALE_MESSAGE):
        super().__init__(message, code="stale")


class Versioned(models.Model):
    """Optimistic lock: every change bumps `version`; a save based on an older version is refused."""

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True


def check(expected, current) -> int:
    """The version `expected` as an int if it is `current`; else (also when missing) StaleVersionError."""
    if expected is None or current is None:
        raise StaleVersionError
    try:
        expected = int(expected)
    except (TypeError, ValueError):
        raise StaleVersionError from None
    if expected != current:
        raise StaleVersionError
    return expected


def locked_version(instance):
    """The row's current version, read under a row lock (select_for_update); None if it is gone.

    The caller holds the transaction, so two saves cannot both pass the check."""
    return (
        type(instance)
        ._default_manager.select_for_update()
        .filter(pk=instance.pk)
        .values_list(FIELD, flat=True)
        .first()
    )


def check_locked(instance, expected) -> int:
    """Check `expected` against the row's version under a row lock; the next version to write."""
    return check(expected, locked_version(instance)) + 1


def update_versioned(instance, version, **changes) -> None:
    """One conditional UPDATE ... WHERE version = `version`, bumping it; StaleVersionError if no row matched.

    `instance` is updated in memory (the changes and the new version) when the UPDATE went through."""
    version = int(version)
    updated = (
        type(instance)
        ._default_manager.filter(pk=instance.pk, **{FIELD: version})
        .update(**changes, **{FIELD: version + 1})
    )
    if not updated:
        raise StaleVersionError
    for name, value in changes.items():
        setattr(instance, name, value)
    setattr(instance, FIELD, version + 1)


def save_versioned(form, *, version):
    """Save a model form over an existing row only if its version is still `version`.

    New rows (no pk) are saved plainly."""
    instance = form.instance
    with transaction.atomic():
        if instance.pk is not None:
            setattr(instance, FIELD, check_locked(instance, version))
        return form.save()


class VersionField(forms.IntegerField):
    """The hidden field carrying the version the user saw."""

    widget = forms.HiddenInput


class VersionedFormMixin:
    """For a ModelForm over a versioned model: the `version` field starts at the instance's version."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and FIELD in self.fields:
            self.fields[FIELD].initial = getattr(self.instance, FIELD)


# --- The admin ----------------------------------------------------------------------------------------


class VersionCheckedAdminForm(VersionedFormMixin, forms.ModelForm):
    """The admin's change form: carries the version, checks it under a row lock when cleaned (the admin
    saves in one transaction; a refused save writes nothing, nor inlines, nor many-to-many). A post without
    the version (a forged or outdated page) is refused like a stale one."""

    version = VersionField(required=False)

    def clean(self):
        data = super().clean()
        if self.instance.pk is not None:
            check(data.get(FIELD), locked_version(self.instance))  # StaleVersionError is a ValidationError
        return data


class VersionCheckedAdminMixin:
    """For a ModelAdmin of a versioned model: its change form carries and checks the version, and a save
    bumps it so that a worker's form opened before the correction is refused in turn."""

    form = VersionCheckedAdminForm

    def get_exclude(self, request, obj=None):
        # The model's `version` is not editable; the form's own hidden `version` field (declared, so kept)
        # carries it. Excluding the model field lets the admin list the hidden field by that name.
        return [*(super().get_exclude(request, obj) or ()), FIELD]

    def save_model(self, request, obj, form, change):
        if change:
            setattr(obj, FIELD, getattr(obj, FIELD) + 1)  # checked under a row lock when the form was cleaned
        super().save_model(request, obj, form, change)
