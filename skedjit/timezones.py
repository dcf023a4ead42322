"""Local date, time and zone to a UTC instant and back, with DST rules."""

import zoneinfo
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo
from zoneinfo import available_timezones

from babel.dates import format_date
from babel.dates import format_skeleton
from babel.dates import format_time
from babel.dates import get_datetime_format
from babel.dates import get_timezone_location
from flask_babel import format_timedelta
from flask_babel import gettext

from .i18n import current_locale
from .text import lazy_gettext as _l

# Names ZoneInfo accepts that are not places people live in.
_NOT_ZONES = {"localtime", "Factory", "posixrules"}
ZONES = tuple(sorted((available_timezones() - _NOT_ZONES) | {"UTC"}))
_ZONE_SET = frozenset(ZONES)


def _zone_data() -> Path | None:
    """The folder of the time-zone database ZoneInfo reads first: the system's, or tzdata's."""
    try:
        import tzdata
    except ImportError:  # pragma: no cover - it is in requirements.txt
        bundled = []
    else:
        bundled = [Path(tzdata.__file__).parent / "zoneinfo"]
    folders = [Path(folder) for folder in zoneinfo.TZPATH] + bundled
    return next((folder for folder in folders if (folder / "tzdata.zi").is_file()), None)


def read_links(folder: Path | None) -> dict[str, str]:
    """Old names (IANA's `backward` links, such as Asia/Calcutta) to the zones they now name.

    A link that is still a country's own zone in zone.tab, such as Europe/Amsterdam in a
    database built without `backzone`, is a place people name, not an old name: it stays.
    Every name of UTC leads to "UTC", the name the forms use.
    """
    if folder is None:
        return {}
    zone_tab = folder / "zone.tab"
    countries = {
        line.split("\t")[2]
        for line in (zone_tab.read_text().splitlines() if zone_tab.is_file() else [])
        if line and not line.startswith("#")
    }
    links = {}
    for line in (folder / "tzdata.zi").read_text().splitlines():
        if line.startswith("L "):
            _, target, name = line.split()
            if name not in countries and name in _ZONE_SET:
                links[name] = "UTC" if target == "Etc/UTC" else target
    links.pop("UTC", None)
    return links | {"Etc/UTC": "UTC"}


#: Old zone names to current ones; browsers still report some (Chromium: Asia/Calcutta).
LINKS = read_links(_zone_data())
#: The zones the forms offer: every zone under its current name.
CURRENT_ZONES = tuple(zone for zone in ZONES if zone not in LINKS)


def current_zone(name: str | None) -> str | None:
    """The zone's current name: Asia/Calcutta gives Asia/Kolkata; others are as they are."""
    return LINKS.get(name, name)


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


class NonexistentTimeError(ValueError):
    """The wall-clock time is skipped in that zone (clocks go forward)."""


def is_zone(name: str | None) -> bool:
    """Tell whether the name is on the allowlist of IANA zones."""
    return name in _ZONE_SET


def to_utc(day: date, clock: time, zone_name: str) -> datetime:
    """Return the UTC instant of a wall-clock time in a zone.

    An ambiguous time (the hour repeated when clocks go back) takes its first
    occurrence; a time skipped when clocks go forward raises NonexistentTimeError.
    """
    local = datetime.combine(day, clock, tzinfo=ZoneInfo(zone_name))  # fold=0: first
    instant = local.astimezone(UTC)
    if instant.astimezone(local.tzinfo).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise NonexistentTimeError(local.replace(tzinfo=None))
    return instant


def to_local(instant: datetime, zone_name: str) -> datetime:
    """Return the instant as a wall-clock time in the zone."""
    return instant.astimezone(ZoneInfo(zone_name))


