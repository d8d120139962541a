"""The one access module: who may see and change what.

Every queryset that reaches a page, a form, an export or the admin goes through `visible_to(user)` or
`editable_by(user)` here, so an object outside the user's scope is a 404 by construction ("missing" and
"not yours" look the same). Models declare how they hang off the hierarchy with two lookups:

    class RequestQuerySet(ScopedQuerySet):
        station_lookup = "station"             # path to the owning Station's pk
        district_lookup = "station__district"  # path to the owning District's pk

Scope by role: station worker/head → their station; district centre staff → their district; municipal
centre staff and admins → the whole city. Writing is for station staff (their own station) and admins;
district and municipal centre staff read.
"""

from functools import wraps

from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import PermissionDenied
from django.db import connections, models, router
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """A user's one role (`User.role`; `User.Role` is this enum). Ask the predicates below rather than
    comparing roles: they also check that the scope the role needs is set."""

    STATION_WORKER = "station_worker", _("驻站社工")
    STATION_HEAD = "station_head", _("站长")
    DISTRICT_STAFF = "district_staff", _("区级指导中心")
    CITY_STAFF = "city_staff", _("市级指导中心")
    ADMIN = "admin", _("系统管理员")
    AUDITOR = "auditor", _("审计员")  # reads the audit trail city-wide, no case data
    # 五社联动: a residents' committee's staff report needs for residents of their one community and follow
    # what they reported; a volunteer reporter (信息员) submits needs and sees only their own reports.
    COMMUNITY_STAFF = "community_staff", _("居委会工作人员")
    VOLUNTEER_REPORTER = "volunteer_reporter", _("志愿者信息员")
    # 考核评估: a third-party evaluator reads the stations of the evaluations they are appointed to, for
    # the evaluation's period, read-only.
    EVALUATOR = "evaluator", _("第三方评估员")


STATION_ROLES = (Role.STATION_WORKER, Role.STATION_HEAD)
CITY_ROLES = (Role.CITY_STAFF, Role.ADMIN)


# --- Roles ---------------------------------------------------------------------------------------------


def _role(user):
    return getattr(user, "role", None)


def sees_whole_city(user) -> bool:
    """Municipal centre staff and admins (and superusers) read the whole city."""
    return bool(user.is_superuser or _role(user) in CITY_ROLES)


def is_station_user(user) -> bool:
    """A station worker or head, with her station."""
    return _role(user) in STATION_ROLES and user.station_id is not None


def is_station_head(user) -> bool:
    """The head (站长) of a station, with her station."""
    return _role(user) == Role.STATION_HEAD and user.station_id is not None


def is_district_user(user) -> bool:
    """District guidance centre staff, with their district."""
    return _role(user) == Role.DISTRICT_STAFF and user.district_id is not None


def is_admin(user) -> bool:
    return bool(user.is_superuser or _role(user) == Role.ADMIN)


def is_auditor(user) -> bool:
    """The auditor (审计员) reads the audit trail city-wide and nothing of the case data."""
    return bool(user.is_authenticated and user.is_active and _role(user) == Role.AUDITOR)


def is_community_staff(user) -> bool:
    """A residents' committee's staff member (居委会), with her community."""
    return _role(user) == Role.COMMUNITY_STAFF and getattr(user, "community_id", None) is not None


def is_volunteer_reporter(user) -> bool:
    """A volunteer reporter (志愿者信息员): submits needs, sees only her own reports."""
    return bool(user.is_authenticated and user.is_active and _role(user) == Role.VOLUNTEER_REPORTER)


def is_reporter(user) -> bool:
    """A reporter (居委会 staff or a volunteer reporter) with the station that takes her reports in: she
    submits needs and follows what she reported, and opens nothing else (sws.security.middleware)."""
    if not (user.is_authenticated and user.is_active) or getattr(user, "station_id", None) is None:
        return False
    return is_community_staff(user) or _role(user) == Role.VOLUNTEER_REPORTER


