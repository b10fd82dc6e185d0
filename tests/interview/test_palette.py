"""The room page gives the island the board's component catalogue for its palette; the types the
problem expects come first on the interviewer's page only (they are interviewer material)."""

import json

import pytest
from django.urls import reverse

from rubrics.evidence.board import expected_component_types
from whiteboard.components import CATALOGUE

pytestmark = pytest.mark.django_db


def room_config(client, interview) -> dict:
    response = client.get(reverse("interview_room", args=[interview.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    return json.loads(body.split('id="mocklane-room-config" type="application/json">')[1].split("</script>")[0])


def test_both_get_the_whole_catalogue_from_the_server(client_for, interview, interviewer, candidate):
    for user in (interviewer, candidate):
        components = room_config(client_for(user), interview)["palette"]["components"]
        assert [c["key"] for c in components] == [c.key for c in CATALOGUE]
        assert components[0] == {
            "key": "data_source",
            "label": "Data sources",
            "lane": "offline",
            "aliases": list(CATALOGUE[0].aliases),
        }


def test_the_interviewer_is_offered_the_problems_components_first(client_for, interview, interviewer):
    suggested = room_config(client_for(interviewer), interview)["palette"]["suggested"]
    assert suggested == expected_component_types(interview.problem.expectations)
    assert {"feature_store", "training", "model_registry", "serving"} <= set(suggested)


def test_the_candidate_is_not_told_which_components_the_problem_expects(client_for, interview, candidate):
    assert room_config(client_for(candidate), interview)["palette"]["suggested"] == []


def test_an_outsider_gets_no_palette(client_for, interview, outsider):
    assert client_for(outsider).get(reverse("interview_room", args=[interview.pk])).status_code == 404
