"""Resolve the 項目 text of a 変更箇所 row (「I-6-②所属長」, 「Ⅱ (2)… 5. ⑥提供方法」) to an item of the document.

The text is read as a sequence of form markers (Ⅱ, (2), 5., ⑥, システム3, 委託事項2, 別添1) and words. Each
node of the document tree has a marker taken from the start of its label. A node matches when the
markers of the row appear, in order, along the node's path from the top, ending at the node itself;
words that follow the last marker (「… 2 従業者に対する教育・啓発 具体的な方法」) refine the match to a
descendant with a similar label. Ties are broken by how well the words match the labels on the path,
then by the lower file number (rows written before a second file existed name no file).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

from .tree import Node

CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
# NFKC turns ① into 1: keep circled numbers apart by mapping them to private-use characters first.
_PROTECT = {ord(c): 0xE000 + i for i, c in enumerate(CIRCLED)}
_UNPROTECT = {0xE000 + i: c for i, c in enumerate(CIRCLED)}
ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7}
ENTRY_WORDS = ("システム", "委託事項", "提供先", "移転先", "リスク")

_TOKEN = re.compile(
    r"(?P<annex>別添\s*(?P<annex_n>\d+))"
    r"|(?P<sheet>別紙\s*(?P<sheet_n>\d+))"
    r"|(?P<entry>(?P<entry_w>" + "|".join(ENTRY_WORDS) + r")\s*(?P<entry_n>\d+))"
    r"|(?P<file>\(\s*(?P<file_n>\d{1,2})\s*\))"
    r"|(?P<circ>[①-⑳])"
    r"|(?P<roman>(?<![A-Za-z])(?:VII|VI|IV|V|III|II|I)(?![A-Za-z]))"
    # a numbered heading: 「5.」 anywhere, or a bare 「7」 standing alone or at the start of a line
    r"|(?P<num>(?<!\d)(?P<num_n>\d{1,2})\.(?!\d)|(?:(?<=^)|(?<=[\s\-]))(?P<num_b>\d{1,2})(?=[\s\-]|$|[^\x00-\x7f万件人日年月]))",
    re.MULTILINE,
)

Marker = tuple[str, object]


def normalize(text: str) -> str:
    """NFKC with circled numbers kept as they are."""
    return unicodedata.normalize("NFKC", text.translate(_PROTECT)).translate(_UNPROTECT)


@lru_cache(maxsize=1 << 16)
def _letters(text: str) -> str:
    return "".join(ch for ch in normalize(text) if unicodedata.category(ch)[0] in "LN")


def tokens(text: str) -> list[tuple[str, object]]:
    """Split a 項目 text into form markers and the words between them, in order."""
    return list(_tokens(text))


@lru_cache(maxsize=1 << 16)
def _tokens(text: str) -> tuple[tuple[str, object], ...]:
    # the same rows recur in every version's change log, and labels in every version's tree
    text = normalize(text)
    out: list[tuple[str, object]] = []
    pos = 0
    for m in _TOKEN.finditer(text):
        out.extend(_words(text[pos : m.start()]))
        pos = m.end()
        if m.group("annex"):
            out.append(("annex", int(m.group("annex_n"))))
        elif m.group("sheet"):
            # a 別紙 (separate sheet) is not part of the form's structure: it never matches a node
            out.append(("sheet", int(m.group("sheet_n"))))
        elif m.group("entry"):
            out.append(("entry", (m.group("entry_w"), int(m.group("entry_n")))))
        elif m.group("file"):
            out.append(("file", int(m.group("file_n"))))
        elif m.group("circ"):
            out.append(("circ", CIRCLED.index(m.group("circ")) + 1))
        elif m.group("roman"):
            out.append(("roman", ROMAN[m.group("roman")]))
        else:
            out.append(("num", int(m.group("num_n") or m.group("num_b"))))
    out.extend(_words(text[pos:]))
    return tuple(out)


def _words(chunk: str) -> list[tuple[str, object]]:
    """Split the text between markers at spaces and line breaks into words of two or more letters."""
    words = (_letters(w) for w in re.split(r"\s+", chunk))
    return [("text", w) for w in words if len(w) >= 2]


@lru_cache(maxsize=1 << 16)
def marker(label: str) -> Marker | None:
    """Return the form marker a label starts with (「7. 担当部署」 → ('num', 7)), if any."""
    toks = tokens(label)
    if not toks or toks[0][0] == "text":
        return None
    # the marker must open the label (「(別添1) 事務の内容」 counts; 「…ファイル5.」 in the middle does not)
    head = normalize(label).lstrip(" (（【")
    first = toks[0]
    if first[0] in ("annex", "entry", "circ", "roman", "num", "file"):
        return first if _starts_with_marker(head, first) else None
    return None


def _starts_with_marker(head: str, tok: tuple[str, object]) -> bool:
    kind, value = tok
    if kind == "annex":
        return head.startswith("別")
    if kind == "entry":
        return head.startswith(value[0])  # type: ignore[index]
    if kind == "circ":
        return head[:1] in CIRCLED
    if kind == "roman":
        return head[:1] in "IV"
    return head[:1].isdigit() or kind == "file"


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} or ({text} if text else set())


@cache
def _grams(text: str) -> frozenset[str]:
    """The character bigrams of a text reduced to letters and digits (labels recur: computed once each)."""
    return frozenset(_bigrams(_letters(text)))


@lru_cache(maxsize=1 << 18)
def similarity(query: str, label: str) -> float:
    """Share of the query's character bigrams found in the label (both reduced to letters and digits)."""
    q = _grams(query)
    if not q:
        return 0.0
    return len(q & _grams(label)) / len(q)


