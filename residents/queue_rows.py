"""The triage queue's rows, written in Python.

The queue is the page station workers open most, and its 25 rows with up to three inline quick-action
forms each cost more through Django templates (includes, `{% url %}`, `{% csrf_token %}`, localized
numbers and dates: about 75 forms a page) than everything else on the page together
(docs/performance.md). `QueueRows` works out once per page what every row shares (URL prefixes, the
CSRF token, the hidden inputs, the option lists, status labels) and then writes each row with plain
string formatting.

Escaping: every text that comes from the database or a translation passes through `e()` (HTML escaping,
as Django's `escape` does it) before it is joined in; integers (primary keys, versions, priorities) are
written as they are. The result is marked safe only once, for the whole block of rows.
"""

from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from residents import permissions
from residents.deadlines import relative_deadline
from residents.models import Request, Severity, Urgency
from residents.widgets import e
from stations.models import Community

FOLLOW_UP_BADGE = ' <span class="badge badge-warn">待回访</span>'
OVERDUE_MARK = '<span class="overdue">已超期</span><br>'

TRIAGE_CHOICES = {"severity": Severity.choices, "urgency": Urgency.choices}

# Any primary key the URL patterns accept and that occurs nowhere else in a path.
_PK = 2147483647


def _url_maker(name):
    """`reverse(name, args=[pk])` for every pk at the cost of one reverse() per page."""
    prefix, suffix = reverse(name, args=[_PK]).rsplit(str(_PK), 1)
    return lambda pk: f"{prefix}{pk}{suffix}"


def _options(choices, selected) -> str:
    return "".join(
        f'<option value="{e(value)}"{" selected" if value == selected else ""}>{e(label)}</option>'
        for value, label in choices
    )


