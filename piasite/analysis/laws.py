"""Find law citations (法令の条項) in the assessments' text, for per-law and per-article pages.

Pure functions over strings: `find_abbreviations` reads the abbreviations a document defines
(「住民基本台帳法（…。以下「住基法」という。）」), and `parse_citations` returns every citation of a law,
order or ordinance with its normalised article, paragraph and item, plus the article-like fragments
it could not attribute to a law. It never guesses a law: a bare 「第30条の6」 is attributed only to a
law cited earlier in the same string.

All matching runs on a per-character NFKC copy of the input (full-width digits and brackets become
ASCII) with a map back to the original offsets, so `Citation.start`/`end` index the caller's string.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from dataclasses import dataclass

from ..model.fold import fold

__all__ = ["BANGO_HO", "BUILTIN_ABBREVIATIONS", "Citation", "JUKI_HO", "find_abbreviations", "parse_citations"]

JUKI_HO = "住民基本台帳法"
BANGO_HO = "行政手続における特定の個人を識別するための番号の利用等に関する法律"

# Every document uses these even where a field does not define them.
BUILTIN_ABBREVIATIONS: dict[str, str] = {
    "住基法": JUKI_HO,
    "番号法": BANGO_HO,
    "番号利用法": BANGO_HO,
    "マイナンバー法": BANGO_HO,
}

# Readable URL slugs for the laws every assessment cites; any other law gets a hash slug.
_LAW_SLUGS = {
    JUKI_HO: "jumin-kihon-daicho-ho",
    JUKI_HO + "施行令": "jumin-kihon-daicho-ho-shikorei",
    BANGO_HO: "bango-ho",
}

_KANJI_DIGITS = "〇一二三四五六七八九"
_KANJI_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUM = r"(?:\d+|[〇一二三四五六七八九十百千]+)"
_REF = re.compile(
    rf"(?:(?<![\u4e00-\u9fff])(?P<same>同法?))?"
    rf"(?:(?P<fusoku>附則)?第(?P<art>{_NUM})条(?P<sub>(?:の{_NUM})*)(?:第(?P<para>{_NUM})項)?(?:第(?P<item>{_NUM})号)?"
    rf"|別表第(?P<table>{_NUM})"
    rf"|第(?P<bpara>{_NUM})項(?:第(?P<bitem>{_NUM})号)?|第(?P<bnum>{_NUM})号)"
)
# Article numbers written without 第 (「法30条45」, 「26条の3」): reported, never parsed.
_LOOSE_REF = re.compile(r"法\d+条(?:の?\d+)*|(?<![第\d])\d+条(?:の\d+)+")
# Kind words that end the name of an act, order or ordinance (法, 法律, 政令/省令/命令/施行令, 規則, 条例, 規程).
_SUFFIX = re.compile(r"(?:法|法律|令|規則|条例|規程)$")
_NOT_NAMES = {"法", "法律", "法令", "命令", "省令", "政令", "府令", "施行令", "条例", "規則", "規程", "同法", "本法"}
_EXTENSION = re.compile(r"施行(?:令|規則|条例|規程)")
# A name written in kanji/katakana, possibly joined by particles that occur inside law titles.
_RUN = r"[\u4e00-\u9fff々〆ヶァ-ヺー]+"
_NAME_RUN = re.compile(rf"{_RUN}(?:(?:及び|並びに|の|に関する|における|による){_RUN})*$")
_DELIMITERS = set("\n\r\t 、。,.・○●◎◇◆□■※「」『』()[]【】<>＜＞:;!?/")
_PROMULGATION = re.compile(rf"^(?:明治|大正|昭和|平成|令和).*?(?:法律|政令|省令|府令|規則|条例|告示|命令)第{_NUM}号")
_DEFINITION = re.compile(r"以下、?「([^」]+)」という")
# Where a definition without an anchor starts: after the last of these particles.
_DEFINITION_CUT = re.compile(r".*(?:については|について|により|に基づき|に基づく|において|は|が)")


@dataclass(frozen=True)
class Citation:
    """One citation of a law (or order/ordinance), with its position in the source string."""

    law: str  # full name, e.g. 「住民基本台帳法」 (abbreviations resolved, numbers in arabic)
    article: str | None  # 「第30条の6」, 「別表第2」, 「附則第1条」; None when only the law is named
    paragraph: str | None  # 「第1項」
    item: str | None  # 「第8号」
    text: str  # the exact substring of the input that was parsed
    start: int  # text == input[start:end]
    end: int

    @property
    def law_key(self) -> str:
        """Return a stable ASCII slug for the law, readable for the common laws."""
        return law_key(self.law)

    @property
    def article_key(self) -> str | None:
        """Return a URL slug for the article: 「第30条の6」 → "30-6", 「別表第2」 → "beppyo-2"."""
        return article_key(self.article)


@functools.lru_cache(maxsize=4096)
def law_key(law: str) -> str:
    """Return the URL slug of a law's full name."""
    return _LAW_SLUGS.get(law) or "law-" + hashlib.sha1(law.encode("utf-8")).hexdigest()[:8]


