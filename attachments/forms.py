"""The upload form: a photo from the phone's camera, or a file (one of the two)."""

from django import forms

from attachments.models import Attachment
from attachments.validation import ACCEPT, max_bytes


class UploadForm(forms.Form):
    photo = forms.FileField(
        label="拍照上传",
        required=False,
        # capture: a phone opens its camera app (no camera permission needed by the page); a PC ignores it.
        widget=forms.FileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    file = forms.FileField(
        label="选择文件",
        required=False,
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
    )
    kind = forms.ChoiceField(label="类别", required=False)
    caption = forms.CharField(label="说明", required=False, max_length=200)

    def __init__(self, *args, kinds=(), prefix="attachment", **kwargs):
        super().__init__(*args, prefix=prefix, **kwargs)
        offered = [(value, label) for value, label in Attachment.Kind.choices if not kinds or value in kinds]
        self.fields["kind"].choices = [("", "—")] + offered
        limit = max_bytes() // (1024 * 1024)
        self.fields["file"].help_text = f"JPEG、PNG、PDF、Word（.docx）、Excel（.xlsx），不超过 {limit} MB。"
        self.fields["photo"].help_text = "用手机拍照；照片中的拍摄地点等信息会被去除。"

    def clean(self):
        cleaned = super().clean()
        photo, file = cleaned.get("photo"), cleaned.get("file")
        if photo and file:
            raise forms.ValidationError("一次只能上传一个文件：请只拍照，或只选择文件。")
        if not photo and not file and not self.errors:
            raise forms.ValidationError("请拍照或选择一个文件。")
        cleaned["upload"] = photo or file
        return cleaned

    def upload_field(self) -> str:
        return "photo" if self.cleaned_data.get("photo") else "file"
