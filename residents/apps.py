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

        from residents.services import open_requests_held
        from stations import services as station_services

        station_services.register_handover(
            open_count=lambda user_id, station_id: open_requests_held(user_id, station_id).count(),
            url=lambda assignment: reverse("residents:handover", args=[assignment.pk]),
        )
