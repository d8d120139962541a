"""Print a one-time enrolment code for a user's first authenticator (valid 3 days).

For the first administrator, whom no admin can give a code in the admin yet: whoever runs this has the
server, which is the out-of-band step. Everyone else gets theirs from an admin (用户 → 密码与验证器)."""

from django.core.management.base import BaseCommand, CommandError

from stations.accounts import set_enrolment_code
from stations.models import User


class Command(BaseCommand):
    help = "为用户生成首次绑定验证器所需的一次性绑定码（3天内有效）。"

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"没有用户名为 {username} 的用户。")
        self.stdout.write(set_enrolment_code(user))
