"""Remove stored attachment files that no record names (a caller's transaction rolled back after the
file was written). Safe to run any time: files younger than an hour are left alone."""

from django.core.management.base import BaseCommand

from attachments.services import sweep_orphans


class Command(BaseCommand):
    help = "删除没有附件记录对应的存储文件（上传后事务回滚留下的文件，一小时以前的）。"

    def handle(self, *args, **options):
        deleted = sweep_orphans()
        self.stdout.write(f"已删除 {len(deleted)} 个无记录的附件文件。")
