from django.apps import AppConfig


class ResidentsConfig(AppConfig):
    name = "residents"
    verbose_name = "居民与诉求"

    def ready(self):
        from residents import checks  # noqa: F401  (registers the personal-data key check)
        from residents.models import Category
        from stations import reference

        reference.track(Category)  # the queue's category filter lists them

        from residents.auditing import street_scope_counts
        from stations.audit import count_street_scope

        count_street_scope(street_scope_counts)  # recorded when a street changes station

        # Ending an assignment in the admin warns about the worker's open requests (stations/services.py).
        from django.urls import reverse

        from residents import handover
        from stations import services as station_services

        def open_count(user_id, station_id):
            return sum(part.held(user_id, station_id).count() for part in handover.parts())

        station_services.register_handover(
            open_count=open_count,
            url=lambda assignment: reverse("residents:handover", args=[assignment.pk]),
        )
        # What a leaving worker hands over (residents.handover): her open requests and visit plans; the
        # casework app adds cases and case tasks.
        handover.register_part(
            handover.HandoverPart(
                key="requests",
                label="未办结诉求",
                held=handover.open_requests_held,
                hand_over=handover.hand_over_requests,
            )
        )
        handover.register_part(
            handover.HandoverPart(
                key="visit_plans",
                label="探访对象",
                held=handover.visit_plans_held,
                hand_over=handover.hand_over_visit_plans,
            )
        )
