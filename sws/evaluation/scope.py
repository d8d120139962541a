"""What a third-party evaluator reads beyond the evaluation pages: the monthly reports of the stations
she evaluates, for the months of her evaluations' periods (read-only). Every other page refuses her
(403 by role, 404 by scope: `visible_to` gives an evaluator nothing outside `Evaluation.visible_to`)."""

from django.http import Http404

from stations import access
from stations.access import get_visible_or_404
from stations.models import Station
from sws.models.evaluation import Evaluation


def report_station(user, pk: int, year: int, month: int):
    """(station, reader) for a station's monthly report: the station if `user` may read it that month
    (404 otherwise) and the user its figures are read as. An evaluator's figures are read as the
    station (`access.station_reader`: she is in no station's scope), only for months her evaluations cover."""
    stations = Station.objects.select_related("district")
    if access.is_evaluator(user):
        evaluations = Evaluation.objects.visible_to(user).touching_month(year, month)
        station = stations.filter(pk=pk, evaluations__in=evaluations).distinct().first()
        if station is None:
            raise Http404
        return station, access.station_reader(station)
    return get_visible_or_404(stations, user, pk=pk), user
