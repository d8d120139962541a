from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "服务项目"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from projects.models import AnnualPlan, plans_changed

        # The reviewers' count of plans waiting (projects.models.pending_plan_count) is built again.
        def changed(**kwargs):
            plans_changed()

        post_save.connect(changed, sender=AnnualPlan, dispatch_uid="projects.plans_changed", weak=False)
        post_delete.connect(changed, sender=AnnualPlan, dispatch_uid="projects.plans_changed", weak=False)