@dataclass(frozen=True)
class Resolved:
    """Where a 項目 text points: the node's id, its data path, and whether every marker matched."""

    id: str
    path: tuple
    label: str
    exact: bool


@dataclass
class _Entry:
    node: Node
    markers: list[Marker | None]
    labels: list[str]
    file_index: int


_RESOLVED: dict[tuple[str, str], Resolved | None] = {}


class ItemResolver:
    """Resolves 項目 texts against the sections of one version's document tree."""

    def __init__(self, sections: Iterable[Node]):
        self.entries: list[_Entry] = []
        self.parents: dict[int, Node] = {}
        # entries by the marker their own label starts with: only those can be the item a query names
        self.ending: dict[Marker, list[int]] = {}
        shape: list[tuple] = []
        for section in sections:
            self._index(section, [], [], 0, shape)
        # A result depends only on the tree's ids, labels, paths and shape: versions of a document
        # that share them (most do) share results, and each version repeats its predecessor's rows.
        self.shape = hashlib.sha1(repr(shape).encode()).hexdigest()

    def _index(self, node: Node, markers: list, labels: list, file_index: int, shape: list) -> None:
        markers = markers + [marker(node.label)]
        labels = labels + [node.label]
        path = node.path or ()
        if len(path) >= 2 and path[0] == "files" and isinstance(path[1], int):
            file_index = path[1] + 1
        self.entries.append(_Entry(node, markers, labels, file_index))
        if markers[-1] is not None:
            self.ending.setdefault(markers[-1], []).append(len(self.entries) - 1)
        shape.append((len(markers), node.id, node.label, tuple(path)))
        for child in node.children:
            self.parents[id(child)] = node
            self._index(child, markers, labels, file_index, shape)

    def resolve(self, text: str | None) -> Resolved | None:
        """Return the item a 項目 text identifies, or None when nothing in the document matches it."""
        key = (self.shape, text or "")
        if key not in _RESOLVED:
            if len(_RESOLVED) > 1 << 16:
                _RESOLVED.clear()
            _RESOLVED[key] = self._resolve(text)
        return _RESOLVED[key]

    def _resolve(self, text: str | None) -> Resolved | None:
        toks = _numbered_items_in_parentheses(tokens(text or ""))
        query = [t for t in toks if t[0] != "text"]
        words = [str(t[1]) for t in toks if t[0] == "text"]
        if not query:
            return self._by_words(words)
        files = {t[1] for t in query if t[0] == "file"}
        best: tuple | None = None
        best_entry: _Entry | None = None
        best_last = best_matched = 0
        best_agreement = 0.0
        # _match gives no result for an entry whose own marker is not in the query: skip those
        candidates = sorted({i for q in query for i in self.ending.get(q, ())})
        for entry in (self.entries[i] for i in candidates):
            if files and entry.file_index and entry.file_index not in files:
                continue  # the row names another file
            matched, last, gaps = _match(query, entry.markers)
            if not matched or last is None:
                continue
            bonus = sum(max((similarity(w, lab) for lab in entry.labels), default=0.0) for w in words)
            agreement = bonus / len(words) if words else 1.0
            score = matched - 0.5 * gaps + 3 * agreement
            key = (round(score, 3), last, -entry.file_index, -len(entry.markers))
            if best is None or key > best:
                best, best_entry, best_last, best_matched, best_agreement = key, entry, last, matched, agreement
        if best_entry is None:
            return None
        node = best_entry.node
        # words after the last matched marker name a sub-item: 「2 従業者に対する教育・啓発 具体的な方法」
        position = [i for i, t in enumerate(toks) if t[0] != "text"][best_last]
        # a matched item has no sub-items: its words may name a sibling (「⑥技術的対策 具体的な対策の内容」)
        base = node if node.children else self.parents.get(id(node), node)
        for kind, word in toks[position + 1 :]:
            if kind == "text":
                # each later word is more specific: 「従業者に対する教育・啓発」 then 「具体的な方法」
                node = _refine(node, str(word)) if node.children else node
                if node is base or not node.children:
                    found = _refine(base, str(word))
                    node = found if found is not base else node
        # exact: every marker matched, and the words agree with the labels (a mistyped Ⅵ for Ⅳ does not)
        exact = best_matched == len(query) and best_last == len(query) - 1 and best_agreement >= 0.5
        return Resolved(node.id, node.path or (), node.label, exact)

    def _by_words(self, words: list[str]) -> Resolved | None:
        """Resolve a text with no markers at all by the labels on a node's path (「表紙 評価書名」)."""
        if not words:
            return None
        text = "".join(words)
        scored = [(similarity(text, "".join(e.labels)), -len(e.markers), i) for i, e in enumerate(self.entries)]
        score, _, index = max(scored)
        if score < 0.8:
            return None
        node = self.entries[index].node
        return Resolved(node.id, node.path or (), node.label, False)


