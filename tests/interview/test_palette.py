"""The room page gives the island the board's component catalogue for its palette; the types the
problem expects come first on the interviewer's page only (they are interviewer material)."""

import json

import pytest
from django.urls import reverse

from rubrics.evidence.board import expected_component_types
from whiteboard.components import CATALOGUE
from whiteboard.services import board_write_unchecked

from ..elements import palette_box

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


def test_the_board_api_gives_palette_shapes_with_their_type_and_lane(api_for, interview, interviewer, candidate):
    shapes = [
        *palette_box("p1", "ann_index", "Vectors", x=1300, y=100, frame_id="lane-online"),
        *palette_box("p2", "labeling", "Raters", x=100, y=100, frame_id="lane-offline"),
    ]
    board_write_unchecked(board_id=interview.board_id, op_id="op-1", elements=shapes, author=candidate)
    response = api_for(interviewer).get(reverse("api_interview_board", args=[interview.pk]))
    assert response.status_code == 200
    by_id = {element["id"]: element for element in response.json()["elements"]}
    assert (by_id["p1"]["customData"], by_id["p1"]["lane"]) == ({"component": "ann_index"}, "online")
    assert (by_id["p2"]["customData"], by_id["p2"]["lane"]) == ({"component": "labeling"}, "offline")
    assert by_id["p1-text"]["lane"] == "online" and by_id["p1-text"]["containerId"] == "p1"
