"""Forms of the stations app (admin forms included): scoping comes from the caller, rules from models."""

from django import forms
from django.contrib.auth.forms import UserChangeForm, UsernameField
from django.utils.translation import gettext_lazy as _

from stations.models import Station, Street, User


class StationAdminForm(forms.ModelForm):
    """A station with the streets it serves (a street belongs to at most one station).

    `served_streets` edits the reverse side of `Street.station`; the admin gives it a queryset limited to
    the user's scope and an autocomplete widget.
    """

    served_streets = forms.ModelMultipleChoiceField(
        label=_("服务街道（乡镇）"),
        queryset=Street.objects.none(),
        required=False,
        help_text=_("合署办公的社工站可服务多个街道；站点编码应为其中区划代码最小的街道的前9位。"),
    )

    class Meta:
        model = Station
        fields = [
            "code",
            "name",
            "district",
            "founded_on",
            "address",
            "phone",
            "operator",
            "contract_start",
            "contract_end",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "served_streets" in self.fields:
            self.initial.setdefault(
                "served_streets", list(self.instance.streets.values_list("pk", flat=True))
            )

    def clean(self):
        cleaned = super().clean()
        streets = cleaned.get("served_streets")
        if not streets:
            return cleaned
        district = cleaned.get("district") or (self.instance.district if self.instance.district_id else None)
        errors = []
        for street in streets:
            if street.station_id and street.station_id != self.instance.pk:
                errors.append(
                    _("%(street)s已由%(station)s服务，请先在该站移除。")
                    % {"street": street.name, "station": street.station}
                )
            if district is not None and street.district_id != district.pk:
                errors.append(
                    _("%(street)s不属于%(district)s。") % {"street": street.name, "district": district}
                )
        code = cleaned.get("code") or self.instance.code
        first = min(street.code for street in streets)[:9]
        if code and code != first:
            errors.append(_("站点编码应为首个服务街道的区划代码前9位：%(code)s。") % {"code": first})
        if errors:
            self.add_error("served_streets", errors)
        return cleaned

    def save_served_streets(self, acting_user=None):
        """Point the chosen streets at this station and release the ones no longer chosen (audited)."""
        if "served_streets" not in self.cleaned_data:
            return
        from stations.services import set_served_streets

        set_served_streets(self.instance, self.cleaned_data["served_streets"], acting_user=acting_user)


class SWSUserCreationForm(forms.ModelForm):
    """Creating an account asks for its role and scope at once (the database requires them), and no
    password: nobody chooses another person's password. The new account gets an activation link
    (stations.accounts) with which its owner sets their own."""

    class Meta:
        model = User
        fields = ("username", "name", "role", "station", "district", "community")
        field_classes = {"username": UsernameField}

    def clean_username(self):
        username = self.cleaned_data.get("username")
        if username and User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("该用户名已被使用。"))
        return username

    def save(self, commit=True):
        user = super().save(commit=False)
        user.set_unusable_password()
        if commit:
            user.save()
            self.save_m2m()
        return user


class SWSUserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
