"""Time a 50,000-row registry import (issue #20: "50,000 rows import in under a minute on PostgreSQL").

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sws_bench_import .venv/bin/python -m bench.registry_import

Migrates the database of DATABASE_URL (a scratch one: the import is rolled back afterwards), builds one
station with three communities and a worker, writes an XLSX of --rows rows in the template's layout (every
row with a valid ID number; one in five in a household of two; half with a support status), then times
the page's path: the background job (residents.registry_import.jobs) of a dry run, then the import of
the checked file (read and checked again, then written), each run by the task's body in this process,
progress writes included.
"""

import argparse
import datetime
import io
import os
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

import openpyxl  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from residents import registry_import as ri  # noqa: E402
from residents.models import Resident  # noqa: E402
from residents.registry_import import jobs  # noqa: E402
from residents.validators import id_check_char  # noqa: E402
from stations.models import User  # noqa: E402
from tests import factories as f  # noqa: E402


def workbook(rows: int) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append([header for _k, header, _e, _h in ri.COLUMNS])
    communities = ["朝阳里社区", "旭日里社区", "新华里社区"]
    born = datetime.date(1930, 1, 1)
    for i in range(rows):
        day = born + datetime.timedelta(days=i % 20000)
        first17 = f"120113{day:%Y%m%d}{i // 20000:03d}"
        household = f"H{i // 2}" if i % 10 < 2 else ""
        values = {
            "name": f"居民{i}",
            "id_number": first17 + id_check_char(first17),
            "phone": f"139{i:08d}",
            "community": communities[(i // 2) % 3],
            "address": f"{i % 40}号楼{i % 6}门{i % 30 + 100}",
            "household": household,
            "relation": ("户主" if i % 2 == 0 else "配偶") if household else "",
            "statuses": "独居、低保" if i % 2 else "",
            "status_start": "2024-01-01" if i % 2 else "",
        }
        sheet.append([values.get(key, "") for key, _h, _e, _x in ri.COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    data = workbook(args.rows)
    print(f"file: {args.rows:,} rows, {len(data) / 1e6:.1f} MB")
    with transaction.atomic():
        district = f.make_district("120113000000", "北辰区")
        street = f.make_street("120113001000", "果园新村街道", district)
        station = f.make_station(street)
        for code, name in (
            ("120113001009", "朝阳里社区居委会"),
            ("120113001014", "旭日里社区居委会"),
            ("120113001018", "新华里社区居委会"),
        ):
            f.make_community(code, name, street)
        user = f.make_user("bench-import", User.Role.STATION_HEAD, station=station, name="徐芃泽")
        before = Resident.objects.count()
        job = jobs.start_import(acting_user=user, file_name="bench.xlsx", data=data, commit=False)
        started = time.perf_counter()
        assert jobs.run_import(job.pk) == "done"
        checked = time.perf_counter()
        job.refresh_from_db()
        assert job.result["ok"], job.result["errors"][:5]
        jobs.commit_checked(acting_user=user, job=job)
        assert jobs.run_import(job.pk) == "done"
        done = time.perf_counter()
        job.refresh_from_db()
        assert Resident.objects.count() - before == args.rows == job.record.created
        print(f"dry run job (read + check, progress written every 1,000 rows): {checked - started:.1f} s")
        print(f"import job (read + check again + write): {done - checked:.1f} s")
        print(f"total: {done - started:.1f} s for {job.record}")
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
