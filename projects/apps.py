from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "服务项目"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from attachments import registry
        from projects.forms_volunteers import VisitHoursRows
        from residents.panels import register_visit_rows

        register_visit_rows(VisitHoursRows)
        from projects.models import Activity, AnnualPlan, FundEntry, Project, plans_changed

        # Photos and sign-in sheets of activities, receipts of fund entries, a project's documents
        # (attachments: scope and the object rules of the record decide, registry's defaults).
        registry.register(Activity, kinds=["photo", "sign_in", "document", "other"])
        registry.register(
            FundEntry, station=lambda entry: entry.fund.station_id, kinds=["receipt", "document", "other"]
        )
        registry.register(Project, kinds=["photo", "sign_in", "document", "other"])

        # The reviewers' count of plans waiting (projects.models.pending_plan_count) is built again.
        def changed(**kwargs):
            plans_changed()

        post_save.connect(changed, sender=AnnualPlan, dispatch_uid="projects.plans_changed", weak=False)
        post_delete.connect(changed, sender=AnnualPlan, dispatch_uid="projects.plans_changed", weak=False)