def is_evaluator(user) -> bool:
    """A third-party evaluator (第三方评估员): reads only what the evaluations she is appointed to cover."""
    return bool(user.is_authenticated and user.is_active and _role(user) == Role.EVALUATOR)


# The predicates templates may ask, as `{% if roles.is_station_user %}` (`RolePredicates`).
_ROLE_PREDICATES = (
    sees_whole_city,
    is_station_user,
    is_station_head,
    is_district_user,
    is_admin,
    is_auditor,
    is_community_staff,
    is_volunteer_reporter,
    is_reporter,
    is_evaluator,
)
PREDICATES = {predicate.__name__: predicate for predicate in _ROLE_PREDICATES}


class RolePredicates:
    """The role predicates of one user, for templates (`stations.context_processors.roles`): templates
    ask these instead of comparing role strings. An unknown name is an AttributeError, not a silent no."""

    def __init__(self, user):
        self._user = user

    def __getattr__(self, name):
        try:
            predicate = PREDICATES[name]
        except KeyError:
            raise AttributeError(name) from None
        return predicate(self._user)


# --- Object rules --------------------------------------------------------------------------------------


def _station_id(obj):
    """The pk of the station `obj` belongs to, when the object carries it (a Station, or a record with
    `station_id`); None when it hangs off the station further away (a resident, through its community)."""
    lookup = getattr(type(obj)._default_manager.all(), "station_lookup", None)
    if lookup == "pk":
        return obj.pk
    if lookup == "station":
        return obj.station_id
    return None


def works_at(user, obj) -> bool:
    """Is `user` staff of the station `obj` belongs to? The station's own work (submitting its plan, acting
    on its requests, seeing its staff's private numbers) is theirs, not an admin's."""
    if not (user.is_authenticated and user.is_active and is_station_user(user)):
        return False
    station_id = _station_id(obj)
    if station_id is not None:
        return station_id == user.station_id
    return type(obj)._default_manager.editable_by(user).filter(pk=obj.pk).exists()


def may_change(user, obj) -> bool:
    """May `user` change `obj`? Station staff their own station's records, admins everything: the rule of
    `editable_by`, for one object in hand (no query when the object carries its station)."""
    if obj is None or not (user.is_authenticated and user.is_active):
        return False
    return is_admin(user) or works_at(user, obj)


def may_review(user, record) -> bool:
    """May `user` review this station's record: approve or return an annual plan, manage an evaluation
    (考核评估: open steps, approve, rectifications)? Only the guidance centre of the station's own
    district (whatever the record's status: that is the workflow's question)."""
    return bool(
        user.is_authenticated
        and user.is_active
        and is_district_user(user)
        and record.station.district_id == user.district_id
    )


def may_decide_transfer(user, transfer) -> bool:
    """May `user` accept or decline this transfer? The receiving station's staff (head or worker), while
    it waits; the sender keeps the record until then and cannot decide for the receiver."""
    return bool(
        user.is_authenticated
        and user.is_active
        and is_station_user(user)
        and transfer.to_station_id == user.station_id
    )


def may_dispatch(user, station) -> bool:
    """May `user` dispatch (派单) a request to `station`, or away from it? The guidance centre of the
    station's own district (and admins)."""
    if not (user.is_authenticated and user.is_active) or station is None:
        return False
    return is_admin(user) or (is_district_user(user) and station.district_id == user.district_id)


def may_propose_case_transfer(user, case) -> bool:
    """May `user` propose moving this case to another station? Its lead worker, or the head of its
    station (the case's confidentiality rule is checked by casework as for any step)."""
    return works_at(user, case) and (case.lead_worker_id == user.pk or is_station_head(user))


def may_decide_case_transfer(user, transfer) -> bool:
    """May `user` accept or decline a case's transfer? The receiving station's head: she names the lead
    worker there."""
    return bool(
        user.is_authenticated
        and user.is_active
        and is_station_head(user)
        and transfer.to_station_id == user.station_id
    )