class QueueRows:
    """Writes queue rows (`<tr>` elements) for one response.

    `can_act`: the user may use the quick actions (a station user, rows of their own station); then
    `workers` are the station's staff offered by 指派, (pk, label) pairs, and `next_url` is where a plain
    (no-JavaScript) form post returns to. Rows come from `QueueRows.columns(queryset)`; `assignees`,
    (pk, label) pairs the page has read anyway (the assignee filter's list), name the rows' assignees.
    """

    QUICK_ACTIONS = ("triage", "assign", "start")
    # The columns row() reads, and no others. Categories, communities and (on a page) assignees are not
    # joined: the filter form reads their names anyway (`categories`, `communities`, `assignees`), and each
    # join costs the query more planning time than the whole of a 25-row query without it.
    COLUMNS = (
        *("reference", "status", "priority", "severity", "urgency", "due_at", "follow_up_due_on", "version"),
        *("reporter_name", "category", "community", "assignee", "resident__name", "resident__birth_date"),
    )
    ASSIGNEE_COLUMNS = ("assignee__name", "assignee__username")

    @classmethod
    def columns(cls, requests, *, assignee=False):
        """`requests` with what the rows show (`assignee`: with the assignee's name joined, for a row
        written without the page's `assignees`). Whether a resident carries a sensitive tag comes as an
        annotation (`resident_sensitive_tag`), not as a prefetch of every tag."""
        return (
            requests.select_related(None)
            .select_related("resident", *(("assignee",) if assignee else ()))
            .prefetch_related(None)
            .only(*cls.COLUMNS, *(cls.ASSIGNEE_COLUMNS if assignee else ()))
            .with_resident_sensitive_tag()
        )

    def __init__(
        self,
        request,
        *,
        can_act: bool,
        workers=(),
        next_url: str = "",
        categories=(),
        communities=(),
        assignees=(),
    ):
        self.user = request.user
        self.can_act = can_act
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.tz = timezone.get_current_timezone()
        self.case_url = _url_maker("residents:request-detail")
        self.status_labels = {value: e(label) for value, label in Request.Status.choices}
        # The categories and communities the page has read anyway (for the filter form); any other is read
        # through the request (the single row a quick action answers with).
        self.categories = dict(categories)  # pk → label (上级 › 名称)
        self.communities = dict(communities)  # pk → full name
        self._community_short_names = {}
        self.assignees = dict(assignees)  # pk → label (name, else username)
        self._may_open_sensitive = None
        if can_act:
            self.action_urls = {name: _url_maker(f"residents:request-{name}") for name in self.QUICK_ACTIONS}
            token = e(get_token(request))
            self.csrf_input = f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
            self.from_next_inputs = (
                '<input type="hidden" name="from" value="queue">'
                f'<input type="hidden" name="next" value="{e(next_url)}">'
            )
            self.worker_choices = list(workers)
            self._options = {}
            self._assignee_options = {}

    def render(self, requests) -> SafeString:
        requests = list(requests)
        self.read_assignees(requests)
        return mark_safe("\n".join(self.row(r) for r in requests))  # every part escaped in row()

    def read_assignees(self, requests):
        """The names of assignees the page's list lacks (a former worker's, say), all in one query, read
        through the requests the user sees."""
        missing = {r.pk for r in requests if r.assignee_id and r.assignee_id not in self.assignees}
        if missing:
            named = Request.objects.visible_to(self.user).filter(pk__in=missing)
            self.assignees |= {
                assignee: name or username
                for assignee, name, username in named.values_list(
                    "assignee", "assignee__name", "assignee__username"
                )
            }

    # -- one row ----------------------------------------------------------------------------------------

    def row(self, r: Request, *, error: str = "", done: str = "") -> str:
        """One `<tr>`; `error` or `done` is the outcome of a quick action on it, shown in the row."""
        is_open = r.status in Request.OPEN_STATUSES
        is_overdue = is_open and r.due_at < self.now
        is_follow_up_due = (
            r.status == Request.Status.RESOLVED
            and r.follow_up_due_on is not None
            and r.follow_up_due_on <= self.today
        )
        case_url = self.case_url(r.pk)
        classes = ("is-overdue" if is_overdue else "") + (
            " is-unassigned" if is_open and not r.assignee_id else ""
        )
        if error:
            outcome = f'<ul class="errorlist" role="alert"><li>{e(error)}</li></ul>'
        elif done:
            outcome = f'<span class="badge badge-ok" role="status">{e(done)}</span>'
        else:
            outcome = ""
        if r.status == Request.Status.RESOLVED:
            due = f"回访 {r.follow_up_due_on:%m-%d}" if r.follow_up_due_on else "回访 "
        else:
            # Open: how long is left (residents/deadlines.py, as the case page says it); else when it was due.
            due = (
                relative_deadline(r.due_at, self.now, self.tz)
                if is_open
                else f"{r.due_at.astimezone(self.tz):%m-%d %H:%M}"
            )
        status = self.status_labels.get(r.status) or e(r.status)  # as get_status_display()
        if r.assignee_id:
            assignee = e(self.assignees.get(r.assignee_id) or r.assignee)  # as str(r.assignee)
        elif is_open:
            assignee = '<span class="unassigned">未指派</span>'
        else:
            assignee = "—"
        return (
            f'<tr id="request-{r.pk}" class="{classes}">'
            '<td class="card-title">'
            f'<span class="badge badge-p{r.priority}">P{r.priority}</span> '
            f'<a class="row-link mono" href="{case_url}">{e(r.reference)}</a>'
            f'<div class="small">{e(self.person(r))}</div>{outcome}</td>'
            f'<td data-label="分类">{self.category_label(r)}</td>'
            f'<td data-label="社区">{self.community_label(r)}</td>'
            f'<td data-label="状态"><span class="badge status-{e(r.status)}">{status}</span>'
            f"{FOLLOW_UP_BADGE if is_follow_up_due else ''}</td>"
            f'<td data-label="办理期限" class="nowrap">{OVERDUE_MARK if is_overdue else ""}{due}</td>'
            f'<td data-label="承办">{assignee}</td>'
            f"{self.actions(r, case_url, is_follow_up_due) if self.can_act else ''}"
            "</tr>"
        )

    def category_label(self, r: Request) -> str:
        return e(self.categories.get(r.category_id) or r.category)

    def community_label(self, r: Request) -> str:
        pk = r.community_id
        short_name = self._community_short_names.get(pk)
        if short_name is None:
            name = self.communities.get(pk)
            # Community.short_name of the name the page has, without reading the community again.
            short_name = Community(name=name).short_name if name else r.community.short_name
            self._community_short_names[pk] = short_name
        return e(short_name)

    def person(self, r: Request) -> str:
        """Who the request is about; a minor's or sensitive resident's name masked (as `request_person`)."""
        if not r.resident_id:
            return r.display_name
        resident = r.resident
        sensitive = r.resident_sensitive_tag or resident.is_minor  # as Resident.is_sensitive
        if sensitive and not self.may_open_sensitive():
            return resident.masked_name
        return resident.name

    def may_open_sensitive(self) -> bool:
        # Asked only when a sensitive resident is on the page, then once.
        if self._may_open_sensitive is None:
            self._may_open_sensitive = permissions.can_open_sensitive(self.user)
        return self._may_open_sensitive

    # -- the quick actions ------------------------------------------------------------------------------

    def actions(self, r: Request, case_url: str, is_follow_up_due: bool) -> str:
        pk = r.pk
        parts = []
        if r.can("triage"):
            button = "研判" if r.status == Request.Status.NEW else "调整"
            controls = (
                f'<label class="sr-only" for="sev-{pk}">轻重</label>'
                f'<select name="severity" id="sev-{pk}">{self.options("severity", r.severity)}</select>'
                f'<label class="sr-only" for="urg-{pk}">缓急</label>'
                f'<select name="urgency" id="urg-{pk}">{self.options("urgency", r.urgency)}</select>'
                f'<button type="submit" class="btn btn-sm">{button}</button>'
            )
            parts.append(self.form(r, "triage", controls))
        if r.can("assign"):
            controls = (
                f'<label class="sr-only" for="asg-{pk}">承办社工</label>'
                f'<select name="assignee" id="asg-{pk}">{self.assignee_options(r.assignee_id)}</select>'
                '<button type="submit" class="btn btn-sm">指派</button>'
            )
            parts.append(self.form(r, "assign", controls))
        if r.can("start"):
            button = e(r.action_label("start"))
            parts.append(
                self.form(
                    r, "start", f'<button type="submit" class="btn btn-sm btn-primary">{button}</button>'
                )
            )
        if is_follow_up_due:
            parts.append(f'<a class="btn btn-sm" href="{case_url}#action-follow_up">回访</a>')
        # Spaces between the forms, as between inline boxes in the markup a template would write.
        return f'<td class="actions-cell">{" ".join(parts)}</td>'

    def form(self, r: Request, action: str, controls: str) -> str:
        """A quick-action form: a plain POST to the action's URL, and with htmx the row swapped in place."""
        url = self.action_urls[action](r.pk)
        return (
            f'<form method="post" action="{url}" class="quick-action" '
            f'hx-post="{url}" hx-target="closest tr" hx-swap="outerHTML">'
            f'{self.csrf_input}<input type="hidden" name="version" value="{r.version}">'
            f"{self.from_next_inputs}{controls}</form>"
        )

    def options(self, field: str, value) -> str:
        # A handful of lists per page (one per value): each written once.
        key = (field, value)
        if key not in self._options:
            self._options[key] = _options(TRIAGE_CHOICES[field], value)
        return self._options[key]

    def assignee_options(self, assignee_id) -> str:
        # The same few lists on every page (one per worker, one for nobody): written once each.
        options = self._assignee_options.get(assignee_id)
        if options is None:
            options = ('<option value="">选择社工</option>' if not assignee_id else "") + _options(
                self.worker_choices, assignee_id
            )
            self._assignee_options[assignee_id] = options
        return options
