"""Fail fast when the demo's port is taken, before `make demo` migrates and re-seeds anything.

`make demo` runs this first: on a busy port, runserver would fail only after the seeder had reset every
demo account's password. Binding is tried the way runserver binds (address reuse on), so a port that is
only in TIME_WAIT passes and a port another server listens on does not.
"""

import errno
import socket

from django.core.management.base import BaseCommand, CommandError

from demo.stations import browser_address, split_address


class Command(BaseCommand):
    help = "检查演示服务器的地址和端口是否可用（make demo 在载入演示数据之前运行）。"

    def add_arguments(self, parser):
        parser.add_argument("address", nargs="?", default=None, help="[addr:]port, as for runserver")

    def handle(self, *args, address=None, **options):
        host, port = split_address(address)
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError as exc:
                shown = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
                suggestion = f"[{host}]:{port + 1}" if ":" in host else f"{host}:{port + 1}"
                reason = "已被占用" if exc.errno == errno.EADDRINUSE else f"无法使用（{exc.strerror}）"
                raise CommandError(
                    f"地址 {shown} {reason}：演示服务器无法启动，演示数据和密码均未改动。"
                    f"请先关闭占用该端口的程序，或换一个端口，例如：HOST={suggestion} make demo"
                ) from exc
        self.stdout.write(f"演示服务器地址：{browser_address(address)}/")
