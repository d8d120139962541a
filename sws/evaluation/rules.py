"""Who may do what in an evaluation: the rules the services check and the pages ask.

Scope (what one sees) is the querysets' `visible_to` (`sws.models.evaluation`): station staff their
station's evaluations, district centres their district's, the city everything, an evaluator only the
evaluations she is appointed to. These rules say who acts, at which step: the station's district centre
manages (`access.may_review`: opens, returns, approves, rectifications), an appointed evaluator or the
district scores, the station's head responds, a rectification's owner (or her head) reports it done.
"""

from stations import access
from sws.models.evaluation import Evaluation, Rectification


def is_appointed(user, evaluation) -> bool:
    if not access.is_evaluator(user):
        return False
    cached = getattr(evaluation, "_prefetched_objects_cache", {}).get("evaluators")
    if cached is not None:
        return any(e.pk == user.pk for e in cached)
    return evaluation.evaluators.filter(pk=user.pk).exists()


def may_open_for(user, station) -> bool:
    return bool(access.is_district_user(user) and station.district_id == user.district_id)


def may_score(user, evaluation) -> bool:
    return evaluation.status == Evaluation.Status.SCORING and (
        access.may_review(user, evaluation) or is_appointed(user, evaluation)
    )


def may_send(user, evaluation) -> bool:
    return may_score(user, evaluation)


def may_respond(user, evaluation) -> bool:
    return bool(
        evaluation.status == Evaluation.Status.STATION_REVIEW
        and access.is_station_head(user)
        and user.is_active
        and user.station_id == evaluation.station_id
    )


def may_return(user, evaluation) -> bool:
    return evaluation.status in (
        Evaluation.Status.STATION_REVIEW,
        Evaluation.Status.DISTRICT_REVIEW,
    ) and access.may_review(user, evaluation)


def may_approve(user, evaluation) -> bool:
    return evaluation.status == Evaluation.Status.DISTRICT_REVIEW and access.may_review(user, evaluation)


def may_add_rectification(user, evaluation) -> bool:
    return evaluation.status in (
        Evaluation.Status.DISTRICT_REVIEW,
        Evaluation.Status.APPROVED,
    ) and access.may_review(user, evaluation)


def may_report(user, rectification) -> bool:
    """The owner, or the head of the station, reports an open item done."""
    return bool(
        rectification.status == Rectification.Status.OPEN
        and access.is_station_user(user)
        and user.is_active
        and user.station_id == rectification.evaluation.station_id
        and (rectification.owner_id == user.pk or access.is_station_head(user))
    )


def may_decide(user, rectification) -> bool:
    """The district closes a reported item or sends it back."""
    return rectification.status == Rectification.Status.DONE and access.may_review(
        user, rectification.evaluation
    )
