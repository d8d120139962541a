"""Load the demo city: the real Tianjin hierarchy, 249 stations and their staff, accounts for every role,
residents and requests over `--history-days` (two years by default), and the stations' service work.

Each app seeds its own part (`demo.stations`, `demo.residents`, `demo.projects`), in the order the arrows
point. Running it again on a seeded database adds nothing twice.
"""

import random
import time

from django.core.management.base import BaseCommand
from django.db import transaction

from demo import projects as projects_demo
from demo import residents as residents_demo
from demo import stations as stations_demo
from stations import reference


class Command(BaseCommand):
    help = "载入演示数据：天津市真实区划、249个社工站及社工、各角色账号、居民诉求与站点工作。"

    def add_arguments(self, parser):
        parser.add_argument("--password", default="sws-demo-2026", help="every demo account's password")
        parser.add_argument(
            "--requests",
            type=int,
            default=20000,
            help="how many requests to generate (default 20,000: a few a month for each station)",
        )
        parser.add_argument(
            "--history-days",
            type=int,
            default=730,
            help="how many days of casework the requests are spread over (default two years)",
        )
        parser.add_argument("--random-seed", type=int, default=2023, help="seed for repeatable demo data")
        parser.add_argument(
            "--address",
            default=stations_demo.DEFAULT_ADDRESS,
            help="the [addr:]port runserver will serve (make demo's HOST), printed with the accounts",
        )

    def handle(self, *args, **options):
        rng = random.Random(options["random_seed"])
        started = time.monotonic()
        for label, module in [
            ("stations", stations_demo),
            ("residents", residents_demo),
            ("projects", projects_demo),
        ]:
            self.stdout.write(self.style.MIGRATE_HEADING(f"== {label}"))
            with transaction.atomic():
                module.seed(options=options, rng=rng, out=self.stdout)
        reference.changed()  # the seeders write in bulk, which sends no signals (stations/reference.py)
        self.stdout.write(self.style.SUCCESS(f"Demo ready in {time.monotonic() - started:.0f} s."))
        stations_demo.print_accounts(options=options, out=self.stdout)