def _match(query: list, markers: list) -> tuple[int, int | None, int]:
    """Match query markers in order along a node's ancestry.

    Return how many matched; when the node itself matched, the index in the query of the marker it
    matched (a later marker is a more specific one), else None; and the gaps: query markers before
    that one which matched nothing (a section number the node's path does not have). A section
    numeral before a top-level 別添 is not a gap: older forms printed 「Ⅰ 基本情報 (別添1)」.
    """
    pos = 0
    matched = 0
    last_marker, last_query = -1, -1
    hits: list[int] = []
    for qi, q in enumerate(query):
        for i in range(pos, len(markers)):
            if markers[i] == q:
                matched += 1
                hits.append(qi)
                last_marker, last_query = i, qi
                pos = i + 1
                break
    if last_marker != len(markers) - 1:
        return matched, None, 0
    top_annex = bool(markers) and markers[0] is not None and markers[0][0] == "annex"
    gaps = sum(1 for qi in range(last_query) if qi not in hits and not (top_annex and query[qi][0] == "roman"))
    return matched, last_query, gaps


def _numbered_items_in_parentheses(toks: list) -> list:
    """Read 「(5)」 after a numbered heading as the item ⑤ (「4. … (5)委託先名の確認方法」), not as file (5)."""
    out = []
    seen_heading = False
    for kind, value in toks:
        if kind == "file" and seen_heading:
            kind = "circ"
        if kind in ("num", "circ", "entry"):
            seen_heading = True
        out.append((kind, value))
    return out


def _refine(node: Node, word: str) -> Node:
    """Descend to the descendant whose label best matches a trailing word, if one matches well."""
    best, best_score = node, 0.0
    for child in node.walk():
        if child is node:
            continue
        score = similarity(word, child.label)
        if score > best_score + 1e-9:
            best, best_score = child, score
    return best if best_score >= 0.6 else node