@functools.lru_cache(maxsize=16384)
def article_key(article: str | None) -> str | None:
    """Return the URL slug of a normalised article, or None."""
    if article is None:
        return None
    prefix = "beppyo-" if article.startswith("別表") else "fusoku-" if article.startswith("附則") else ""
    return prefix + "-".join(re.findall(r"\d+", article))


def _kanji_int(numeral: str) -> int:
    """Convert a numeral (arabic, or kanji such as 十九, 百二十, 一〇五) to an int."""
    if numeral.isdigit() and numeral.isascii():
        return int(numeral)
    total = current = 0
    for ch in numeral:
        if ch in _KANJI_UNITS:
            total += (current or 1) * _KANJI_UNITS[ch]
            current = 0
        else:
            current = current * 10 + _KANJI_DIGITS.index(ch)
    return total + current


def _int_kanji(number: int) -> str:
    """Write an int in kanji the way statutes do (19 → 十九, 120 → 百二十)."""
    out = ""
    for unit, value in (("千", 1000), ("百", 100), ("十", 10)):
        digit, number = divmod(number, value)
        if digit:
            out += ("" if digit == 1 else _KANJI_DIGITS[digit]) + unit
    return out + (_KANJI_DIGITS[number] if number else "")


def _canonical(name: str) -> str:
    """Normalise a law name: NFKC, and arabic numbers in 第…条/項/号/表 so spellings group together."""
    name = unicodedata.normalize("NFKC", name)
    return re.sub(
        rf"第({_NUM})(?=[条項号表])|(?<=別表)第({_NUM})", lambda m: f"第{_kanji_int(m.group(1) or m.group(2))}", name
    )


