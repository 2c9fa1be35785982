"""Rules for the names assessments print: their key, their kind, their parts, and names inside a text.

A name is keyed by a normalisation rule (全角/半角, spaces, 株式会社 placement, a trailing long vowel:
中間サーバ = 中間サーバー, a trailing parenthesis: 地方公共団体情報システム機構(機構), kanji and Arabic
ordinals: 別表第二の第１欄 = 別表第2の第1欄, 「…に規定する情報照会者」 = 「…に掲げる者」), and then through
content/aliases.yaml for what a rule cannot decide (NEC = 日本電気株式会社). Names are never rewritten
for display: pages show them as printed.
"""

from __future__ import annotations

import re
import unicodedata

# the kinds of name, each an index page: slug → Japanese name
KIND_NAMES = {
    "organizations": "団体・事業者",
    "categories": "提供先などの区分",
    "systems": "システム",
    "files": "特定個人情報ファイル",
}

_COMPANY = re.compile(r"\s*(?:株式会社|㈱|\(株\)|（株）|有限会社|㈲|\(有\)|（有）)\s*")
_LATIN_DESIGNATION = re.compile(r",?\s*(?:Co\.,?\s*Ltd\.?|Inc\.|Corporation|Corp\.)\s*$", re.IGNORECASE)
_PAREN_TAIL = re.compile(r"\s*[(（][^()（）]*[)）]\s*$")
_LONG_VOWEL = re.compile(r"(?<=[ァ-ヺ])ー(?![ァ-ヺー])")
_BULLET = re.compile(r"^[\s・･\-‐―—●○◯■□◆◇※]+")
_KANJI_DIGITS = dict(zip("〇一二三四五六七八九", range(10), strict=True))
_ORDINAL = re.compile(r"(?<=第)[〇一二三四五六七八九十百]+")
# 「別表第二の第一欄に掲げる者」 and 「…に規定する情報照会者」 are the same category (its 第一欄 lists 情報照会者)
_CATEGORY_TAIL = re.compile(r"に(?:掲げる|規定する|定める)(?:情報照会者|照会者|者)$")
_COMMAS = re.compile(r"\s*[、，,]\s*")
_CONJUNCTIONS = re.compile(r"\s*(?:及び|並びに|および|ならびに|又は|または)\s*")
# a body named by what it is, not which one it is (a category, not an organisation)
_GENERIC = {
    "都道府県", "市町村", "市区町村", "区市町村", "市町", "他市町村", "他の市町村", "地方公共団体", "国", "県", "市",
    "教育委員会", "選挙管理委員会", "都道府県知事", "市町村長", "住民", "本人",
}
_BODY_SUFFIX = re.compile(
    r"(?:[都道府県市区町村省庁]|機構|委員会|法人|公社|協会|組合|銀行|センタ|事務所|研究所|大学|公庫|会議所)$"
)
# (matched against keys, whose trailing long vowel is gone: サーバ, センタ)
_SYSTEM_SUFFIX = re.compile(r"(?:システム|サーバ|ネットワーク|端末|センタ|機能)$")
_NONE = {"なし", "無し", "該当なし", "特になし", "ない", "ー", "―", "—", "-", "－", "‐"}
_LATIN_ABBREVIATION = re.compile(r"^[A-Z][A-Z0-9&\-]{1,9}$")
# a company name next to its designation, inside a text: (株)トウインクル, NEC(株), NTTコミュニケーションズ(株)
_NAME_CHARS = r"A-Za-z0-9&・ー\u30a0-\u30ff\u4e00-\u9fff"
_COMPANY_BEFORE = re.compile(rf"(?:株式会社|\(株\)|（株）|㈱)\s?([{_NAME_CHARS}]+?)(?=[^{_NAME_CHARS}]|[がはのにをへとで]|$)")
_COMPANY_AFTER = re.compile(rf"([{_NAME_CHARS}]+)\s?(?:株式会社|\(株\)|（株）|㈱)")
_KANA = re.compile(r"[\u3040-\u309f]")


def display_name(text: str) -> str:
    """The name as written, first line only (「住民基本台帳ネットワークシステム」 without its ※ note)."""
    return (text or "").strip().splitlines()[0].strip() if (text or "").strip() else ""


def _kanji_number(text: str) -> str:
    """二 → 2, 十九 → 19, 二十 → 20 (ordinals in law references)."""
    total, digit = 0, 0
    for ch in text:
        if ch == "十":
            total += (digit or 1) * 10
            digit = 0
        elif ch == "百":
            total += (digit or 1) * 100
            digit = 0
        else:
            digit = _KANJI_DIGITS[ch]
    return str(total + digit)


def normalize(text: str, company: bool = False) -> str:
    """Reduce a name to its key: NFKC, no spaces, no trailing parenthesis or long vowel, Arabic ordinals.

    For contractors (`company`), the company is the entity: 「日本電気株式会社 オホーツク支店」 and
    「日本電気 株式会社 東北支社」 are both 日本電気; 「株式会社アイシーエス」 is アイシーエス.
    """
    name = unicodedata.normalize("NFKC", _BULLET.sub("", display_name(text)))
    if company or has_designation(name):
        name = _LATIN_DESIGNATION.sub("", name)
        m = _COMPANY.search(name)
        if m:
            before, after = name[: m.start()].strip(), name[m.end() :].strip()
            name = before if before else after.split(" ")[0]
    name = _PAREN_TAIL.sub("", name)
    name = re.sub(r"\s+", "", name)
    name = _ORDINAL.sub(lambda m: _kanji_number(m.group()), name)
    name = _CATEGORY_TAIL.sub("に掲げる者", name)
    return _LONG_VOWEL.sub("", name)


