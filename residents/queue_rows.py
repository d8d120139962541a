"""The triage queue's rows: what each row shows (`QueueRows.context`) and its markup, written fast.

The queue is the page station workers open most, and its 25 rows with up to three inline quick-action
forms each cost more through Django templates (includes, `{% url %}`, `{% csrf_token %}`, localized
numbers and dates: about 75 forms a page) than everything else on the page together
(docs/performance.md). So the row is decided once, in `QueueRows.context(r)` (a plain dict), and written
two ways from it:

- templates/residents/_queue_row.html, the markup's reference, readable;
- `QueueRows.write(row)`, the same bytes from f-strings, with the parts every row shares (URL prefixes,
  the CSRF input, the hidden inputs, the option lists, escaped labels) worked out once per page: about
  ten times faster than the partial (bench/queue_rows.py).

tests/residents/test_queue_row_partial.py renders both over a spread of rows (every status and priority,
overdue, follow-up due, masked, with and without assignee, quick-action outcomes, English and Chinese)
and asserts the same bytes, hostile text in every field included. Every text passes through Django's
escaping (`escape`, `format_html`, `format_html_join`); integers are written as they are.
"""

from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from residents import permissions
from residents.deadlines import relative_deadline
from residents.models import Request, Severity, Urgency
from stations.models import Community

TRIAGE_CHOICES = {"severity": Severity.choices, "urgency": Urgency.choices}

# Fixed pieces of templates/residents/_queue_row.html.
FOLLOW_UP_BADGE = ' <span class="badge badge-warn">待回访</span>'
OVERDUE_MARK = '<span class="overdue">已超期</span><br>'
UNASSIGNED = '<span class="unassigned">未指派</span>'
NO_ASSIGNEE_OPTION = mark_safe('<option value="">选择社工</option>')
SELECTED = mark_safe(" selected")
CSRF_INPUT = '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'  # as {% csrf_token %} writes it
FROM_NEXT_INPUTS = (
    '<input type="hidden" name="from" value="queue"><input type="hidden" name="next" value="{}">'
)

# Any primary key the URL patterns accept and that occurs nowhere else in a path.
_PK = 2147483647

# Deadlines other apps add under a row's own (the 12345 work order's 签收期限 and 办结期限, hotline):
# residents imports none of them (the arrows point one way). Each registers, in AppConfig.ready(),
# `annotations` the rows' one query carries (no query more per row or page) and `describe(r, now, tz)`,
# which returns [(label, text, overdue)] for a row, [] for a row it is not about.
_row_deadlines: dict = {}


def register_row_deadlines(name: str, annotations: dict, describe) -> None:
    _row_deadlines[name] = (annotations, describe)


def _deadline_annotations() -> dict:
    return {key: value for annotations, _ in _row_deadlines.values() for key, value in annotations.items()}


def _url_maker(name):
    """`reverse(name, args=[pk])` for every pk at the cost of one reverse() per page: the path reversed
    once for a placeholder pk, split around it (tests/residents/test_queue_row_partial.py checks every
    route it is used for against reverse())."""
    prefix, suffix = reverse(name, args=[_PK]).rsplit(str(_PK), 1)
    return lambda pk: f"{prefix}{pk}{suffix}"


def _options(choices, selected) -> SafeString:
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, SELECTED if value == selected else "", label) for value, label in choices),
    )


