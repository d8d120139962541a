from django.apps import AppConfig


class BenchHelpdeskConfig(AppConfig):
    # Not "helpdesk": that label is django-helpdesk's own.
    name = "bench.helpdesk"
    label = "bench_helpdesk"