def has_designation(text: str) -> bool:
    """Whether a name carries a corporate designation (株式会社, (株), Co., Ltd. …)."""
    name = unicodedata.normalize("NFKC", text or "")
    return bool(_COMPANY.search(name) or _LATIN_DESIGNATION.search(name))


def company_name(text: str) -> str:
    """The company a contractor belongs to, as written: 「日本電気株式会社 オホーツク支店」 → 日本電気株式会社."""
    name = display_name(text)
    m = _COMPANY.search(name)
    if not m:
        return _PAREN_TAIL.sub("", name)
    before = name[: m.start()].strip()
    return f"{before}{m.group().strip()}" if before else f"{m.group().strip()}{name[m.end() :].strip().split(' ')[0]}"


def is_name(text: str) -> bool:
    """Whether a slot holds a name at all (not 「なし」, 「—」 or an empty parenthesis)."""
    name = _PAREN_TAIL.sub("", unicodedata.normalize("NFKC", _BULLET.sub("", display_name(text)))).strip()
    return bool(name) and name not in _NONE and not name.endswith("なし") and any(ch.isalnum() for ch in name)


def parts(text: str) -> list[str]:
    """Split a compound name into the names it joins: 「都道府県及び機構」 → 都道府県, 機構.

    A long phrase (「…に掲げる者」) or one with の is one name: its 及び belongs to the phrase.
    """
    name = _PAREN_TAIL.sub("", _BULLET.sub("", display_name(text))).strip()
    out = []
    for piece in (p for p in _COMMAS.split(name) if p.strip()):
        joined = [p for p in _CONJUNCTIONS.split(piece) if p.strip()]
        if len(joined) > 1 and all(len(p) <= 20 and "の" not in p for p in joined):
            out.extend(joined)
        else:
            out.append(piece)
    return [_PAREN_TAIL.sub("", p).strip() for p in out]


def strip_bullet(text: str) -> str:
    """A name without the list mark printed before it (「・住民基本台帳ネットワークシステム」)."""
    return _BULLET.sub("", display_name(text))


def kind_of(name: str, known: set[str] = frozenset()) -> str:
    """Return whether a name (of a recipient, source, contractor …) is an organisation or a category.

    `known` are keys of names an editor listed in aliases.yaml. An organisation is a company, a
    known name, an abbreviation (J-LIS), or a proper name ending like a body (岩手県, 法務省,
    高知市教育委員会) that is not a type of body (都道府県, 教育委員会) nor a phrase (県の他の執行機関).
    """
    key = normalize(name)
    if has_designation(display_name(name)) or key in known or _LATIN_ABBREVIATION.match(key):
        return "organizations"
    if key in _GENERIC or _KANA.search(key) or key.startswith(("自", "他", "各", "当", "同", "本", "全")):
        return "categories"
    if _SYSTEM_SUFFIX.search(key) and not _BODY_SUFFIX.search(key.removesuffix("センタ")):
        return "systems"
    return "organizations" if _BODY_SUFFIX.search(key) else "categories"


def companies_in(text: str) -> list[str]:
    """Return the companies a text names with their designation, as printed: 「(株)トウインクル」, 「NEC(株)」."""
    found: list[tuple[int, str]] = []
    for m in _COMPANY_AFTER.finditer(text or ""):
        name = m.group(1)
        # a run of kanji/kana before the name is the sentence (「各サーバの保守はNEC」): keep the name's own script
        name = re.split(r"[はがのにをへとでも、。]", name)[-1]
        if name:
            found.append((m.start(1) + len(m.group(1)) - len(name), name + m.group()[len(m.group(1)) :].strip()))
    for m in _COMPANY_BEFORE.finditer(text or ""):
        name = m.group(1)
        if name and not any(start <= m.start() < start + len(w) for start, w in found):
            found.append((m.start(), m.group().strip()))
    out: list[str] = []
    for _start, written in sorted(found):
        if written not in out:
            out.append(written)
    return out


def abbreviations(text: str, names: list[str]) -> dict[str, str]:
    """Return the short names a document defines for known names: 「地方公共団体情報システム機構(以下「機構」という。)」.

    Only a short name whose characters all appear, in order, in the full name counts (機構, 住基ネット).
    """
    out: dict[str, str] = {}
    plain = unicodedata.normalize("NFKC", text or "")
    for full in names:
        full_n = unicodedata.normalize("NFKC", full)
        for m in re.finditer(re.escape(full_n) + r"\s*\((?:以下)?[「『]?([^()「」『』]{1,12}?)[」』]?(?:という。?)?\)", plain):
            short = m.group(1).strip()
            it = iter(full_n)
            if short and short != full_n and all(ch in it for ch in short):
                out.setdefault(short, full)
    return out


def occurs(name: str, text: str) -> bool:
    """Whether a name occurs in a text (a Latin abbreviation only as a whole word: NEC, not NECESSARY)."""
    plain = unicodedata.normalize("NFKC", text or "")
    name = unicodedata.normalize("NFKC", name)
    if not name:
        return False
    if not name.isascii():
        return name in plain
    return re.search(rf"(?<![A-Za-z]){re.escape(name)}(?![A-Za-z])", plain) is not None
