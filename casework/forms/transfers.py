"""The receiving head's answer to a case's transfer; the proposal uses residents' ProposeTransferForm."""

from residents.fields import BoundedModelChoiceField
from residents.forms_transfers import DecideTransferForm


class DecideCaseTransferForm(DecideTransferForm):
    lead_worker = BoundedModelChoiceField(
        label="接收后主责社工",
        queryset=None,
        required=False,
        empty_label="请选择本站社工",
        error_messages={"invalid_choice": "请选择本站在岗的社工担任主责社工。"},
    )
    field_order = ["decision", "lead_worker", "community", "note"]

    def __init__(self, *args, workers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_worker"].queryset = workers
        self.fields["community"].label = "服务对象接收后所属社区"

    def clean(self):
        data = super().clean()
        if data.get("decision") == "accept" and not data.get("lead_worker"):
            self.add_error("lead_worker", "接收时请指定主责社工。")
        return data
