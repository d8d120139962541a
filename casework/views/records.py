"""The printable case file (个案档案): whoever may read the case (the confidentiality rule,
`Case.objects.visible_to`; 404 outside) and open it (`access.may_open`: a minor's or sensitive case
needs the sensitive-records permission); the read is logged as a look at the client's personal data.
(The XLSX case register is an export: sws/case_register.py.)
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from attachments.models import Attachment
from casework import services
from casework.views.cases import case_queryset
from stations import access
from stations.audit import record_access


@never_cache
@require_safe
@login_required
def case_file(request, pk):
    case = access.get_visible_or_404(case_queryset(), request.user, pk=pk)
    if not access.may_open(request.user, case):
        raise PermissionDenied
    record_access(request, "view", residents=case.client_id, reason=f"个案档案 {case.reference}")
    attachments = list(
        Attachment.objects.visible_to(request.user)
        .live()
        .of(case)
        .select_related("uploaded_by")
        .order_by("uploaded_at")
    )
    context = {
        "case": case,
        "printed_at": timezone.now(),
        "attachments": attachments,
        "consent_scans": [a for a in attachments if a.kind == Attachment.Kind.CONSENT],
        **services.case_file(case),
    }
    return render(request, "casework/case_file.html", context)
