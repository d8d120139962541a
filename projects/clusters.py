"""Place-based request clusters (聚类建议): several open requests about one place or one problem — the same
building's e-bike charging, a courtyard's lighting — suggested together so that a worker can take them on
as one project (民主协商 / 民生微实事), which resolves them all when it is completed.

The rule is simple enough to explain to the worker who sees it:
- only open requests not yet linked to a project, received in the last `days` (90 by default,
  settings.SWS_CLUSTER_DAYS, or the page's own choice);
- only requests of the same station, the same community and the same category are compared (never a
  merge across communities or categories);
- two requests are similar when their descriptions share at least `MIN_SHARED` character bigrams
  (two consecutive characters within a phrase: 充电, 车棚, 3号 …, common words such as 居民/问题 left out)
  and the shared bigrams are at least `THRESHOLD` of the shorter description's;
- similar requests chain into one cluster (a connected group); a cluster needs two requests or more.
The page shows each cluster's shared words, so the worker sees why it was suggested.

Bounded work: one query reads the candidates (the newest `MAX_CANDIDATES` in scope); the comparison runs
in memory, within each (community, category) group only.
"""

import datetime
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from projects.models import Project
from residents import services as request_services
from residents.models import Request
from stations import access

DEFAULT_DAYS = 90
MIN_DAYS, MAX_DAYS = 7, 365
THRESHOLD = 0.3
MIN_SHARED = 3
MAX_CANDIDATES = 3000
MAX_GROUP = 300  # requests compared within one community and category (pairs grow as its square)

# Words that say nothing about the place or the problem: they would link any two requests.
STOP_BIGRAMS = frozenset(
    [
        "居民",
        "社区",
        "问题",
        "希望",
        "解决",
        "反映",
        "帮助",
        "需要",
        "老人",
        "一下",
        "我们",
        "他们",
        "现在",
        "没有",
        "不能",
        "可以",
        "这个",
        "那个",
        "已经",
        "还是",
        "情况",
        "处理",
    ]
)
PHRASE_SPLIT = re.compile(r"[^\w]+|_")


def _bigrams_in_order(text: str):
    """The character bigrams of each phrase of `text` as they are read (punctuation and spaces split
    phrases)."""
    for phrase in PHRASE_SPLIT.split((text or "").lower()):
        yield from (phrase[i : i + 2] for i in range(len(phrase) - 1))


def bigrams(text: str) -> frozenset:
    return frozenset(_bigrams_in_order(text)) - STOP_BIGRAMS


def shared_words(texts: list[str], grams: list[frozenset]) -> list[str]:
    """The bigrams at least two of the texts share, those most share first, then as the texts read
    (the earliest request first): the same words in the same order on every run."""
    counts = Counter(g for gram_set in grams for g in gram_set)
    order = {}
    for text in texts:
        for g in _bigrams_in_order(text):
            order.setdefault(g, len(order))
    return sorted((g for g, n in counts.items() if n >= 2), key=lambda g: (-counts[g], order[g]))


def similar(a: frozenset, b: frozenset) -> bool:
    if not a or not b:
        return False
    shared = len(a & b)
    return shared >= MIN_SHARED and shared / min(len(a), len(b)) >= THRESHOLD


@dataclass
class Cluster:
    station_id: int
    station_name: str
    community_id: int
    community_name: str
    category_id: int
    category_name: str
    requests: list = field(default_factory=list)  # dicts: pk, reference, description, received_at
    words: list = field(default_factory=list)  # the bigrams most of its requests share

    @property
    def request_ids(self):
        return [r["pk"] for r in self.requests]

    @property
    def suggested_title(self) -> str:
        words = "".join(self.words[:2])
        return f"{self.community_name}·{self.category_name}{('（' + words + '）') if words else ''}"[:100]

    @property
    def first_received(self):
        return min(r["received_at"] for r in self.requests)


def period_days(value) -> int:
    try:
        days = int(value)
    except (TypeError, ValueError):
        return getattr(settings, "SWS_CLUSTER_DAYS", DEFAULT_DAYS)
    return min(max(days, MIN_DAYS), MAX_DAYS)


