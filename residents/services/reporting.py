"""Needs reported by 居委会 staff and volunteer reporters (五社联动): a request of their station, with the
channel saying who reported it (居委会转办 / 志愿者上报) and the reporter as its `created_by`."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from residents import timeline
from residents.models import Request, Resident, TimelineEvent
from residents.services.intake import _create_request
from residents.services.requests import record_event
from stations import access
from stations.models import Community


def reporter_communities(user):
    """The communities `user` may report for: a 居委会 member her own; a volunteer reporter those her
    station serves."""
    if access.is_community_staff(user) and access.is_reporter(user):
        return Community.objects.filter(pk=user.community_id)
    if access.is_reporter(user):
        return Community.objects.filter(street__station_id=user.station_id)
    return Community.objects.none()


def report_need(
    *, acting_user, community, category, description, resident_name="", resident_phone="", id_number=""
) -> Request:
    """A need reported by a reporter: new (the station triages it), the resident linked when the ID
    number matches one registered in that community, the station's staff told as for a QR request."""
    if not access.is_reporter(acting_user):
        raise PermissionDenied
    if not reporter_communities(acting_user).filter(pk=community.pk).exists():
        raise ValidationError({"community": "只能为本社区（本站服务的社区）上报需求。"})
    channel = (
        Request.Channel.COMMITTEE if access.is_community_staff(acting_user) else Request.Channel.VOLUNTEER
    )
    resident = None
    if id_number:
        # Only within the community: a reporter never learns (or links) anyone registered elsewhere.
        resident = Resident.objects.with_id_number(id_number).filter(community=community).first()
    with transaction.atomic():
        request, _created = _create_request(
            acting_user=acting_user,
            station=community.street.station,
            community=community,
            category=category,
            description=description,
            severity="mild",
            urgency="not_urgent",
            channel=channel,
            resident=resident,
            reporter_name=resident_name,
            reporter_phone=resident_phone,
            submission_token=None,
        )
        record_event(
            request,
            actor=acting_user,
            kind=TimelineEvent.Kind.NOTE,
            text=timeline.reported_by(acting_user, Request.Channel(channel).label, id_number, resident),
        )
    return request