class _Text:
    """An NFKC copy of a string with offsets back to the original and its bracket pairs."""

    def __init__(self, original: str) -> None:
        self.original = original
        self.norm, origin = fold(original)
        self.origin = list(range(len(original) + 1)) if origin is None else origin + [len(original)]
        self.close_of: dict[int, int] = {}
        self.open_of: dict[int, int] = {}
        stack: list[int] = []
        for i, ch in enumerate(self.norm if "(" in self.norm else ""):
            if ch == "(":
                stack.append(i)
            elif ch == ")" and stack:
                start = stack.pop()
                self.close_of[start], self.open_of[i] = i, start

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of the normalised text to the original string."""
        return self.origin[start], (self.origin[end - 1] + 1 if end > start else self.origin[start])

    def source(self, start: int, end: int) -> str:
        """Return the original substring behind a normalised span."""
        a, b = self.span(start, end)
        return self.original[a:b]


class _Names:
    """The known law names (abbreviations and full names), matched in either numeral spelling."""

    def __init__(self, abbreviations: dict[str, str]) -> None:
        self.full: dict[str, str] = {}
        for short, full in abbreviations.items():
            self.full[_canonical(short)] = _canonical(full)
            self.full[_canonical(full)] = _canonical(full)
        pieces = sorted(self.full, key=len, reverse=True)
        alternatives = "|".join(self._pattern(p) for p in pieces)
        self.regex = re.compile(rf"(?P<name>{alternatives})(?P<ext>{_EXTENSION.pattern})?")

    @staticmethod
    def _pattern(name: str) -> str:
        """Return a pattern matching a canonical name with its numbers in arabic or kanji."""
        parts = re.split(r"(\d+)", name)
        return "".join(f"(?:{p}|{_int_kanji(int(p))})" if i % 2 else re.escape(p) for i, p in enumerate(parts))

    def resolve(self, written: str) -> str:
        """Return the full name for a matched name such as 「住基法」 or 「住基法施行令」."""
        canonical = _canonical(written)
        ext = _EXTENSION.search(canonical)
        if ext and ext.end() == len(canonical) and canonical[: ext.start()] in self.full:
            return self.full[canonical[: ext.start()]] + ext.group(0)
        return self.full.get(canonical, canonical)


def _is_skip_paren(text: _Text, start: int, names: _Names) -> bool:
    """Whether the bracket at `start` only annotates a name: promulgation number, definition or abbreviation."""
    end = text.close_of.get(start)
    if end is None:
        return False
    inner = text.norm[start + 1 : end]
    return bool(_PROMULGATION.match(inner) or _DEFINITION.search(inner) or _canonical(inner) in names.full)


def _generic_name(segment: str, names: _Names, quoted: bool, definition: bool = False) -> tuple[int, str] | None:
    """Find a law name at the end of `segment`; return (offset in segment, canonical name) or None."""
    if not _SUFFIX.search(segment):
        return None
    if quoted:
        return 0, _canonical(segment)
    anchors = list(names.regex.finditer(segment))
    if anchors and anchors[-1].end() == len(segment):
        return anchors[-1].start(), names.resolve(anchors[-1].group(0))
    if anchors:  # a longer name built on a known one, e.g. 「…法律の施行に伴う関係法律の整備等に関する法律」
        offset = anchors[-1].start()
    elif definition:  # the document names it explicitly, so take the clause (「高知市…に関する条例」)
        cut = _DEFINITION_CUT.match(segment)
        offset = cut.end() if cut else 0
    else:
        run = _NAME_RUN.search(segment)
        if not run:
            return None
        offset = run.start()
    name = _canonical(segment[offset:])
    if name in _NOT_NAMES or name.endswith("方法") or not _SUFFIX.search(name):
        return None
    return offset, name


def _segment_start(norm: str, end: int, floor: int = 0) -> int:
    """Return where a name ending at `end` can start: after the last delimiter (or `floor`)."""
    i = end
    while i > floor and norm[i - 1] not in _DELIMITERS:
        i -= 1
    return i


def _skip_back(text: _Text, end: int, names: _Names) -> tuple[int, bool]:
    """Step back over spaces, annotating brackets and a closing 」 before a reference; return (pos, quoted)."""
    norm, quoted = text.norm, False
    while end > 0:
        ch = norm[end - 1]
        if ch in " \t":
            end -= 1
        elif ch == ")" and end - 1 in text.open_of and _is_skip_paren(text, text.open_of[end - 1], names):
            end = text.open_of[end - 1]
        elif ch == "」" and not quoted:
            end, quoted = end - 1, True
        else:
            break
    return end, quoted


@functools.lru_cache(maxsize=64)
def _names_for(items: tuple[tuple[str, str], ...]) -> _Names:
    """Return the compiled names for a set of abbreviations (one document's set is reused for every field)."""
    return _Names(dict(items))


def _merged(abbreviations: dict[str, str] | None, text: str) -> _Names:
    """Return the built-in abbreviations extended by those the text and the caller define."""
    merged = dict(BUILTIN_ABBREVIATIONS)
    merged.update(find_abbreviations(text))
    merged.update(abbreviations or {})
    return _names_for(tuple(sorted(merged.items())))


def find_abbreviations(text: str) -> dict[str, str]:
    """Return the abbreviations a text defines, e.g. {"住基法": "住民基本台帳法"}.

    Reads 「名称（…。以下「略称」という。）」 and 「名称（略称）」 where both end like a law's name. Pass a
    whole document (its strings joined with newlines) to get the definitions that apply to every field.
    """
    names = _names_for(tuple(sorted(BUILTIN_ABBREVIATIONS.items())))
    t = _Text(text)
    norm, found = t.norm, {}
    for open_, close in sorted(t.close_of.items()):
        inner = norm[open_ + 1 : close]
        definition = _DEFINITION.search(inner)
        if definition:
            short = definition.group(1)
        elif len(inner) <= 15 and _SUFFIX.search(inner) and not re.search(r"\d|第|以下", inner):
            short = inner  # 「住民基本台帳法(住基法)」
        else:
            continue
        end = open_
        while end > 0 and norm[end - 1] == ")" and end - 1 in t.open_of:  # 「…法律(平成25年…号)(以下…)」
            end = t.open_of[end - 1]
        quoted = end > 0 and norm[end - 1] == "」"  # 「「…法律」(令和元年法律第16号。以下…)」
        end -= quoted
        start = _segment_start(norm, end)
        quoted = quoted and start > 0 and norm[start - 1] == "「"
        named = _generic_name(norm[start:end], names, quoted, definition=bool(definition))
        if named and _canonical(short) != named[1]:
            found[_canonical(short)] = named[1]
            names = _names_for(tuple(sorted({**BUILTIN_ABBREVIATIONS, **found}.items())))
    return found


@dataclass
class _Token:
    kind: str  # "name" or "ref"
    start: int
    end: int
    law: str | None = None  # a name token's law, or the law a reference is attached to
    name_start: int | None = None  # where the attached name starts
    match: re.Match[str] | None = None


def _tokens(t: _Text, names: _Names) -> list[_Token]:
    """Return the name and reference tokens of a text, with names attached to the references they head."""
    skips = [(o, t.close_of[o]) for o in t.close_of if _is_skip_paren(t, o, names)]

    def skipped(pos: int) -> bool:
        return any(o < pos < c for o, c in skips)

    name_tokens: list[_Token] = []
    for m in names.regex.finditer(t.norm):
        if skipped(m.start()) or (not m.group("ext") and t.norm.startswith("令", m.end())):
            continue  # inside an annotation, or 「番号法令」 (the Act and its orders), not one instrument
        name_tokens.append(_Token("name", m.start(), m.end(), law=names.resolve(m.group(0))))
    refs = [
        _Token("ref", m.start(), m.end(), match=m)
        for m in _REF.finditer(t.norm)
        if not skipped(m.start()) and not any(n.start <= m.start() < n.end for n in name_tokens)
    ]
    previous_end = 0
    for ref in refs:
        m = ref.match
        assert m is not None
        if m.group("same") or (m.group("art") is None and m.group("table") is None):
            previous_end = ref.end
            continue
        end, quoted = _skip_back(t, ref.start, names)
        head = next((n for n in name_tokens if n.end == end), None)
        if head is not None and head.start >= previous_end:
            ref.law, ref.name_start = head.law, head.start
            name_tokens.remove(head)
        elif end > previous_end:
            start = _segment_start(t.norm, end, previous_end)
            quoted = quoted and start > 0 and t.norm[start - 1] == "「"
            named = _generic_name(t.norm[start:end], names, quoted)
            if named and start == previous_end and re.match(r"(?:に基づく|の規定による|による)", t.norm[start:end]):
                named = None  # the tail of a title built on the previous reference (「…第8号に基づく…命令」)
            if named:
                ref.law, ref.name_start = named[1], start + named[0]
                name_tokens = [n for n in name_tokens if n.end <= ref.name_start or n.start >= end]
        previous_end = ref.end
    return sorted(name_tokens + refs, key=lambda tok: tok.start)


def _is_heading(t: _Text, end: int, names: _Names) -> bool:
    """Whether a name is the heading of what follows: only annotations after it before the line ends."""
    norm = t.norm
    while end < len(norm):
        if norm[end] in " \t":
            end += 1
        elif norm[end] == "(" and _is_skip_paren(t, end, names):
            end = t.close_of[end] + 1
        else:
            return norm[end] in "\r\n:"
    return True


def _article(m: re.Match[str]) -> str:
    """Return the normalised article of a reference: 「第30条の6」, 「別表第2」, 「附則第1条」."""
    if m.group("table"):
        return f"別表第{_kanji_int(m.group('table'))}"
    subs = "".join(f"の{_kanji_int(n)}" for n in re.findall(_NUM, m.group("sub") or ""))
    return f"{m.group('fusoku') or ''}第{_kanji_int(m.group('art'))}条{subs}"


def _numbered(value: str | None, unit: str) -> str | None:
    return None if value is None else f"第{_kanji_int(value)}{unit}"


def _fragment(t: _Text, start: int, end: int) -> str:
    """Return an unparsed reference with the words just before it, for the build's report."""
    run = re.search(rf"{_RUN}$", t.norm[max(0, start - 15) : start])
    return t.source(start - (len(run.group(0)) if run else 0), end)


def parse_citations(text: str, abbreviations: dict[str, str] | None = None) -> tuple[list[Citation], list[str]]:
    """Return the law citations in a text and the article-like fragments that could not be attributed.

    `abbreviations` are the document's own definitions (see `find_abbreviations`); they extend the
    built-in ones, as do definitions in `text` itself. A law named without an article is returned with
    `article=None`. Bare references (「第7条」) take the law of the previous citation in the same string,
    or of a law named as a heading just before them; 「同法」 takes the last law named.
    """
    names = _merged(abbreviations, text)
    t = _Text(text)
    citations: list[Citation] = []
    unparsed: list[str] = []
    context: str | None = None  # the law bare references inherit
    last_law: str | None = None  # the law 「同法」 refers to
    previous: Citation | None = None
    previous_end = 0

    def emit(
        law: str,
        start: int,
        end: int,
        article: str | None = None,
        paragraph: str | None = None,
        item: str | None = None,
    ) -> Citation:
        a, b = t.span(start, end)
        return Citation(law, article, paragraph, item, text[a:b], a, b)

    for tok in _tokens(t, names):
        if tok.kind == "name":
            assert tok.law is not None
            citations.append(emit(tok.law, tok.start, tok.end))
            if _is_heading(t, tok.end, names):
                context = tok.law
            elif tok.law != context:
                context = None  # another law named in passing: later bare articles are ambiguous
            last_law, previous = tok.law, None
            continue
        m = tok.match
        assert m is not None
        if m.group("art") is None and m.group("table") is None:
            # 「第30条の15第1項又は第2項」: a paragraph or item continuing the previous citation
            gap = t.norm[previous_end : tok.start]
            if previous is not None and re.fullmatch(r"\s*(?:又は|若しくは|及び|並びに|、|,)\s*", gap):
                paragraph = _numbered(m.group("bpara"), "項") or previous.paragraph
                item = _numbered(m.group("bitem") or m.group("bnum"), "号")
                previous = emit(previous.law, tok.start, tok.end, previous.article, paragraph, item)
                citations.append(previous)
                previous_end = tok.end
            continue
        law = tok.law or (last_law if m.group("same") else context)
        if law is not None and m.group("table") and not tok.law and not re.search(r"法律?$", law):
            law = None  # a bare 別表 belongs to an Act; after an order's name it is ambiguous
        if law is None:
            unparsed.append(_fragment(t, tok.start, tok.end))
            previous = None
        else:
            start = tok.name_start if tok.name_start is not None else tok.start
            previous = emit(
                law, start, tok.end, _article(m), _numbered(m.group("para"), "項"), _numbered(m.group("item"), "号")
            )
            citations.append(previous)
            context = last_law = law
        previous_end = tok.end
    covered = [(c.start, c.end) for c in citations]
    for m in _LOOSE_REF.finditer(t.norm):
        a, b = t.span(m.start(), m.end())
        if not any(s <= a < e for s, e in covered):
            unparsed.append(text[a:b])
    return citations, unparsed