def candidates(user, *, days: int, now: datetime.datetime | None = None):
    """The open, unlinked requests of the last `days` that `user` may see (one query, newest first)."""
    since = (now or timezone.now()) - datetime.timedelta(days=days)
    return (
        Request.objects.visible_to(user)
        .filter(status__in=Request.OPEN_STATUSES, received_at__gte=since, projects__isnull=True)
        .order_by("-received_at", "-pk")
        .values(
            "pk",
            "reference",
            "description",
            "received_at",
            "station_id",
            "station__name",
            "community_id",
            "community__name",
            "category_id",
            "category__name",
        )[:MAX_CANDIDATES]
    )


def _components(rows, grams):
    """Connected groups of similar rows (union-find over the pairs)."""
    parent = list(range(len(rows)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(rows)):
        for j in range(i + 1, len(rows)):
            if similar(grams[i], grams[j]):
                parent[find(i)] = find(j)
    groups = defaultdict(list)
    for i in range(len(rows)):
        groups[find(i)].append(i)
    return [members for members in groups.values() if len(members) >= 2]


def suggest_clusters(user, *, days: int | None = None, now=None) -> list[Cluster]:
    """The clusters among the requests `user` may see, largest first."""
    days = days or getattr(settings, "SWS_CLUSTER_DAYS", DEFAULT_DAYS)
    groups = defaultdict(list)
    for row in candidates(user, days=days, now=now):
        key = (row["station_id"], row["community_id"], row["category_id"])
        if len(groups[key]) < MAX_GROUP:
            groups[key].append(row)
    clusters = []
    for rows in groups.values():
        if len(rows) < 2:
            continue
        grams = [bigrams(row["description"]) for row in rows]
        for members in _components(rows, grams):
            first = rows[members[0]]
            requests = sorted((rows[i] for i in members), key=lambda r: (r["received_at"], r["pk"]))
            shared = shared_words([r["description"] for r in requests], [grams[i] for i in members])
            clusters.append(
                Cluster(
                    station_id=first["station_id"],
                    station_name=first["station__name"],
                    community_id=first["community_id"],
                    community_name=first["community__name"],
                    category_id=first["category_id"],
                    category_name=first["category__name"],
                    requests=requests,
                    words=shared[:8],
                )
            )
    clusters.sort(key=lambda c: (-len(c.requests), c.community_name, c.first_received))
    return clusters


def project_from_cluster(
    *, acting_user, request_ids, title: str, theme: str, description: str = ""
) -> Project:
    """Turn a cluster into a service project in one step: the project is the station's (active from
    today, led by the acting worker, covering the requests' community) and addresses the requests; each
    request's timeline says which project took it on. Completing the project resolves them.

    The requests must be open, the acting worker's station's, of one community, not yet in a project;
    anything else (a forged id, another station's request) refuses the whole step."""
    if not access.is_station_user(acting_user):
        raise PermissionDenied
    ids = sorted({int(pk) for pk in request_ids})
    if len(ids) < 2:
        raise ValidationError("请至少选择两件诉求。")
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError("请填写项目名称。")
    if theme not in Project.Theme.values:
        raise ValidationError("请选择项目主题。")
    with transaction.atomic():
        requests = list(
            Request.objects.editable_by(acting_user)
            .filter(pk__in=ids, status__in=Request.OPEN_STATUSES, projects__isnull=True)
            .select_for_update(of=("self",))
            .order_by("pk")
        )
        if len(requests) != len(ids):
            raise ValidationError("所选诉求中有已办结、已纳入项目或不属于本站的，请刷新后重试。")
        communities = {r.community_id for r in requests}
        if len(communities) != 1:
            raise ValidationError("所选诉求须属于同一社区。")
        project = Project(
            station_id=acting_user.station_id,
            title=title[:100],
            theme=theme,
            lead=acting_user,
            start_date=timezone.localdate(),
            status=Project.Status.ACTIVE,
            description=(description or "").strip()[:4000]
            or "由聚类建议生成：" + "、".join(r.reference for r in requests),
            created_by=acting_user,
        )
        project.full_clean()
        project.save()
        project.communities.set(communities)
        project.requests.set(requests)
        for request in requests:
            request_services.add_note(
                acting_user=acting_user,
                request=request,
                text=f"纳入服务项目“{project.title}”统一解决（聚类建议转项目，共 {len(requests)} 件诉求）。",
            )
    return project
