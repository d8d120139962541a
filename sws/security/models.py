"""The login guard: one row per username tried, locked while that username's password is checked, so
that concurrent logins for one username take turns (sws.security.lockout.LockoutBackend)."""

from django.db import models


class LoginGuard(models.Model):
    username = models.CharField("用户名", max_length=255, primary_key=True)

    class Meta:
        verbose_name = "登录互斥锁"
        verbose_name_plural = "登录互斥锁"

    def __str__(self):
        return self.username

    @classmethod
    def hold(cls, username: str) -> None:
        """Inside a transaction: wait for, then hold until commit, the right to check `username`'s
        password. On PostgreSQL a row lock; SQLite has one writer at a time, which the insert takes."""
        cls.objects.bulk_create([cls(username=username)], ignore_conflicts=True)
        list(cls.objects.select_for_update().filter(username=username).values_list("pk", flat=True))
