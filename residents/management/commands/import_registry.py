"""Import a station's 台账 (XLSX) from the command line, with progress: for administrators and scripts.

The page runs the same steps as a background job (residents.registry_import.jobs). The checks and the
writing are the page's (residents.registry_import): a dry run by default shows what would happen;
--commit writes everything in one transaction, or nothing when a row is refused.
"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from residents import registry_import
from stations.models import User


class Command(BaseCommand):
    help = "导入居民台账（XLSX）：默认试导入，--commit 才保存；--user 为导入人（决定可导入的社区范围）。"

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--user", required=True, help="导入人的用户名")
        parser.add_argument("--commit", action="store_true", help="保存（默认只试导入）")

    def handle(self, path, user, commit, **options):
        try:
            acting_user = User.objects.get(username=user)
        except User.DoesNotExist:
            raise CommandError(f"没有用户 {user}。") from None
        file = Path(path)
        try:
            plan = registry_import.plan_import(
                acting_user=acting_user,
                rows=registry_import.read_rows(file.read_bytes()),
                file_name=file.name,
                progress=lambda n: self.stdout.write(f"已检查 {n:,} 行…"),
            )
        except ValidationError as error:
            raise CommandError(error.messages[0]) from None
        self.stdout.write(
            f"共 {plan.total:,} 行：新登记 {len(plan.creates):,}，更新 {len(plan.updates):,}，"
            f"拒绝 {plan.refused_rows:,} 行。"
        )
        for error in plan.errors[:50]:
            self.stdout.write(str(error))
        if not commit:
            self.stdout.write("试导入：未保存任何数据（加 --commit 导入）。")
            return
        try:
            record = registry_import.commit_import(acting_user=acting_user, plan=plan)
        except ValidationError as error:
            raise CommandError(error.messages[0]) from None
        self.stdout.write(self.style.SUCCESS(f"已导入：{record}。"))
