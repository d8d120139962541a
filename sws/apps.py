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
        _keep_rollup()


def _keep_rollup():
    """The daily rollup follows every write of what it counts (sws/dashboards/rollup.py): the workflow's
    updates (and residents moved, for their visits) send `stations.figures.days_changed`, streets handed
    to another station `stations_changed` (every day of those stations recounted); requests saved or
    deleted, activities, resources and casework service records saved (old and new date and station) or
    deleted, visits recorded or deleted, and communities or streets given to another station, through the
    model signals."""
    from django.db.models.signals import post_delete, post_save, pre_save

    from casework.models import ServiceRecord
    from projects.models import Activity, Resource
    from residents.models import Request, Visit
    from stations import figures
    from stations.models import Community, Street
    from sws.dashboards import rollup

    figures.days_changed.connect(_days_changed, dispatch_uid="sws-rollup-days")
    figures.stations_changed.connect(_stations_changed, dispatch_uid="sws-rollup-stations")
    post_save.connect(_request_saved, sender=Request, dispatch_uid="sws-rollup-request-saved")
    post_delete.connect(_request_saved, sender=Request, dispatch_uid="sws-rollup-request-deleted")
    for model in (Activity, Resource, ServiceRecord):
        uid = f"sws-rollup-{model._meta.label_lower}"
        pre_save.connect(rollup.remember_dated, sender=model, dispatch_uid=f"{uid}-pre")
        post_save.connect(rollup.dated_saved, sender=model, dispatch_uid=f"{uid}-saved")
        post_delete.connect(rollup.dated_saved, sender=model, dispatch_uid=f"{uid}-deleted")
    post_save.connect(rollup.visit_saved, sender=Visit, dispatch_uid="sws-rollup-visit-saved")
    post_delete.connect(rollup.visit_saved, sender=Visit, dispatch_uid="sws-rollup-visit-deleted")
    for model in (Community, Street):
        uid = f"sws-rollup-{model._meta.label_lower}"
        pre_save.connect(rollup.remember_station, sender=model, dispatch_uid=f"{uid}-pre")
        post_save.connect(rollup.station_changed, sender=model, dispatch_uid=f"{uid}-saved")


def _days_changed(sender, pairs, **kwargs):
    from sws.dashboards import rollup

    rollup.touch(pairs)


def _stations_changed(sender, station_ids, **kwargs):
    from sws.dashboards import rollup

    rollup.restate(station_ids)


def _request_saved(sender, instance, **kwargs):
    from sws.dashboards import rollup

    rollup.touch(instance.figure_days())


def _may_attach(user, report) -> bool:
    """Whoever submits the report (a station's head, the district centre) while it can still be
    submitted; the city's report, which is not submitted, the municipal centre until it approves it."""
    if report.pk is None:
        return False
    if report.level == report.Level.CITY:
        return report.status != report.Status.APPROVED and report.may_review(user)
    return report.status in report.SUBMITTABLE and report.may_submit(user)
