"""Fixtures for station work: a project world around the shared cast (see tests/conftest.py)."""

import pytest

from tests.projects import factories as pf


@pytest.fixture
def world(worker, other_worker, far_worker, chaoyangli, tailaixili, hualinyuan):
    """One record of every kind for 果园新村 (ours), 集贤里 (same district) and 广开 (other district)."""
    data = {}
    for key, station, community in [
        ("own", worker.station, chaoyangli),
        ("neighbour", other_worker.station, tailaixili),
        ("far", far_worker.station, hualinyuan),
    ]:
        project = pf.make_project(station, communities=[community], lead=None)
        partner = pf.make_partner(station)
        fund = pf.make_fund(station)
        pf.make_entry(fund, "500.00")
        data[key] = {
            "station": station,
            "community": community,
            "project": project,
            "activity": pf.make_activity(station, project=project, communities=[community]),
            "partner": partner,
            "resource": pf.make_resource(station, partner=partner, project=project),
            "team": pf.make_team(station),
            "organisation": pf.make_organisation(station),
            "fund": fund,
            "plan": pf.make_plan(station),
        }
    return data
