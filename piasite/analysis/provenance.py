"""What a reader needs to check a version against its original, as values for pages and open data.

Where the original is (the version's `source`), whether the version's date is the 公表日 the
original prints or a date the editor derived (`date_note`, `reconstructed`), and notes on how
current it is (a draft whose comment period has ended, the five-year re-assessment rule), judged
against a reference date ("as of") that the build fixes so that output stays reproducible.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..model.content import Assessment, Site, Version
from ..model.errors import ContentProblem
from ..model.schema import _path_text, parse_item_path
from ..model.text import is_iso_date, wareki

PUBLISHED = "公表日"
DERIVED = "版の日付(推定)"
# the five-year re-assessment rule (特定個人情報保護評価に関する規則第15条), an effort duty
REASSESS_YEARS = 5


@dataclass(frozen=True)
class AsOf:
    """The date the build treats as today, and why that date (shown beside every note that uses it)."""

    iso: str
    reason: str


def as_of(explicit: str | None, version_dates: Iterable[dt.date]) -> AsOf:
    """Return the build's reference date: the one given (--build-date, PIA_BUILD_DATE), else the newest version's.

    The newest version date in the content is a date the content itself holds, so two builds of the
    same content say the same, whatever day they run.
    """
    if explicit:
        return AsOf(dt.date.fromisoformat(explicit).isoformat(), "生成時に指定された基準日")
    dates = list(version_dates)
    newest = max(dates).isoformat() if dates else "1970-01-01"
    return AsOf(newest, "このサイトに収めた版の日付のうち最も新しいもの")


def date_printed(data: dict[str, Any]) -> bool:
    """Return whether the version's date is the 公表日 its original prints (not derived by the editor)."""
    return Version(dt.date.min, data, "", None).date_printed


def date_label(data: dict[str, Any]) -> str:
    """Return what a version's date is called: 公表日, or 版の日付(推定) when the original prints none."""
    return PUBLISHED if date_printed(data) else DERIVED


@dataclass
class Provenance:
    """Where a version comes from and how current it is, for its page, its print and its feed entry."""

    pdf_url: str | None
    page_url: str | None
    retrieved_on: str | None
    checked_on: str | None
    made_from: str | None
    date_printed: bool
    date_label: str
    date_reason: str | None
    notices: list[str] = field(default_factory=list)

    @property
    def original_known(self) -> bool:
        return bool(self.pdf_url or self.page_url)


def provenance(version: Version, assessment: Assessment | None = None, when: AsOf | None = None) -> Provenance:
    """Return the provenance of a version, with the notes on how current it is when `when` is given."""
    data = version.data
    source = data.get("source") or {}
    return Provenance(
        pdf_url=source.get("pdf_url"), page_url=source.get("page_url"), retrieved_on=source.get("retrieved_on"),
        checked_on=source.get("checked_on"), made_from=source.get("made_from"),
        date_printed=date_printed(data), date_label=date_label(data), date_reason=data.get("date_note"),
        notices=freshness(version, assessment, when) if when else [],
    )


def source_summary(data: dict[str, Any]) -> str:
    """Return one sentence on where a version's original is, for the feed and the catalog."""
    source = data.get("source") or {}
    where = source.get("pdf_url") or source.get("page_url")
    text = f"原本: {where}" if where else "原本の所在は未登録"
    if source.get("checked_on"):
        text += f"(最終確認日 {wareki(source['checked_on'])})"
    return text + "。"


def _comment_ended_from(data: dict[str, Any]) -> dt.date | None:
    """Return the first day on which a draft's comment period has ended (None for a version that is no draft)."""
    pc = data.get("public_comment") or {}
    if data.get("status") == "案" and is_iso_date(pc.get("end")):
        return dt.date.fromisoformat(pc["end"]) + dt.timedelta(days=1)
    return None


def _reassessment_due(version: Version, is_latest: bool) -> dt.date | None:
    """Return the day five years after the latest version (None for an older or an ended one)."""
    if not is_latest or version.data.get("status") == "終了":
        return None
    try:
        return version.date.replace(year=version.date.year + REASSESS_YEARS)
    except ValueError:  # 29 February
        return version.date.replace(year=version.date.year + REASSESS_YEARS, day=28)


def freshness_deadlines(assessment: Assessment) -> list[dt.date]:
    """Return the days on which the freshness notes of an assessment's pages appear (see `freshness`).

    Pages built as of one date stay right as of another when no deadline lies between the two.
    """
    days = [_comment_ended_from(v.data) for v in assessment.versions]
    days.append(_reassessment_due(assessment.latest, True))
    return sorted(d for d in days if d is not None)


