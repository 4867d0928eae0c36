"""Calendar dates written in English prose: "12 February 2025", "February 12", "2025-02-12".

The `date-unmarked` rule looks for them in prose that does not say how the date is known,
and `resolve` checks that a marked date's words agree with its dates.yaml entry. A date
needs a day: weekday names alone ("on Friday") and months ("February 2025") are not
calendar dates, and neither are bare numbers.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_ABBREVIATIONS = {"Sept": 9, **{m[:3]: n for n, m in enumerate(MONTHS, 1) if m != "May"}}
_NUMBER = {**{m: n for n, m in enumerate(MONTHS, 1)}, **_ABBREVIATIONS}
_MONTH = "(?:" + "|".join(sorted(_NUMBER, key=len, reverse=True)) + r")\b\.?"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(\d{4})\b)?"
# Month names are matched with their capital only: "may 5" is not a date, "May 5" is.
DATE = re.compile(
    rf"\b(?P<dm>({_DAY})\s+(?:of\s+)?({_MONTH}){_YEAR})"
    rf"|\b(?P<md>({_MONTH})\s+({_DAY})\b{_YEAR})"
    r"|\b(?P<iso>(\d{4})-(\d{2})-(\d{2}))\b"
)


@dataclass(frozen=True)
class Found:
    """A calendar date in a text: the words, where they are, and the day they name."""

    text: str
    start: int
    month: int
    day: int
    year: int | None = None


# Where a date can start: a word beginning with a digit or a month's first letter. `DATE`
# is tried only there (finditer tried its three branches at every word: a quarter of the
# time of a 4,000-page check).
_START = re.compile(r"\b[\dJFMASOND]")


# What every date written has: a month's name (each starts with one of these) or an ISO
# date (which has "-12-" in it). A text without either holds no date, whatever is blanked
# out of it (`wording.mask` only ever turns characters into spaces). Looked for as plain
# substrings: a regular expression starting with a word boundary or a digit tried every
# position of 24 MB of text at N = 4,000 (three times slower).
_MONTH_STARTS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_ISO_MIDDLE = re.compile(r"-\d\d-")


def may_hold_dates(text: str) -> bool:
    """False when `text` (or any text made from it by blanking parts) holds no date."""
    return any(m in text for m in _MONTH_STARTS) or _ISO_MIDDLE.search(text) is not None


def dates_in(text: str) -> list[Found]:
    """Every calendar date written in `text`, in order."""
    found, end = [], 0
    for start in _START.finditer(text):
        if start.start() < end or not (m := DATE.match(text, start.start())):
            continue
        end = m.end()
        g = m.groups()
        if m["dm"]:
            day, month, year = g[1], g[2], g[3]
        elif m["md"]:
            month, day, year = g[5], g[6], g[7]
        else:
            year, month, day = g[9], g[10], g[11]
        month_number = int(month) if month.isdigit() else _NUMBER[month.rstrip(".")]
        day_number = int(re.match(r"\d+", day)[0])
        if not 1 <= month_number <= 12:
            continue
        found.append(Found(m[0], m.start(), month_number, day_number, int(year) if year else None))
    return found


def within(found: Found, first: dt.date, last: dt.date | None) -> bool:
    """Whether the date written names a day from `first` to `last` (or `first` alone)."""
    day = first
    while day <= (last or first):
        if (found.month, found.day) == (day.month, day.day) and found.year in (None, day.year):
            return True
        day += dt.timedelta(days=1)
    return False
