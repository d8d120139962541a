"""The assessment form (预估): overall risk, needs, and each domain's findings and rating."""

from django import forms

from casework.models import AssessmentDomain, Case
from casework.services.assessment import REQUIRED_DOMAINS
from stations.locking import VersionField

RATINGS = [("", "—"), *[(str(n), f"{n}") for n in range(1, 6)]]
RATING_HELP = "1 严重 … 5 无问题"


class AssessmentForm(forms.Form):
    version = VersionField(min_value=1)
    overall_risk = forms.ChoiceField(label="综合风险等级", choices=Case.Risk.choices)
    needs = forms.CharField(
        label="需求清单",
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="每行一项需求。",
    )
    summary = forms.CharField(
        label="预估小结", max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, assessment, **kwargs):
        initial = {
            "version": assessment.version,
            "overall_risk": assessment.overall_risk,
            "needs": assessment.needs,
            "summary": assessment.summary,
        }
        for domain in assessment.domains.all():
            initial[f"{domain.domain}_findings"] = domain.findings
            initial[f"{domain.domain}_rating"] = str(domain.rating)
        super().__init__(*args, initial=initial, **kwargs)
        for value, label in AssessmentDomain.Domain.choices:
            required = value in REQUIRED_DOMAINS
            self.fields[f"{value}_findings"] = forms.CharField(
                label=f"{label}：发现" + ("" if required else "（如适用）"),
                max_length=2000,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"{value}_rating"] = forms.ChoiceField(
                label=f"{label}：评分", choices=RATINGS, required=False, help_text=RATING_HELP
            )

    def domain_rows(self):
        """(label, findings field, rating field) per domain, for the template."""
        return [
            (label, self[f"{value}_findings"], self[f"{value}_rating"])
            for value, label in AssessmentDomain.Domain.choices
        ]

    def service_fields(self) -> dict:
        data = self.cleaned_data
        domains = {
            value: (data.get(f"{value}_findings", ""), data.get(f"{value}_rating") or None)
            for value in AssessmentDomain.Domain.values
        }
        return {
            "overall_risk": data["overall_risk"],
            "needs": data["needs"],
            "summary": data["summary"],
            "domains": domains,
            "version": data["version"],
        }