class QueueRows:
    """Writes queue rows (`<tr>` elements) for one response.

    `can_act`: the user may use the quick actions (a station user, rows of their own station); then
    `workers` are the station's staff offered by 指派, (pk, label) pairs, and `next_url` is where a plain
    (no-JavaScript) form post returns to. Rows come from `QueueRows.columns(queryset)`; `assignees`,
    (pk, label) pairs the page has read anyway (the assignee filter's list), name the rows' assignees.
    """

    QUICK_ACTIONS = ("triage", "assign", "start")
    # The columns context() reads, and no others. Categories, communities and (on a page) assignees are not
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
            .annotate(**_deadline_annotations())
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
        # Translated once for the page (a lazy label would be translated again on every row).
        self.status_labels = {value: str(label) for value, label in Request.Status.choices}
        # The categories and communities the page has read anyway (for the filter form); any other is read
        # through the request (the single row a quick action answers with).
        self.categories = dict(categories)  # pk → label (上级 › 名称)
        self.communities = dict(communities)  # pk → full name
        self._community_short_names = {}
        self.assignees = dict(assignees)  # pk → label (name, else username)
        self._may_open_sensitive = None
        self._escaped = {}
        if can_act:
            self.next_url = next_url
            self.action_urls = {name: _url_maker(f"residents:request-{name}") for name in self.QUICK_ACTIONS}
            self.csrf_input = format_html(CSRF_INPUT, get_token(request))
            self.from_next = format_html(FROM_NEXT_INPUTS, next_url)
            self.worker_choices = list(workers)
            self._options = {}

    def render(self, requests) -> SafeString:
        requests = list(requests)
        self.read_assignees(requests)
        # Each row's texts are escaped in write().
        return mark_safe("".join(self.write(self.context(r)) for r in requests))

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

    # -- what a row shows -------------------------------------------------------------------------------

    def context(self, r: Request, *, error: str = "", done: str = "") -> dict:
        """Everything the row shows, as `row` for templates/residents/_queue_row.html and `write()`;
        `error` or `done` is the outcome of a quick action on it, shown in the row."""
        is_open = r.status in Request.OPEN_STATUSES
        is_overdue = is_open and r.due_at < self.now
        is_follow_up_due = (
            r.status == Request.Status.RESOLVED
            and r.follow_up_due_on is not None
            and r.follow_up_due_on <= self.today
        )
        if r.status == Request.Status.RESOLVED:
            due = f"回访 {r.follow_up_due_on:%m-%d}" if r.follow_up_due_on else "回访 "
        else:
            # Open: how long is left (residents/deadlines.py, as the case page says it); else when it was due.
            due = (
                relative_deadline(r.due_at, self.now, self.tz)
                if is_open
                else f"{r.due_at.astimezone(self.tz):%m-%d %H:%M}"
            )
        row = {
            "pk": r.pk,
            "classes": ("is-overdue" if is_overdue else "")
            + (" is-unassigned" if is_open and not r.assignee_id else ""),
            "priority": r.priority,
            "case_url": self.case_url(r.pk),
            "reference": r.reference,
            "person": self.person(r),
            "error": error,
            "done": "" if error else done,
            "category": self.categories.get(r.category_id) or r.category,
            "community": self.community_label(r),
            "status": r.status,
            "status_label": self.status_labels.get(r.status) or r.status,  # as get_status_display()
            "follow_up_due": is_follow_up_due,
            "overdue": is_overdue,
            "due": due,
            "deadlines": [
                {"label": label, "text": text, "overdue": late}
                for _, describe in _row_deadlines.values()
                for label, text, late in describe(r, self.now, self.tz)
            ],
            # as str(r.assignee)
            "assignee": (self.assignees.get(r.assignee_id) or r.assignee) if r.assignee_id else None,
            "is_open": is_open,
            "can_act": self.can_act,
        }
        if self.can_act:
            row |= {
                "version": r.version,
                "next": self.next_url,
                "severity": r.severity,
                "urgency": r.urgency,
                "assignee_id": r.assignee_id,
                "forms": self.forms(r),
            }
        return row

    def forms(self, r: Request) -> list[dict]:
        """The quick actions the request's state allows, in the order the row offers them."""
        forms = []
        if r.can("triage"):
            forms.append(
                {
                    "action": "triage",
                    "button": "研判" if r.status == Request.Status.NEW else "调整",
                    "severity_choices": TRIAGE_CHOICES["severity"],
                    "urgency_choices": TRIAGE_CHOICES["urgency"],
                }
            )
        if r.can("assign"):
            forms.append({"action": "assign", "button": "指派", "workers": self.worker_choices})
        if r.can("start"):
            forms.append({"action": "start", "button": r.action_label("start"), "primary": True})
        for form in forms:
            form["url"] = self.action_urls[form["action"]](r.pk)
        return forms

    def community_label(self, r: Request) -> str:
        pk = r.community_id
        short_name = self._community_short_names.get(pk)
        if short_name is None:
            name = self.communities.get(pk)
            # Community.short_name of the name the page has, without reading the community again.
            short_name = Community(name=name).short_name if name else r.community.short_name
            self._community_short_names[pk] = short_name
        return short_name

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

    # -- the fast path: the partial's markup ------------------------------------------------------------
    # Line for line templates/residents/_queue_row.html. Every text goes through `self.escaped`
    # (django.utils.html.escape, remembered per page: the same labels recur on every row); integers
    # (primary keys, versions, priorities) are written as they are, as the template writes them.

    def escaped(self, text) -> str:
        value = self._escaped.get(text)
        if value is None:
            value = self._escaped[text] = escape(str(text))  # str(): a translated label, once
        return value

    def write(self, row: dict) -> SafeString:
        """The bytes templates/residents/_queue_row.html writes for `row`."""
        e = self.escaped
        pk, priority, case_url = row["pk"], row["priority"], e(row["case_url"])
        if row["error"]:
            outcome = f'<ul class="errorlist" role="alert"><li>{escape(row["error"])}</li></ul>'
        elif row["done"]:
            outcome = f'<span class="badge badge-ok" role="status">{escape(row["done"])}</span>'
        else:
            outcome = ""
        assignee = e(row["assignee"]) if row["assignee"] else UNASSIGNED if row["is_open"] else "—"
        status = f'<span class="badge status-{e(row["status"])}">{e(row["status_label"])}</span>'
        due = f"{OVERDUE_MARK if row['overdue'] else ''}{escape(row['due'])}" + "".join(
            f'<div class="small deadline-line{" overdue" if d["overdue"] else ""}">'
            f"{escape(d['label'])} {escape(d['text'])}</div>"
            for d in row["deadlines"]
        )
        return mark_safe(
            f'<tr id="request-{pk}" class="{e(row["classes"])}">\n'
            f'<td class="card-title"><span class="badge badge-p{priority}">P{priority}</span> '
            f'<a class="row-link mono" href="{case_url}">{escape(row["reference"])}</a>'
            f'<div class="small">{escape(row["person"])}</div>{outcome}</td>\n'
            f'<td data-label="分类">{e(row["category"])}</td>\n'
            f'<td data-label="社区">{e(row["community"])}</td>\n'
            f'<td data-label="状态">{status}{FOLLOW_UP_BADGE if row["follow_up_due"] else ""}</td>\n'
            f'<td data-label="办理期限" class="nowrap">{due}</td>\n'
            f'<td data-label="承办">{assignee}</td>\n'
            f"{self.write_actions(row, case_url) if row['can_act'] else ''}</tr>\n"
        )

    def write_actions(self, row: dict, case_url: str) -> str:
        pk = row["pk"]
        hidden = (
            f'{self.csrf_input}<input type="hidden" name="version" value="{row["version"]}">{self.from_next}'
        )
        forms = []
        for form in row["forms"]:
            url, action, button = self.escaped(form["url"]), form["action"], self.escaped(form["button"])
            primary = " btn-primary" if form.get("primary") else ""
            if action == "triage":
                severity, urgency = (
                    self.options("severity", row["severity"]),
                    self.options("urgency", row["urgency"]),
                )
                controls = (
                    f'<label class="sr-only" for="sev-{pk}">轻重</label>\n'
                    f'<select name="severity" id="sev-{pk}">{severity}</select>\n'
                    f'<label class="sr-only" for="urg-{pk}">缓急</label>\n'
                    f'<select name="urgency" id="urg-{pk}">{urgency}</select>\n'
                )
            elif action == "assign":
                options = self.assignee_options(row["assignee_id"])
                controls = (
                    f'<label class="sr-only" for="asg-{pk}">承办社工</label>\n'
                    f'<select name="assignee" id="asg-{pk}">{options}</select>\n'
                )
            else:
                controls = ""
            forms.append(
                f'\n<form method="post" action="{url}" class="quick-action" hx-post="{url}" '
                'hx-target="closest tr" hx-swap="outerHTML">\n'
                f"{hidden}\n"
                f'{controls}<button type="submit" class="btn btn-sm{primary}">{button}</button>\n'
                "</form>"
            )
        follow_up = (
            f'\n<a class="btn btn-sm" href="{case_url}#action-follow_up">回访</a>'
            if row["follow_up_due"]
            else ""
        )
        return f'<td class="actions-cell">{"".join(forms)}{follow_up}\n</td>\n'

    def options(self, field: str, value) -> SafeString:
        # A handful of lists per page (one per value): each written once.
        key = (field, value)
        if key not in self._options:
            self._options[key] = _options(TRIAGE_CHOICES[field], value)
        return self._options[key]

    def assignee_options(self, assignee_id) -> SafeString:
        # The same few lists on every page (one per worker, one for nobody): written once each.
        key = ("assignee", assignee_id)
        if key not in self._options:
            options = _options(self.worker_choices, assignee_id)
            self._options[key] = options if assignee_id else NO_ASSIGNEE_OPTION + options
        return self._options[key]
