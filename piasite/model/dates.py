"""Read a whole date written in a form other than ISO (2015/6/1, 平成27年6月1日 …), to suggest the ISO form."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

# first year of each era (元年); letters as some documents abbreviate them (H27.6.1)
_ERA_START = {"令和": 2019, "平成": 1989, "昭和": 1926, "大正": 1912, "明治": 1868, "R": 2019, "H": 1989, "S": 1926}
_FIRST_DAY = {"令和": dt.date(2019, 5, 1), "平成": dt.date(1989, 1, 8), "昭和": dt.date(1926, 12, 25),
              "大正": dt.date(1912, 7, 30)}
_FIRST_DAY.update(R=_FIRST_DAY["令和"], H=_FIRST_DAY["平成"], S=_FIRST_DAY["昭和"])
_SEP = r"\s*[-/.年]\s*"
_WEEKDAY = r"(?:\s*\(?[月火水木金土日](?:曜日?)?\)?)?"
_WESTERN = re.compile(rf"(\d{{4}}){_SEP}(\d{{1,2}})\s*[-/.月]\s*(\d{{1,2}})\s*日?{_WEEKDAY}")
_ERA = re.compile(
    rf"(令和|平成|昭和|大正|明治|[RHS])\s*(元|\d{{1,2}}){_SEP}(\d{{1,2}})\s*[-/.月]\s*(\d{{1,2}})\s*日?{_WEEKDAY}"
)
_DIGITS = re.compile(r"(\d{4})(\d{2})(\d{2})")


def suggest_iso(value: object) -> str | None:
    """Return the ISO form (YYYY-MM-DD) of a value that is one whole, real date written otherwise, else None.

    Full-width digits and brackets are read as ASCII (NFKC); a weekday after the date is allowed.
    A value that is already ISO, or a period, a month only or any other text, gives None.
    """
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    text = unicodedata.normalize("NFKC", str(value)).strip().upper()
    year = month = day = None
    if m := _WESTERN.fullmatch(text) or _DIGITS.fullmatch(text):
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    elif m := _ERA.fullmatch(text):
        era = m.group(1)
        year = _ERA_START[era] + (0 if m.group(2) == "元" else int(m.group(2)) - 1)
        month, day = int(m.group(3)), int(m.group(4))
    if year is None:
        return None
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return None
    if m.re is _ERA and date < _FIRST_DAY.get(m.group(1), dt.date.min):
        return None  # 令和1年1月1日 does not exist
    iso = date.isoformat()
    return None if iso == str(value) else iso
