from django.apps import AppConfig


class SwsConfig(AppConfig):
    name = "sws"
    verbose_name = "SWS"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from attachments import registry
        from sws.evaluation import rules
        from sws.models.evaluation import Evaluation

        # An evaluation's evidence (评估佐证): read by whoever sees the evaluation (its evaluators too),
        # added by whoever may score it or, while answering, by the station's head.
        registry.register(
            Evaluation,
            can_attach=lambda user, ev: rules.may_score(user, ev) or rules.may_respond(user, ev),
            kinds=["document", "photo", "other"],
            evaluator_reads=True,
        )
