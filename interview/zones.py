"""The time zones people may choose: canonical IANA names only.

`zoneinfo.available_timezones()` also lists every backward-compatible alias (`Asia/Calcutta`,
`US/Eastern`), files that are not places at all (`localtime`, `Factory`, `posixrules`) and the
`Etc/GMT+5` family whose sign reads backwards. People choose from the zones of the tz database's
zone.tab (one or more per country, `Asia/Kolkata`, `Europe/Oslo`) plus `UTC`; an alias a browser or
an API client sends (older browsers report `Asia/Calcutta`) is turned into its canonical zone with
the database's own links (tzdata.zi)."""

import zoneinfo
from functools import cache
from importlib import resources

UTC = "UTC"
_UTC_NAMES = {"Etc/UTC", "Etc/GMT", "GMT"}


def _tzdata_text(name: str) -> str:
    return resources.files("tzdata").joinpath("zoneinfo", name).read_text(encoding="utf-8")


@cache
def canonical_zones() -> tuple[str, ...]:
    """Every zone offered, sorted: zone.tab's zones and UTC (read once per process)."""
    available = zoneinfo.available_timezones()
    names = {
        line.split("\t")[2].strip()
        for line in _tzdata_text("zone.tab").splitlines()
        if line and not line.startswith("#")
    }
    return tuple(sorted(name for name in names | {UTC} if name in available))


@cache
def _links() -> dict[str, str]:
    """alias -> target, from the tz database's links (`L target alias`)."""
    links = {}
    for line in _tzdata_text("tzdata.zi").splitlines():
        if line.startswith("L "):
            _, target, alias = line.split()[:3]
            links[alias] = target
    return links


def canonical_zone(name: str) -> str | None:
    """The canonical zone for `name` (itself, or the zone an alias points to), else None."""
    if not isinstance(name, str):
        return None
    name = name.strip()
    offered = set(canonical_zones())
    for _ in range(4):  # links point at a zone, at most a couple of hops away
        if name in offered:
            return name
        if name in _UTC_NAMES:
            return UTC
        if name not in _links():
            return None
        name = _links()[name]
    return None


def zone_label(name: str) -> str:
    """How the picker shows a zone: 'Kolkata (Asia)', 'Argentina/Buenos Aires (America)', 'UTC'."""
    region, _, place = name.partition("/")
    return f"{place.replace('_', ' ')} ({region})" if place else name
