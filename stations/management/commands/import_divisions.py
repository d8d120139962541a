"""Load or refresh the city's hierarchy from the statistical division codes.

Why a command: the hierarchy is reference data that every station, resident and request hangs off. It
ships with the project (stations/data/tianjin_divisions.csv.gz) so a fresh clone works offline, and a
newer NBS release can be applied the same way: matched by code, renamed divisions are updated, nothing
is deleted, and the whole file goes in or nothing does.
"""

from django.core.management.base import BaseCommand, CommandError

from stations.divisions import DEFAULT_FILE, DivisionFileError, import_divisions


class Command(BaseCommand):
    help = "导入天津市区划（市、区、街道乡镇、社区村），按区划代码对齐：可重复运行，更名会更新，不删除。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--file", default=str(DEFAULT_FILE), help="CSV file, optionally gzip-compressed (.gz)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report the changes, then roll them back"
        )

    def handle(self, *args, **options):
        try:
            results = import_divisions(options["file"], dry_run=options["dry_run"], out=self.stdout)
        except FileNotFoundError as exc:
            raise CommandError(f"找不到文件：{options['file']}") from exc
        except DivisionFileError as exc:
            shown = "\n".join(exc.errors[:50])
            more = f"\n…… 共 {len(exc.errors)} 处错误" if len(exc.errors) > 50 else ""
            raise CommandError(f"区划文件未导入（没有写入任何数据）：\n{shown}{more}") from exc
        changed = sum(r.changed for r in results)
        total = sum(r.total for r in results)
        if options["dry_run"]:
            self.stdout.write(self.style.WARNING(f"试运行：将变更 {changed:,} 条，已回滚，未写入数据库。"))
        elif changed:
            self.stdout.write(self.style.SUCCESS(f"完成：{total:,} 条区划，变更 {changed:,} 条。"))
        else:
            self.stdout.write(self.style.SUCCESS(f"没有变化：{total:,} 条区划均已是最新。"))
