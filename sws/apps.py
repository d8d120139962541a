from django.apps import AppConfig


class SwsConfig(AppConfig):
    name = "sws"
    verbose_name = "统计、月报与考核评估"

    def ready(self):
        from attachments import registry
        from sws.evaluation import rules
        from sws.models import Evaluation, MonthlyReport

        # Every monthly report carries its supporting files (photos, minutes), read by whoever reads the
        # report: a station's kept under its station, a district's under its district, the city's under
        # neither (the city's users only).
        registry.register(
            MonthlyReport,
            can_attach=_may_attach,
            station=lambda report: report.station_id,
            district=lambda report: report.district_id,
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
    """Whoever submits the report (a station's head, the district centre) while it can still be
    submitted; the city's report, which is not submitted, the municipal centre until it approves it."""
    if report.pk is None:
        return False
    if report.level == report.Level.CITY:
        return report.status != report.Status.APPROVED and report.may_review(user)
    return report.status in report.SUBMITTABLE and report.may_submit(user)
