"""Time zones: canonical IANA names only, searchable, and aliases turned into their zone."""

import re

import pytest
from django.urls import reverse

from interview.services import profile_update
from interview.zones import canonical_zone, canonical_zones


def test_only_canonical_zones_are_offered():
    zones = set(canonical_zones())
    assert {"Asia/Kolkata", "Europe/Paris", "America/New_York", "Europe/Oslo", "UTC"} <= zones
    assert not zones & {"localtime", "Factory", "posixrules", "Asia/Calcutta", "US/Eastern", "Etc/GMT+5", "GMT"}
    assert len(zones) > 300


@pytest.mark.parametrize(
    ("given", "zone"),
    [
        ("Asia/Calcutta", "Asia/Kolkata"),
        ("US/Eastern", "America/New_York"),
        ("Europe/Kiev", "Europe/Kyiv"),
        ("Etc/UTC", "UTC"),
        (" Europe/Paris ", "Europe/Paris"),
        ("localtime", None),
        ("Factory", None),
        ("Mars/Olympus", None),
        (None, None),
    ],
)
def test_aliases_become_their_zone(given, zone):
    assert canonical_zone(given) == zone


def test_the_profile_picker_is_a_searchable_list_of_canonical_names(client_for, candidate):
    page = client_for(candidate).get(reverse("profile")).content.decode()
    box = re.search(r'<input[^>]*name="time_zone"[^>]*>', page).group(0)
    list_id = re.search(r'list="([^"]+)"', box).group(1)
    options = re.search(rf'<datalist id="{list_id}">(.*?)</datalist>', page, re.S).group(1)
    values = re.findall(r'<option value="([^"]+)">', options)
    assert values == list(canonical_zones())
    assert '<option value="Asia/Kolkata">Kolkata (Asia)</option>' in options
    assert 'value="America/New_York"' in box  # the current zone fills the box


def test_saving_an_alias_stores_the_canonical_zone(client_for, candidate):
    response = client_for(candidate).post(reverse("profile"), {"display_name": "Cal", "time_zone": "Asia/Calcutta"})
    assert response.status_code == 302
    candidate.profile.refresh_from_db()
    assert candidate.profile.time_zone == "Asia/Kolkata"
    response = client_for(candidate).post(reverse("profile"), {"display_name": "Cal", "time_zone": "localtime"})
    assert response.status_code == 200 and "Pick a time zone from the list" in response.content.decode()
    candidate.profile.refresh_from_db()
    assert candidate.profile.time_zone == "Asia/Kolkata"


def test_the_api_and_sign_up_store_canonical_zones(api_for, client, candidate, content):
    response = api_for(candidate).put(
        "/api/profile/", {"display_name": "Cal", "time_zone": "US/Eastern"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["time_zone"] == "America/New_York"
    bad = api_for(candidate).put("/api/profile/", {"display_name": "Cal", "time_zone": "Factory"}, format="json")
    assert bad.status_code == 400 and "not a known time zone" in bad.content.decode()
    profile_update(user=candidate, display_name="Cal", time_zone="Asia/Calcutta")
    candidate.profile.refresh_from_db()
    assert candidate.profile.time_zone == "Asia/Kolkata"
