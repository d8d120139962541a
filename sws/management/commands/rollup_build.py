"""Build the daily per-station rollup from scratch (sws/dashboards/rollup.py): for an existing database
after migrating to sws 0006, after a bulk load that bypassed the model signals, or to check it. The
dashboards stay right while it runs (the months not built yet are counted live)."""

import time

from django.core.management.base import BaseCommand

from sws.dashboards import rollup


class Command(BaseCommand):
    help = "从头生成社工站日汇总（看板、月报的可加总指标），逐月显示进度。"

    def handle(self, *args, **options):
        started = time.monotonic()

        def progress(month, rows):
            self.stdout.write(f"  {month:%Y-%m}：{rows:,} 行（{time.monotonic() - started:.1f} s）")

        written = rollup.rebuild(progress=progress)
        self.stdout.write(
            self.style.SUCCESS(
                f"日汇总已生成：{written:,} 行，截至 {rollup.rolled_through() or '—'}，"
                f"用时 {time.monotonic() - started:.1f} s。"
            )
        )
