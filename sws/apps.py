from django.apps import AppConfig


class SwsConfig(AppConfig):
    name = "sws"
    verbose_name = "统计、月报与考核评估"

    def ready(self):
        from attachments import registry
        from sws.evaluation import rules
        from sws.models import Evaluation, MonthlyReport

        # A station's monthly report carries its supporting files (photos, minutes); a district's or the
        # city's has no station to keep them under, so only station reports take attachments.
        registry.register(
            MonthlyReport,
            can_attach=_may_attach,
            station=lambda report: report.station_id,
            kinds=["photo", "document", "other"],
        )
        # An evaluation's evidence (评估佐证): read by whoever sees the evaluation (its evaluators too),
        # added by whoever may score it or, while answering, by the station's head.
        registry.register(
            Evaluation,
            can_attach=lambda user, ev: rules.may_score(user, ev) or rules.may_respond(user, ev),
            kinds=["document", "photo", "other"],
            evaluator_reads=True,
        )


def _may_attach(user, report) -> bool:
    """The station's head while the report can still be submitted."""
    return (
        report.level == report.Level.STATION
        and report.pk is not None
        and report.status in report.SUBMITTABLE
        and report.may_submit(user)
    )
