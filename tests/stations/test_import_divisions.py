"""`manage.py import_divisions`: the shipped file gives the city's counts; re-runs change nothing."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from stations.models import Community, District, Municipality, Street

HEADER = "code,name,level,parent_code,street_kind,community_kind\n"
SMALL = (
    HEADER
    + "120000000000,天津市,municipality,,,\n"
    + "120113000000,北辰区,district,120000000000,,\n"
    + "120113001000,果园新村街道,street,120113000000,街道,\n"
    + "120113001009,朝阳里社区居委会,community,120113001000,,社区\n"
    + "120113106000,宜兴埠镇,street,120113000000,镇,\n"
    + "120113106201,第一街委员会,community,120113106000,,other\n"
    + "120113400000,天津北辰经济技术开发区,street,120113000000,other,\n"
    + "120113400498,北辰经济技术开发区虚拟社区,community,120113400000,,other\n"
)


def run(*args):
    out = StringIO()
    call_command("import_divisions", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def small_file(tmp_path):
    path = tmp_path / "divisions.csv"
    path.write_text(SMALL, encoding="utf-8")
    return path


def test_shipped_file_gives_the_city_and_a_second_run_changes_nothing(db, django_assert_max_num_queries):
    # Bulk: a few queries per level, not one per row (5,933 rows).
    with django_assert_max_num_queries(60):
        first = run()
    assert "社区（村）：5,617 条，新增 5,617" in first

    assert Municipality.objects.get().name == "天津市"
    assert District.objects.count() == 16
    assert Street.objects.count() == 299
    assert Street.objects.townships().count() == 252
    assert Street.objects.filter(kind=Street.Kind.OTHER).count() == 47
    assert Community.objects.count() == 5617
    assert Community.objects.committees().count() == 5476
    assert Community.objects.filter(kind=Community.Kind.SHEQU).count() == 1934
    assert Community.objects.filter(kind=Community.Kind.CUN).count() == 3542
    guoyuan = Street.objects.get(code="120113001000")
    assert (guoyuan.name, guoyuan.district.name, guoyuan.kind) == ("果园新村街道", "北辰区", "街道")
    assert Community.objects.get(code="120113001009").street == guoyuan

    snapshot = list(Community.objects.order_by("code").values_list("code", "name", "kind", "street_id"))
    second = run()
    assert "没有变化" in second
    assert "新增 0，更新 0" in second and "新增 1" not in second
    assert (
        list(Community.objects.order_by("code").values_list("code", "name", "kind", "street_id")) == snapshot
    )


def test_committee_kind_follows_the_code_range(small_file, db):
    run("--file", str(small_file))
    kinds = dict(Community.objects.values_list("code", "kind"))
    assert kinds["120113001009"] == Community.Kind.SHEQU  # 001–199 居委会
    assert kinds["120113106201"] == Community.Kind.CUN  # 宜兴埠镇 第一街委员会: 200–399 村委会
    assert kinds["120113400498"] == Community.Kind.OTHER  # placeholder in a development zone
    assert Street.objects.get(code="120113400000").kind == Street.Kind.OTHER


def test_renamed_divisions_are_updated_and_links_kept(small_file, guoyuan, db):
    # The shared cast already made 果园新村 with its station; the import adopts the rows by code.
    Community.objects.filter(code="120113001009").update(name="朝阳里旧名", workroom_opened_on="2022-05-01")
    output = run("--file", str(small_file))
    assert "更名 120113001009：朝阳里旧名 → 朝阳里社区居委会" in output
    community = Community.objects.get(code="120113001009")
    assert community.name == "朝阳里社区居委会"
    assert str(community.workroom_opened_on) == "2022-05-01"
    assert Street.objects.get(code="120113001000").station == guoyuan


def test_dry_run_reports_and_writes_nothing(small_file, db):
    output = run("--file", str(small_file), "--dry-run")
    assert "试运行" in output and "新增 1" in output
    assert not Community.objects.exists() and not District.objects.exists()


def test_gzip_and_plain_files_read_the_same(tmp_path, db):
    import gzip

    path = tmp_path / "divisions.csv.gz"
    path.write_bytes(gzip.compress(SMALL.encode()))
    run("--file", str(path))
    assert Community.objects.count() == 3


def test_bad_rows_are_reported_by_line_and_nothing_is_saved(tmp_path, db):
    path = tmp_path / "bad.csv"
    path.write_text(
        HEADER
        + "120000000000,天津市,municipality,,,\n"
        + "120113000000,北辰区,district,120000000000,,\n"
        + "12011300100,果园新村街道,street,120113000000,街道,\n"  # 11 digits
        + "120113002000,集贤里街道,street,120113000000,村,\n"  # bad kind
        + "120113002001,泰来西里社区居委会,community,120113009000,,社区\n"  # unknown parent
        + "120104004002,桦林园社区居委会,community,120113000000,,社区\n",  # parent is a district
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as excinfo:
        run("--file", str(path))
    message = str(excinfo.value)
    assert "没有写入任何数据" in message
    assert "第4行" in message and "第5行" in message and "第6行" in message and "第7行" in message
    assert "第3行" not in message
    assert not District.objects.exists()


def test_missing_file_is_a_clear_error(db):
    with pytest.raises(CommandError, match="找不到文件"):
        run("--file", "/nonexistent/divisions.csv")
