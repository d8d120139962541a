"""More of the city for the stations tests: extra stations with communities, staff and certificates."""

import datetime

from django.contrib.auth.models import Group

from stations import groups
from stations.models import Operator, Street, User
from tests import factories as f


def grow(district, n, first_street=50, communities=4):
    """Add `n` stations in `district`, each with a street, communities (one with a workroom), a certified
    head, an uncertified colleague and a former worker: more rows of every kind a page shows."""
    stations = []
    for i in range(first_street, first_street + n):
        street = f.make_street(
            f"{district.code[:6]}{i:03d}000", f"测试{i}街道", district, kind=Street.Kind.ZHEN
        )
        operator, _ = Operator.objects.get_or_create(name=f"测试社会工作服务中心{i % 3}")
        station = f.make_station(
            street, founded_on=datetime.date(2022, 1, 1), phone="022-26390000", operator=operator
        )
        for j in range(1, communities + 1):
            f.make_community(
                f"{street.code[:9]}{j:03d}",
                f"测试{i}-{j}社区居委会",
                street,
                workroom_opened_on=datetime.date(2022, 6, 1) if j == 1 else None,
            )
        head = f.make_user(role=User.Role.STATION_HEAD, station=station, name=f"站长{i}")
        f.make_assignment(head, station, start_date=datetime.date(2022, 1, 1), is_head=True)
        f.make_certificate(head)
        f.make_certificate(head, level="social_worker", issued_on=datetime.date(2024, 1, 1))
        worker = f.make_user(role=User.Role.STATION_WORKER, station=station, name=f"社工{i}")
        f.make_assignment(worker, station, start_date=datetime.date(2024, 9, 1))
        former = f.make_user(role=User.Role.STATION_WORKER, station=station, name=f"前任{i}")
        f.make_assignment(
            former, station, start_date=datetime.date(2022, 1, 1), end_date=datetime.date(2024, 8, 31)
        )
        stations.append(station)
    return stations


def make_staff(user, group_name=groups.DISTRICT_GROUP):
    """Give `user` admin access with the demo's group for their role."""
    groups.ensure_groups()
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get(name=group_name))
    return user
