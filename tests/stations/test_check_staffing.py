"""`manage.py check_staffing` lists the non-compliant stations with what is wrong."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests import factories as f

D = datetime.date
TODAY = "2025-01-10"


def run(*args):
    out = StringIO()
    call_command("check_staffing", "--date", TODAY, *args, stdout=out)  # returns: exit status 0
    return out.getvalue()


@pytest.fixture
def city(guoyuan, jixianli, guangkai):
    """果园新村 compliant; 集贤里 one uncertified worker; 广开 a colleague whose deadline is near."""
    head = f.make_user("xupengze", "station_head", station=guoyuan, name="徐芃泽")
    f.make_assignment(head, guoyuan, start_date=D(2023, 1, 10), is_head=True)
    f.make_certificate(head)
    colleague = f.make_user("st-120113001-2", "station_worker", station=guoyuan, name="李静")
    f.make_assignment(colleague, guoyuan, start_date=D(2023, 1, 10))
    f.make_certificate(colleague, issued_on=D(2024, 5, 1))

    lone = f.make_user("st-120113002-1", "station_head", station=jixianli, name="王海")
    f.make_assignment(lone, jixianli, start_date=D(2022, 3, 1), is_head=True)

    far = f.make_user("st-120104004-1", "station_head", station=guangkai, name="赵丽")
    f.make_assignment(far, guangkai, start_date=D(2021, 10, 1), is_head=True)
    f.make_certificate(far)
    newcomer = f.make_user("st-120104004-2", "station_worker", station=guangkai, name="孙倩")
    f.make_assignment(newcomer, guangkai, start_date=D(2023, 3, 1))  # deadline 2025-03-01: 50 days
    return guoyuan, jixianli, guangkai


def test_lists_non_compliant_stations_with_their_issues(city):
    guoyuan, jixianli, guangkai = city
    output = run()
    assert "全市人员配置检查（截至 2025-01-10）：3 个社工站，2 个不达标。" in output
    assert guoyuan.name not in output
    assert (
        f"120113002  {jixianli.name}  在岗 1 人，持证 0 人：驻站社工不足两人；无持证社工；"
        "持证期限已过（2024-03-01，已过 315 天）"
    ) in output
    assert (
        f"120104004  {guangkai.name}  在岗 2 人，持证 1 人：持证期限临近（2025-03-01，还剩 50 天）" in output
    )
    assert "合计：驻站社工不足两人 1，无持证社工 1，持证期限已过 1，持证期限临近 1。" in output


def test_district_option_limits_the_check(city):
    guoyuan, jixianli, guangkai = city
    output = run("--district", "120104")
    assert output.startswith("南开区人员配置检查")
    assert guangkai.name in output and jixianli.name not in output
    assert run("--district", "120113000000").count("社工站  在岗") == 1
    assert run("--district", "南开区") == output


def test_all_compliant_says_so(guoyuan):
    for username, name in [("xupengze", "徐芃泽"), ("st-120113001-2", "李静")]:
        user = f.make_user(username, "station_worker", station=guoyuan, name=name)
        f.make_assignment(user, guoyuan, start_date=D(2023, 1, 10))
        f.make_certificate(user)
    output = run()
    assert "1 个社工站，0 个不达标" in output and "全部达标" in output


def test_unknown_district_is_an_error(city):
    with pytest.raises(CommandError, match="没有区划代码为 999999000000 的区"):
        run("--district", "999999")
    with pytest.raises(CommandError, match="没有名为“东城区”的区"):
        run("--district", "东城区")