def may_hand_over(user, assignment) -> bool:
    """May `user` hand a leaving worker's open work (of `assignment`) to a colleague? The station's own
    staff and admins (`may_change`), and the guidance centre of the station's district (it steps in when
    the station has no head to do it)."""
    if may_change(user, assignment):
        return True
    return bool(
        user.is_authenticated
        and user.is_active
        and is_district_user(user)
        and assignment.station.district_id == user.district_id
    )


def has_permission(user, permission: str) -> bool:
    return bool(user.is_authenticated and user.has_perm(permission))


def may_open(user, obj) -> bool:
    """May `user` open this record (scope is checked separately, by the querysets)? A record that needs
    more than scope names the permission in its `open_permission` (a minor's or sensitive resident:
    `Resident.open_permission`); None, or no object at all, needs nothing more."""
    permission = getattr(obj, "open_permission", None) if obj is not None else None
    return permission is None or has_permission(user, permission)


def require(rule, user, obj) -> None:
    """Refuse (PermissionDenied) unless `rule(user, obj)` holds: how a service checks its acting user,
    e.g. `access.require(access.may_change, acting_user, request)` before any step on a request."""
    if not rule(user, obj):
        raise PermissionDenied


# --- Scope ---------------------------------------------------------------------------------------------


def station_reader(station):
    """A reader whose scope is exactly `station` (its head's: every record of the station, casework too),
    for a station's own figures computed on behalf of someone whose scope does not name the station: an
    appointed evaluator reading its report for her period, an evaluation's computed indicators (the
    same numbers whoever opens the evaluation). Never saved and cannot log in; the caller has already
    checked that its own user may read these figures."""
    from stations.models import User

    reader = User(username=f"station-reader-{station.pk}", role=Role.STATION_HEAD, is_active=True)
    reader.station = station
    reader.set_unusable_password()
    return reader


def district_station_ids(user) -> list[int]:
    """The pks of the stations in a district user's district: one query, kept on the user object, which
    lives for one request."""
    if getattr(user, "_district_station_ids_for", None) != user.district_id:
        from stations.models import Station

        user._district_station_ids = list(
            Station.objects.filter(district_id=user.district_id).order_by().values_list("pk", flat=True)
        )
        user._district_station_ids_for = user.district_id
    return user._district_station_ids


def scope_key(user) -> str:
    """Names the rows `visible_to(user)` returns, the same for every user with the same scope: "city",
    "district:<pk>", "station:<pk>" or "none" (a cache of scoped lists is shared only by such users)."""
    if not user.is_authenticated or not user.is_active:
        return "none"
    if sees_whole_city(user):
        return "city"
    if is_district_user(user):
        return f"district:{user.district_id}"
    if is_station_user(user):
        return f"station:{user.station_id}"
    return "none"


class ScopedQuerySet(models.QuerySet):
    station_lookup: str | None = None
    district_lookup: str | None = None
    # Large tables (requests) also name a district user's station ids: PostgreSQL then reads each
    # station's slice of the (station, …) indexes instead of joining the stations table and scanning the
    # whole city's rows (the district's open requests at 1,000,000 requests: 250 ms → 30 ms). The district
    # condition stays, so a stale list could only hide rows, never show another district's.
    name_district_stations = False

    def visible_to(self, user):
        """What `user` may read."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if sees_whole_city(user):
            return self.all()
        if is_district_user(user) and self.district_lookup:
            visible = self.filter(**{self.district_lookup: user.district_id})
            if self.name_district_stations and self.station_lookup:
                visible = visible.filter(**{f"{self.station_lookup}__in": district_station_ids(user)})
            return visible
        if is_station_user(user) and self.station_lookup:
            return self.filter(**{self.station_lookup: user.station_id})
        return self.none()

    def editable_by(self, user):
        """What `user` may change: station staff their own station's records, admins everything."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if is_admin(user):
            return self.all()
        if is_station_user(user) and self.station_lookup:
            return self.filter(**{self.station_lookup: user.station_id})
        return self.none()