def format_offset(local: datetime) -> str:
    """Return the UTC offset of an aware datetime as 'UTC+01:00', with its seconds when
    it has any (local mean time before 1911 in Paris was UTC+00:09:21)."""
    seconds = int(local.utcoffset().total_seconds())
    sign = "+" if seconds >= 0 else "-"
    minutes, seconds = divmod(abs(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}" + (f":{seconds:02d}" if seconds else "")


def _babel_locale() -> str | None:
    """The locale Babel writes dates in now, or None for Skedjit's own English."""
    locale = current_locale()
    return None if locale == "en" else locale


def format_day(day: date) -> str:
    """Return 'Saturday 12 December 2026' ('Samstag, 12. Dezember 2026' in German)."""
    locale = _babel_locale()
    if locale is not None:
        return format_date(day, "full", locale=locale)
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"


def format_clock(local: datetime) -> str:
    """Return '19:30' (or '7:30 PM' where the reader's locale writes it so)."""
    locale = _babel_locale()
    return f"{local:%H:%M}" if locale is None else format_time(local, "short", locale=locale)


def format_day_and_clock(local: datetime) -> str:
    """Return 'Saturday 12 December 2026, 19:30' in the reader's locale, without the zone."""
    locale = _babel_locale()
    if locale is None:
        return f"{format_day(local)}, {local:%H:%M}"
    pattern = get_datetime_format("medium", locale=locale).replace("'", "")
    return pattern.replace("{0}", format_clock(local)).replace("{1}", format_day(local))


def _zone_label(zone_name: str, local: datetime) -> str:
    """'Europe/Paris, UTC+01:00' (its city in the reader's language, where Babel has it)."""
    if zone_name == "UTC":
        return zone_name
    locale = _babel_locale()
    name = zone_name
    if locale is not None and "/" in zone_name:
        name = get_timezone_location(ZoneInfo(zone_name), locale=locale, return_city=True)
    return f"{name}, {format_offset(local)}"


def format_when(instant: datetime, zone_name: str) -> str:
    """Return 'Saturday 12 December 2026, 19:30 (Europe/Paris, UTC+01:00)', or '… (UTC)',
    in the reader's locale (Babel's full date and short time for theirs).

    The page's script writes the viewer's own time in the same pattern (skedjit.js).
    """
    local = to_local(instant, zone_name)
    return f"{format_day_and_clock(local)} ({_zone_label(zone_name, local)})"


#: How long an event without an end is taken to last (calendars, "has passed").
DEFAULT_DURATION = timedelta(hours=2)


def event_end(starts_at: datetime, ends_at: datetime | None) -> datetime:
    """When the event ends: its end, or DEFAULT_DURATION after the start when it has none."""
    return ends_at or starts_at + DEFAULT_DURATION


def has_passed(starts_at: datetime, ends_at: datetime | None, now: datetime) -> bool:
    """The event is over: it has ended, or started DEFAULT_DURATION ago without an end."""
    return now >= event_end(starts_at, ends_at)


_A_SECOND = timedelta(seconds=1)


def _in_words(delta: timedelta, threshold: float = 1) -> str:
    """'in 3 hours', '2 days ago': Babel's words for the delta in the reader's language,
    in the largest unit it holds `threshold` times or more (at least a minute)."""
    return format_timedelta(delta, granularity="minute", threshold=threshold, add_direction=True)


#: The distance phrase of an event that has passed (lazy: compare it as str(PASSED)).
PASSED = _l("has passed")


def describe_distance(
    starts_at: datetime, ends_at: datetime | None, zone_name: str, now: datetime
) -> str:
    """How far away the event is, in plain words: 'in 3 days', 'started 2 hours ago'.

    It changes only at whole minutes (Babel rounds, and event times have no seconds)."""
    now = now.replace(second=0, microsecond=0)
    if has_passed(starts_at, ends_at, now):
        return str(PASSED)
    if now >= starts_at:
        # Translators: %(ago)s is "1 hour ago" in the page's language, as Babel writes it.
        return gettext("started %(ago)s", ago=_in_words(min(starts_at - now, -_A_SECOND)))
    days = (to_local(starts_at, zone_name).date() - to_local(now, zone_name).date()).days
    if days == 0:
        # Translators: %(distance)s is "in 3 hours" in the page's language, as Babel writes it.
        return gettext("today, %(distance)s", distance=_in_words(starts_at - now))
    if days == 1:
        return gettext("tomorrow")
    # Days until 2 weeks, weeks until 2 months, months until 2 years; in calendar days.
    return _in_words(timedelta(days=days), threshold=2)


def format_end(starts_at: datetime, ends_at: datetime, zone_name: str) -> str:
    """The end as shown after the start: '23:00', or with its day when it differs."""
    start, end = to_local(starts_at, zone_name), to_local(ends_at, zone_name)
    if end.date() == start.date():
        return format_clock(end)
    return format_day_and_clock(end)


def format_span(
    starts_at: datetime, ends_at: datetime | None, zone_name: str, zone_shown: bool = True
) -> str:
    """The start, and the end when there is one: '… 19:30 (Europe/Paris, UTC+01:00) until 23:00'
    (or without the zone: '… 19:30 until 23:00')."""
    if zone_shown:
        when = format_when(starts_at, zone_name)
    else:
        when = format_day_and_clock(to_local(starts_at, zone_name))
    if not ends_at:
        return when
    # Translators: an event's start and end: "Saturday 12 December 2026, 19:30 (…) until 23:00".
    return gettext(
        "%(start)s until %(end)s", start=when, end=format_end(starts_at, ends_at, zone_name)
    )


def format_day_of_month(instant: datetime, zone_name: str) -> str:
    """Return '3 March' ('3. März', 'March 3' in the reader's locale) in the zone."""
    local = to_local(instant, zone_name)
    return format_skeleton("MMMMd", local, tzinfo=local.tzinfo, locale=_babel_locale() or "en_GB")
