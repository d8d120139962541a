"""Load the demo city: the real Tianjin hierarchy, 249 stations and their staff, accounts for every role,
residents and requests over `--history-days` (two years by default), and the stations' service work.

The demo app seeds each product app's part (`demo.stations`, `demo.residents`, `demo.projects`), in the
order the arrows point, one transaction per phase: a phase that fails leaves nothing half-saved and keeps
the phases before it. Each phase prints its name, its progress and its time, and what it added. Running
it again on a seeded database adds nothing twice.

`--dry-run` runs the same phases inside one transaction that is rolled back at the end, and prints what a
real run would create. Nothing is written (on PostgreSQL the id sequences the seeders draw from still
advance, as sequences do in any rolled-back transaction).
"""

import random
import time

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from demo import casework as casework_demo
from demo import evaluation as evaluation_demo
from demo import hotline as hotline_demo
from demo import notifications as notifications_demo
from demo import partners as partners_demo
from demo import projects as projects_demo
from demo import reports as reports_demo
from demo import residents as residents_demo
from demo import stations as stations_demo
from demo import transfers as transfers_demo
from demo import volunteers as volunteers_demo
from stations import reference
from sws.dashboards import rollup

PHASES = [
    ("stations", "区划、社工站、社工与账号", stations_demo),
    ("residents", "居民与诉求", residents_demo),
    ("projects", "服务项目与站点工作", projects_demo),
    ("casework", "个案管理（个案、督导签批）", casework_demo),
    ("volunteers", "志愿者、服务时长与聚类转项目", volunteers_demo),
    ("hotline", "12345热线工单", hotline_demo),
    ("reports", "月报报送与审核", reports_demo),
    ("evaluation", "考核评估（指标体系、服务合同、评估）", evaluation_demo),
    ("notifications", "站内消息", notifications_demo),
    ("partners", "五社联动（合作伙伴、转介回复、资源使用）", partners_demo),
    ("transfers", "站间转移", transfers_demo),
]
COUNTED_APPS = [
    "stations",
    "residents",
    "projects",
    "casework",
    "hotline",
    "sws",
    "notifications",
    "partners",
    "auth",
]


def row_counts():
    """Rows per model of the apps the demo writes to (one COUNT per table, whatever its size)."""
    return {
        model: model._default_manager.count()
        for label in COUNTED_APPS
        for model in apps.get_app_config(label).get_models()
    }


def added(before, after):
    return [(model, after[model] - before[model]) for model in after if after[model] != before[model]]


class Command(BaseCommand):
    help = (
        "载入演示数据：天津市真实区划、249个社工站及社工、各角色账号、居民诉求与站点工作。"
        "每个阶段一个事务；--dry-run 只演练，不写入数据库。"
    )

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
        parser.add_argument(
            "--visit-plans",
            type=int,
            default=None,
            help="residents in the visit programme (default a dozen per station; bench: 30%% of requests)",
        )
        parser.add_argument(
            "--backlog",
            type=int,
            default=1,
            help="a city falling behind: requests stall over this many times the usual 60 days, "
            "some untriaged (default 1; bench.run --scenario busy: 10)",
        )
        parser.add_argument("--random-seed", type=int, default=2023, help="seed for repeatable demo data")
        parser.add_argument(
            "--address",
            default=stations_demo.DEFAULT_ADDRESS,
            help="the [addr:]port runserver will serve (make demo's HOST), printed with the accounts",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="say what would be created, in a transaction rolled back at the end; change nothing",
        )

    def handle(self, *args, **options):
        if options["dry_run"]:
            self.stdout.write(
                self.style.WARNING("演练（--dry-run）：照常生成，结束时全部回滚，不写入数据库。")
            )
            with transaction.atomic():
                before = row_counts()
                self.seed(options)
                would_add = added(before, row_counts())
                transaction.set_rollback(True)
            self.stdout.write(self.style.MIGRATE_HEADING("== 演练结果：实际运行将新增"))
            self.write_counts(would_add, empty="  没有要新增的数据：演示数据已齐全。")
            self.stdout.write(self.style.SUCCESS("演练结束，已回滚，未写入数据库。"))
            return
        self.seed(options)
        reference.changed()  # the seeders write in bulk, which sends no signals (stations/reference.py)
        # Nor does the dashboards' daily rollup see bulk inserts: built once the data is in.
        started = time.monotonic()
        rows = rollup.rebuild()
        self.stdout.write(f"-- 日汇总：{rows:,} 行，用时 {time.monotonic() - started:.1f} s")
        stations_demo.print_accounts(options=options, out=self.stdout)

    def seed(self, options):
        rng = random.Random(options["random_seed"])
        started = time.monotonic()
        for number, (name, title, module) in enumerate(PHASES, start=1):
            self.stdout.write(self.style.MIGRATE_HEADING(f"== [{number}/{len(PHASES)}] {name}：{title}"))
            phase_started = time.monotonic()
            with transaction.atomic():
                before = row_counts()
                module.seed(options=options, rng=rng, out=self.stdout)
                phase_added = added(before, row_counts())
            self.write_counts(phase_added, empty="  未新增数据。")
            self.stdout.write(f"-- {name}：完成，用时 {time.monotonic() - phase_started:.1f} s")
        if options["dry_run"]:
            self.stdout.write(f"演练生成用时 {time.monotonic() - started:.0f} s。")
        else:
            self.stdout.write(self.style.SUCCESS(f"Demo ready in {time.monotonic() - started:.0f} s."))

    def write_counts(self, rows, *, empty):
        if not rows:
            self.stdout.write(empty)
        for model, count in rows:
            self.stdout.write(f"  {model._meta.verbose_name}：{count:+,}")