class BetweenStationsQuerySet(ScopedQuerySet):
    """A move between two stations (a transfer of a request, a resident's record or a case): both ends
    see it, the sending and the receiving station's staff and both their districts' centres."""

    station_lookup = "from_station"
    district_lookup = "from_station__district"

    def visible_to(self, user):
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if sees_whole_city(user):
            return self.all()
        if is_district_user(user):
            return self.filter(
                Q(from_station__district=user.district_id) | Q(to_station__district=user.district_id)
            )
        if is_station_user(user):
            return self.filter(Q(from_station=user.station_id) | Q(to_station=user.station_id))
        return self.none()


def get_visible_or_404(queryset, user, **lookup):
    """The object if `user` may see it, else 404 (the same answer as for a missing object)."""
    if isinstance(queryset, type):
        queryset = queryset._default_manager.all()
    return get_object_or_404(queryset.visible_to(user), **lookup)


def get_editable_or_404(queryset, user, **lookup):
    """The object if `user` may change it, else 404."""
    if isinstance(queryset, type):
        queryset = queryset._default_manager.all()
    return get_object_or_404(queryset.editable_by(user), **lookup)


def role_required(*predicates):
    """View decorator: 403 unless one predicate (e.g. `is_station_user`) holds for the logged-in user.

    Use it for role gates (a station worker opening a district dashboard); object scope is still the
    querysets' job. Apply under `login_required`.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not any(p(request.user) for p in predicates):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class _SubmittedIdsChecked:
    """Django's autocomplete widgets look the submitted ids up again to show them beside the form's
    errors; a forged id that is not a number, or too big for the column, raised there (a 500). Such an
    id is left out: the field's own error ("select a valid choice") still says what is wrong."""

    def optgroups(self, name, value, attr=None):
        opts = self.field.remote_field.model._meta
        target = opts.get_field(getattr(self.field.remote_field, "field_name", None) or opts.pk.name)
        ops = connections[self.db or router.db_for_read(opts.model)].ops
        low, high = ops.integer_field_ranges.get(target.get_internal_type(), (None, None))
        kept = []
        for item in value:
            try:
                prepared = target.get_prep_value(item)
            except (TypeError, ValueError):
                continue
            if isinstance(prepared, int) and not (
                (low is None or prepared >= low) and (high is None or prepared <= high)
            ):
                continue
            kept.append(item)
        return super().optgroups(name, kept, attr)


class CheckedAutocompleteSelect(_SubmittedIdsChecked, AutocompleteSelect):
    pass


class CheckedAutocompleteSelectMultiple(_SubmittedIdsChecked, AutocompleteSelectMultiple):
    pass


class ScopedAdminMixin:
    """Admin pages list and edit only what the staff user may see; the rest is a 404.

    Within that scope, what a staff user may change is decided by model permissions (the demo gives
    district centre staff a group): a district centre maintains its district's stations, staff and
    certificates in the admin, as the foundation issue asks, while the app's own pages stay read-only for
    district and municipal staff (`editable_by`).

    Foreign-key choices and autocompletes are scoped too (`scoped_fk_querysets` maps a field name to
    the model whose `visible_to` restricts it).
    """

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        manager_qs = related._default_manager.all()
        if hasattr(manager_qs, "visible_to") and "queryset" not in kwargs:
            kwargs["queryset"] = manager_qs.visible_to(request.user)
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = CheckedAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        related = db_field.related_model
        manager_qs = related._default_manager.all()
        if hasattr(manager_qs, "visible_to") and "queryset" not in kwargs:
            kwargs["queryset"] = manager_qs.visible_to(request.user)
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = CheckedAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_object(self, request, object_id, from_field=None):
        # Django's admin answers a missing object with a redirect to the index; out of scope must look
        # exactly like missing, and be a plain 404 (change, delete, history and password pages alike).
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj

    def get_search_results(self, request, queryset, search_term):
        # Autocomplete views call this on the target admin: keep it scoped.
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if hasattr(queryset, "visible_to"):
            queryset = queryset.visible_to(request.user)
        return queryset, may_have_duplicates
