"""Each user's choice, per event their role hears: inbox only, inbox + SMS, or the daily digest."""

import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction

from notifications.events import Event, Mode, default_mode, events_for_role, modes_for
from notifications.inbox import Preference

MOBILE = re.compile(r"^1[3-9]\d{9}$")


class PreferencesForm(forms.Form):
    phone = forms.CharField(
        label="接收短信的手机号",
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
        error_messages={"max_length": "请填写11位手机号。"},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.events = events_for_role(user.role)
        chosen = dict(Preference.objects.filter(user=user).values_list("event", "mode"))
        for event in self.events:
            self.fields[f"event_{event}"] = forms.ChoiceField(
                label=Event(event).label,
                choices=modes_for(event),
                initial=chosen.get(event, default_mode(event)),
                widget=forms.RadioSelect,
                error_messages={"required": "请选择接收方式。", "invalid_choice": "请选择列表中的接收方式。"},
            )
        self.fields["phone"].initial = user.phone

    def event_fields(self):
        return [self[f"event_{event}"] for event in self.events]

    def clean_phone(self):
        value = (
            unicodedata.normalize("NFKC", self.cleaned_data["phone"])
            .strip()
            .replace(" ", "")
            .replace("-", "")
        )
        if value and not MOBILE.match(value):
            raise ValidationError("请填写11位手机号。")
        return value

    def clean(self):
        cleaned = super().clean()
        if not self.events:
            raise ValidationError("您的角色暂无可设置的消息类型。")
        wants_sms = any(cleaned.get(f"event_{event}") == Mode.SMS for event in self.events)
        if wants_sms and "phone" in cleaned and not cleaned["phone"]:
            self.add_error("phone", "选择了短信提醒，请填写接收短信的手机号。")
        return cleaned

    def save(self):
        user = self.user
        with transaction.atomic():
            for event in self.events:
                Preference.objects.update_or_create(
                    user=user, event=event, defaults={"mode": self.cleaned_data[f"event_{event}"]}
                )
            if self.cleaned_data["phone"] != user.phone:
                user.phone = self.cleaned_data["phone"]
                user.save(update_fields=["phone"])
