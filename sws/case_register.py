"""The XLSX case register (个案台账): the cases the user reads (a worker her own, a station head her
station's, a district supervisor his district's; `Case.objects.visible_to`), narrowed by the case
list's own filters (casework/filters.py; a value the form refuses stops the export), masked as the lists
mask (a minor's or sensitive case's client 张** and its problem left out without the sensitive-records
permission), logged as an export of the clients' personal data. Lives in sws, which composes: it uses the
exports' workbook writer.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from casework import services
from casework.filters import CaseFilter
from casework.models import Case
from casework.permissions import is_case_supervisor
from residents import permissions
from residents.models import Resident
from stations import access
from stations.audit import record_access
from sws import exports
from sws.db_router import replica_reads
from sws.list_exports import CHUNK, InvalidFilter, _filtered


def _case_list_url() -> str:
    try:
        return reverse("casework:case-list")
    except NoReverseMatch:  # the list is another part of the work's page
        return reverse("home")


@replica_reads
@never_cache
@require_safe
@login_required
@access.role_required(access.is_station_user, is_case_supervisor)
def case_register(request):
    queryset = Case.objects.visible_to(request.user)
    try:
        cases = _filtered(CaseFilter(request.GET, queryset=queryset, user=request.user))
    except InvalidFilter as invalid:
        messages.error(request, invalid.message)
        return redirect(f"{_case_list_url()}?{request.GET.urlencode()}")
    # Who took which clients' data out: the clients' ids copied by one INSERT … SELECT.
    record_access(
        request,
        "export",
        residents=Resident.objects.filter(pk__in=cases.order_by().values("client_id")),
        reason="个案台账",
    )
    rows_of = services.register_queryset(cases)
    count = rows_of.count()
    if count > exports.XLSX_MAX_ROWS:
        return exports.too_large_response(request, count)
    columns = services.REGISTER_COLUMNS
    may_open_sensitive = permissions.can_open_sensitive(request.user)

    def rows():
        for case in rows_of.iterator(chunk_size=CHUNK):
            yield services.register_row(case, columns, may_open_sensitive)

    sheet = exports.Sheet(
        title="个案台账",
        headers=[column.header for column in columns],
        rows=rows(),
        widths=[column.width for column in columns],
        formats=[column.number_format for column in columns],
        preamble=[f"个案台账 导出于 {timezone.localtime():%Y-%m-%d %H:%M}，共 {count} 件"],
    )
    return exports.xlsx_response(f"个案台账-{timezone.localdate():%Y%m%d}.xlsx", [sheet])
