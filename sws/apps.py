from django.apps import AppConfig


class SwsConfig(AppConfig):
    name = "sws"
    verbose_name = "统计与月报"

    def ready(self):
        from attachments import registry
        from sws.models import MonthlyReport

        # A station's monthly report carries its supporting files (photos, minutes); a district's or the
        # city's has no station to keep them under, so only station reports take attachments.
        registry.register(
            MonthlyReport,
            can_attach=_may_attach,
            station=lambda report: report.station_id,
            kinds=["photo", "document", "other"],
        )


def _may_attach(user, report) -> bool:
    """The station's head while the report can still be submitted."""
    return (
        report.level == report.Level.STATION
        and report.pk is not None
        and report.status in report.SUBMITTABLE
        and report.may_submit(user)
    )