def freshness(version: Version, assessment: Assessment | None, when: AsOf) -> list[str]:
    """Return the notes on how current a version is as of `when`: an ended comment period, the five-year rule."""
    data = version.data
    today = dt.date.fromisoformat(when.iso)
    # The date itself is stated once, on the home page (templates link 基準日 there): a page then
    # changes only when a note appears or goes, not whenever the reference date moves.
    basis = "(このサイトの基準日の時点)"
    notes = []
    is_latest = assessment is None or version is assessment.latest
    pc = data.get("public_comment") or {}
    ended_from = _comment_ended_from(data)
    if ended_from is not None and ended_from <= today:
        text = f"意見募集は{wareki(pc['end'])}に終了しました{basis}。"
        if is_latest:
            text += ("意見募集の後に公表された評価書(確定版)は、このサイトには掲載していません。"
                     "最新の内容は評価実施機関の公表ページでご確認ください。")
        notes.append(text)
    due = _reassessment_due(version, is_latest)
    if due is not None and due <= today:
        notes.append(
            f"この評価書の最新の版({date_label(data)} {wareki(version.iso)})から"
            f"{REASSESS_YEARS}年以上が経過しています"
            f"{basis}。特定個人情報保護評価に関する規則第15条により、評価実施機関は、評価書を公表してから"
            f"{REASSESS_YEARS}年を経過する前に評価を再実施するよう努めるものとされています。"
            "このサイトでは、再実施の有無や新しい版の公表の有無は確認していません。"
        )
    return notes


# --- validation -------------------------------------------------------------------------------------

_WAREKI = re.compile(r"(令和|平成|昭和)(元|\d{1,2})年(\d{1,2})月(\d{1,2})日")
_ERA_START = {"令和": 2019, "平成": 1989, "昭和": 1926}


def wareki_dates(text: str) -> list[dt.date]:
    """Return the Japanese-era dates written in full in a text (令和6年11月5日)."""
    found = []
    for m in _WAREKI.finditer(unicodedata.normalize("NFKC", text)):
        year = _ERA_START[m.group(1)] + (1 if m.group(2) == "元" else int(m.group(2))) - 1
        try:
            found.append(dt.date(year, int(m.group(3)), int(m.group(4))))
        except ValueError:
            continue
    return found


def _strings(value: Any, path: tuple) -> Iterable[tuple[tuple, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _strings(v, (*path, i))


def trust_problems(site: Site) -> list[ContentProblem]:
    """Warn where a version's date contradicts its own Ⅵ dates, and where a transcription note points nowhere."""
    problems = []
    for assessment in site.assessments:
        for version in assessment.versions:
            problems.extend(_date_conflicts(version))
            problems.extend(_note_targets(site, version))
    return problems


def _date_conflicts(version: Version) -> list[ContentProblem]:
    """A published version cannot predate its own assessment procedure (Ⅵ 評価実施手続: comment, inspection)."""
    data = version.data
    # a draft is dated before its comment period; a reconstructed version keeps its later version's Ⅵ
    if data.get("status") == "案" or data.get("reconstructed") or version.loaded is None:
        return []
    out = []
    for path, text in _strings(data.get("procedures") or {}, ("procedures",)):
        dates = [dt.date.fromisoformat(text)] if is_iso_date(text) else wareki_dates(text)
        later = [d for d in dates if d > version.date]
        if later:
            line, col = version.loaded.position(path)
            out.append(ContentProblem(
                version.source, line, col,
                f"{date_label(data)}の{wareki(version.iso)}より後の日付({wareki(max(later))})が評価実施手続に"
                "書かれています。公表は評価実施手続の後なので、版の日付(ファイル名)が正しいか確かめてください"
                "(原本に公表日の記載がないときは、date_note に日付の根拠を書きます)。",
                _path_text(path), severity="warning",
            ))
    return out


def _note_targets(site: Site, version: Version) -> list[ContentProblem]:
    """A transcription note must name an item of the form (the page shows it next to that item)."""
    if version.loaded is None:
        return []
    schema = site.schemas.assessment
    root = schema.root_for(version.data)
    out = []
    for i, entry in enumerate(version.data.get("transcription_notes") or []):
        path = parse_item_path(entry.get("item", ""))
        if path and schema.at(root, path) is None:
            line, col = version.loaded.position(("transcription_notes", i, "item"))
            out.append(ContentProblem(
                version.source, line, col,
                f"書き起こしの注記の項目の位置「{entry.get('item')}」は、この様式にない項目です。"
                "unavailable と同じ書き方(例: files[0].overview.basic.kind)で書いてください。",
                f"transcription_notes[{i}].item", severity="warning",
            ))
    return out
