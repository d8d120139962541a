"""Login and two-factor forms. Every error is in Chinese and none tells whether a username exists."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm

from sws.security.lockout import LOCKOUT_MESSAGE

INVALID_LOGIN = "用户名或密码不正确，请重新输入（区分大小写）。"


class LoginForm(AuthenticationForm):
    """Django's login form with one message for a wrong password, an unknown user and a disabled
    account alike (ModelBackend already refuses inactive users without saying so)."""

    error_messages = {
        "invalid_login": INVALID_LOGIN,
        "inactive": INVALID_LOGIN,
    }


class LockedOutLoginForm(LoginForm):
    """The login form shown to a locked username: empty fields and the lock message."""

    def non_field_errors(self):
        return self.error_class([LOCKOUT_MESSAGE], error_class="nonfield", renderer=self.renderer)


class TokenForm(forms.Form):
    token = forms.CharField(
        label="动态验证码",
        min_length=6,
        max_length=6,
        error_messages={
            "required": "请输入验证器上显示的6位数字。",
            "min_length": "验证码为6位数字。",
            "max_length": "验证码为6位数字。",
        },
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]{6}"}
        ),
    )

    def __init__(self, *args, device=None, **kwargs):
        self.device = device
        super().__init__(*args, **kwargs)

    def clean_token(self):
        token = "".join(self.cleaned_data["token"].split())
        if not token.isdigit():
            raise forms.ValidationError("验证码为6位数字。")
        if self.device is None:
            raise forms.ValidationError("尚未绑定验证器。")
        allowed, _ = self.device.verify_is_allowed()
        if not allowed:
            raise forms.ValidationError("验证码错误次数过多，请稍等片刻再试。")
        if not self.device.verify_token(token):
            raise forms.ValidationError("验证码不正确或已过期，请输入验证器上当前显示的验证码。")
        return token


class _AuditedPasswordMixin:
    """Saving records the password event in the audit trail and lifts a forced change."""

    password_event = "设置密码"

    def save(self, commit=True):
        user = super().save(commit=False)
        user._password_event = self.password_event
        user.must_change_password = False
        if commit:
            user.save()
        return user


class OwnPasswordChangeForm(_AuditedPasswordMixin, PasswordChangeForm):
    """A user changes their own password (the current one first)."""

    password_event = "本人修改密码"
    error_messages = {
        **PasswordChangeForm.error_messages,
        "password_incorrect": "当前密码不正确，请重新输入。",
        "password_mismatch": "两次输入的新密码不一致。",
    }


class LinkSetPasswordForm(_AuditedPasswordMixin, SetPasswordForm):
    """The user sets their own password from a one-time activation or reset link."""

    password_event = "本人通过激活/重置链接设置密码"
    error_messages = {**SetPasswordForm.error_messages, "password_mismatch": "两次输入的新密码不一致。"}


class EnrolmentForm(TokenForm):
    """Binding the first authenticator also needs the enrolment code an admin gave the user out of band
    (stations.accounts.issue_enrolment_code): a password alone never binds one."""

    enrolment_code = forms.CharField(
        label="绑定码",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text="首次绑定验证器时，请输入系统管理员当面或电话告知的8位绑定码。",
    )

    def __init__(self, *args, user=None, needs_code=False, **kwargs):
        self.user = user
        self.needs_code = needs_code
        super().__init__(*args, **kwargs)
        if needs_code:
            self.order_fields(["enrolment_code", "token"])  # cleaned first: a refused code spends no token
        else:
            del self.fields["enrolment_code"]

    def clean_token(self):
        if self.needs_code and "enrolment_code" in self.errors:
            raise forms.ValidationError("请先输入正确的绑定码。")
        return super().clean_token()

    def clean_enrolment_code(self):
        from stations.accounts import enrolment_code_valid

        code = self.cleaned_data.get("enrolment_code", "")
        if not code.strip():
            raise forms.ValidationError("请输入系统管理员告知的绑定码；如没有，请联系系统管理员。")
        if not enrolment_code_valid(self.user, code):
            raise forms.ValidationError("绑定码不正确或已过期，请联系系统管理员重新生成。")
        return code
