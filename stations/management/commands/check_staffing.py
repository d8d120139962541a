"""List the stations whose staffing breaks the rules, with what is wrong.

Why: each station must have two resident workers, at least one certified, and the other certified
within two years of joining. District centres run this before their monthly check; it reads only and
always exits 0 (a report, not a test), so it can run from cron and mail its output.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from stations.models import ComplianceIssue, District, Station


class Command(BaseCommand):
    help = "列出人员配置不达标的社工站（不足两人、无持证社工、持证期限临近或已过）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--district", metavar="CODE", help="only this district: 6- or 12-digit code, or its name (北辰区)"
        )
        parser.add_argument(
            "--date",
            type=datetime.date.fromisoformat,
            help="check as of this day (YYYY-MM-DD); default today",
        )

    def handle(self, *args, **options):
        today = options["date"] or timezone.localdate()
        stations = Station.objects.all()
        scope = "全市"
        if options["district"]:
            district = self._district(options["district"])
            stations = stations.filter(district=district)
            scope = district.name
        total = stations.count()
        rows = list(
            stations.non_compliant(today).select_related("district").order_by("district__code", "code")
        )

        self.stdout.write(
            f"{scope}人员配置检查（截至 {today:%Y-%m-%d}）：{total} 个社工站，{len(rows)} 个不达标。"
        )
        counts = dict.fromkeys(ComplianceIssue, 0)
        for station in rows:
            flags = station.compliance_flags(today)
            for flag in flags:
                counts[flag] += 1
            problems = "；".join(self._describe(station, flag, today) for flag in flags)
            self.stdout.write(
                f"{station.code}  {station.name}  在岗 {station.active_workers} 人，"
                f"持证 {station.certified_workers} 人：{problems}"
            )
        if rows:
            summary = "，".join(f"{issue.label} {counts[issue]}" for issue in ComplianceIssue)
            self.stdout.write(f"合计：{summary}。")
        else:
            self.stdout.write(self.style.SUCCESS("全部达标。"))

    def _district(self, value):
        value = value.strip()
        if not value.isdigit():  # a name, as people say it: 北辰区
            district = District.objects.filter(name=value).first()
            if district is None:
                raise CommandError(f"没有名为“{value}”的区。")
            return district
        code = value + "000000" if len(value) == 6 else value
        try:
            return District.objects.get(code=code)
        except District.DoesNotExist:
            raise CommandError(f"没有区划代码为 {code} 的区。") from None

    @staticmethod
    def _describe(station, flag, today):
        deadline = station.certification_deadline
        if flag == ComplianceIssue.DEADLINE_NEAR:
            return f"{flag.label}（{deadline:%Y-%m-%d}，还剩 {(deadline - today).days} 天）"
        if flag == ComplianceIssue.DEADLINE_PASSED:
            return f"{flag.label}（{deadline:%Y-%m-%d}，已过 {(today - deadline).days} 天）"
        return str(flag.label)
