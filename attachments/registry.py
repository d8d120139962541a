"""Which records may have attachments, and who may read and add them: the owner decides.

An owner model registers once, in its app's `AppConfig.ready()`:

    from attachments import registry

    registry.register(Activity)                                   # the defaults below
    registry.register(FundEntry, station=lambda entry: entry.fund.station_id)
    registry.register(Case, can_read=may_read_case, can_attach=may_work_on_case,
                      residents=lambda case: [case.client_id], on_change=write_case_timeline)

Defaults: reading needs the owner in the user's scope (`Model.objects.visible_to(user)`) and
`access.may_open` (a record's `open_permission`, e.g. a sensitive resident's); attaching needs
`access.may_change` on the owner (its station's staff, admins) and `may_open`. Removing is for whoever
may attach *and* uploaded the file, or is the head of its station. Nothing here imports an app above
stations: owners register themselves.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.http import Http404

from stations import access


def _in_scope(user, owner) -> bool:
    return type(owner)._default_manager.visible_to(user).filter(pk=owner.pk).exists()


def default_can_read(user, owner) -> bool:
    return access.may_open(user, owner) and _in_scope(user, owner)


def default_can_attach(user, owner) -> bool:
    return access.may_change(user, owner) and access.may_open(user, owner)


def default_station(owner) -> int:
    return owner.station_id


def default_district(owner):
    """None: the district of the owner's station (looked up when the file is attached)."""
    return None


@dataclass(frozen=True)
class OwnerRule:
    model: type
    can_read: Callable
    can_attach: Callable
    station: Callable  # owner -> the pk of the station whose scope the attachment is in (None: no station)
    district: Callable  # owner -> the pk of its district when it has no station (a district's report)
    residents: Callable | None  # owner -> resident ids, for the personal-data access log
    on_change: (
        Callable | None
    )  # (acting_user, attachment, "attach" | "remove") -> None, in the step's transaction
    kinds: tuple
    evaluator_reads: bool = False  # may a third-party evaluator (no station scope) read it? can_read decides

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    def resident_ids(self, owner) -> list[int]:
        return list(self.residents(owner)) if self.residents else []


_rules: dict[str, OwnerRule] = {}


def register(
    model,
    *,
    can_read: Callable | None = None,
    can_attach: Callable | None = None,
    station: Callable | None = None,
    district: Callable | None = None,
    residents: Callable[[object], Iterable[int]] | None = None,
    on_change: Callable | None = None,
    kinds: Iterable[str] = (),
    evaluator_reads: bool = False,
) -> OwnerRule:
    """Let `model`'s records have attachments. `kinds`: the Attachment.Kind values its form offers
    (all when empty)."""
    rule = OwnerRule(
        model=model,
        can_read=can_read or default_can_read,
        can_attach=can_attach or default_can_attach,
        station=station or default_station,
        district=district or default_district,
        residents=residents,
        on_change=on_change,
        kinds=tuple(kinds),
        evaluator_reads=evaluator_reads,
    )
    _rules[rule.label] = rule
    return rule


def rule_for(owner_or_model) -> OwnerRule:
    """The rule of a registered owner (a record or its model); LookupError when not registered."""
    model = owner_or_model if isinstance(owner_or_model, type) else type(owner_or_model)
    label = model._meta.concrete_model._meta.label_lower
    try:
        return _rules[label]
    except KeyError:
        raise LookupError(f"{label} is not registered for attachments") from None


def rule_for_label(label: str) -> OwnerRule:
    """The rule named by a URL's owner label ("projects.activity"); 404 when there is none."""
    try:
        return _rules[label]
    except KeyError:
        raise Http404 from None


def evaluator_models() -> list[type]:
    """The owner models whose attachments a third-party evaluator may read (each owner still checked by
    its rule's `can_read`)."""
    return [rule.model for rule in _rules.values() if rule.evaluator_reads]


def registered_labels() -> list[str]:
    return sorted(_rules)
