"""Wall-clock times in IANA zones: the allowlist, DST rules and display."""

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from zoneinfo import ZoneInfo

import pytest

from skedjit import timezones
from skedjit.timezones import NonexistentTimeError
from skedjit.timezones import format_when
from skedjit.timezones import to_utc


def test_allowlist_has_real_zones_and_utc_but_no_pseudo_zones():
    assert {"Europe/Paris", "America/New_York", "Asia/Kolkata", "UTC"} <= set(timezones.ZONES)
    assert not {"localtime", "Factory", "posixrules"} & set(timezones.ZONES)
    assert list(timezones.ZONES) == sorted(timezones.ZONES)


@pytest.mark.parametrize("name", ["Europe/Paris", "UTC"])
def test_listed_zone_is_a_zone(name):
    assert timezones.is_zone(name)


@pytest.mark.parametrize("name", ["localtime", "Factory", "posixrules", "", None, "../etc"])
def test_other_names_are_not_zones(name):
    assert not timezones.is_zone(name)


def test_an_offset_with_seconds_shows_them():
    # Paris kept its local mean time, 9 minutes 21 seconds ahead of Greenwich, until 1911.
    assert format_when(datetime(1900, 6, 1, 12, 0, tzinfo=UTC), "Europe/Paris") == (
        "Friday 1 June 1900, 12:09 (Europe/Paris, UTC+00:09:21)"
    )
    assert (
        timezones.format_offset(
            datetime(2026, 6, 1, tzinfo=UTC).astimezone(ZoneInfo("America/Sao_Paulo"))
        )
        == "UTC-03:00"
    )


def test_winter_and_summer_offsets():
    assert to_utc(date(2026, 12, 12), time(19, 30), "Europe/Paris") == datetime(
        2026, 12, 12, 18, 30, tzinfo=UTC
    )
    assert to_utc(date(2026, 7, 10), time(19, 30), "Europe/Paris") == datetime(
        2026, 7, 10, 17, 30, tzinfo=UTC
    )


def test_skipped_time_raises():
    with pytest.raises(NonexistentTimeError):
        to_utc(date(2026, 3, 29), time(2, 30), "Europe/Paris")


def test_time_just_after_the_gap_exists():
    assert to_utc(date(2026, 3, 29), time(3, 0), "Europe/Paris") == datetime(
        2026, 3, 29, 1, 0, tzinfo=UTC
    )


def test_repeated_time_takes_its_first_occurrence():
    assert to_utc(date(2026, 11, 1), time(1, 30), "America/New_York") == datetime(
        2026, 11, 1, 5, 30, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("instant", "zone", "expected"),
    [
        (
            datetime(2026, 12, 12, 18, 30, tzinfo=UTC),
            "Europe/Paris",
            "Saturday 12 December 2026, 19:30 (Europe/Paris, UTC+01:00)",
        ),
        (
            datetime(2026, 7, 4, 1, 5, tzinfo=UTC),
            "America/Los_Angeles",
            "Friday 3 July 2026, 18:05 (America/Los_Angeles, UTC-07:00)",
        ),
        (
            datetime(2026, 1, 1, 0, 0, tzinfo=UTC),
            "Asia/Kathmandu",
            "Thursday 1 January 2026, 05:45 (Asia/Kathmandu, UTC+05:45)",
        ),
        (
            datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
            "UTC",
            "Monday 2 March 2026, 09:00 (UTC)",
        ),
    ],
)
def test_format_when(instant, zone, expected):
    assert format_when(instant, zone) == expected


@pytest.mark.parametrize(
    ("old", "current"),
    [
        ("Asia/Calcutta", "Asia/Kolkata"),
        ("Europe/Kiev", "Europe/Kyiv"),
        ("US/Pacific", "America/Los_Angeles"),
        ("Asia/Saigon", "Asia/Ho_Chi_Minh"),
        ("Etc/UTC", "UTC"),
        ("Zulu", "UTC"),
    ],
)
def test_an_old_zone_name_gives_the_current_one(old, current):
    assert timezones.current_zone(old) == current
    assert timezones.is_zone(old)  # events stored under it keep working
    assert old not in timezones.CURRENT_ZONES
    assert current in timezones.CURRENT_ZONES


@pytest.mark.parametrize("name", ["Europe/Paris", "Europe/Amsterdam", "Asia/Kolkata", "UTC"])
def test_a_current_zone_name_stays_as_it_is(name):
    assert timezones.current_zone(name) == name
    assert name in timezones.CURRENT_ZONES


def test_links_that_are_a_countrys_own_zone_are_not_old_names(tmp_path):
    # A database built without `backzone` makes Amsterdam a link to Brussels: the Dutch
    # still name their own zone, so it stays on the list.
    (tmp_path / "tzdata.zi").write_text(
        "# version 2026a\n"
        "Z Europe/Brussels 0:17:30 - LMT 1880\n"
        "L Europe/Brussels Europe/Amsterdam\n"
        "L Asia/Kolkata Asia/Calcutta\n"
        "L Etc/UTC UTC\n"
        "L Etc/UTC Zulu\n"
        "L Europe/Nowhere Atlantis/Capital\n"
    )
    (tmp_path / "zone.tab").write_text(
        "# country\tcoordinates\tTZ\n"
        "BE\t+5050+00420\tEurope/Brussels\n"
        "NL\t+5222+00454\tEurope/Amsterdam\n"
    )
    assert timezones.read_links(tmp_path) == {
        "Asia/Calcutta": "Asia/Kolkata",
        "Zulu": "UTC",
        "Etc/UTC": "UTC",
    }


def test_without_a_zone_database_file_no_name_is_old():
    assert timezones.read_links(None) == {}


def test_without_zone_tab_every_link_is_an_old_name(tmp_path):
    (tmp_path / "tzdata.zi").write_text("L Asia/Kolkata Asia/Calcutta\n")
    assert timezones.read_links(tmp_path) == {"Asia/Calcutta": "Asia/Kolkata", "Etc/UTC": "UTC"}
