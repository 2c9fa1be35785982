"""Where an assessment uses the glossary's terms: for each term, the first item of each part that does.

The glossary page lists these places (a link to the item, per part of each assessment), and the
search page learns from them which way of writing a term the documents mostly use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..document.sections import Document
from ..document.tree import Node
from ..model.content import Assessment
from ..model.glossary import Glossary, fold


@dataclass(frozen=True)
class TermUse:
    """One assessment's first use of a term in one part of its latest version."""

    assessment: Assessment
    part: str  # the part's heading: 「Ⅲ 特定個人情報ファイルの取扱いプロセスにおけるリスク対策」
    anchor: str  # the item where the term first appears in that part
    forms: tuple[str, ...]  # which of the term's ways of writing the part uses


def _texts(node: Node) -> list[str]:
    value = node.value
    if isinstance(value, str):
        return [node.label or "", value]
    if isinstance(value, list):
        out = [node.label or ""]
        for v in value:
            if isinstance(v, str):
                out.append(v)
            elif isinstance(v, dict):
                out.extend(str(x) for x in v.values() if isinstance(x, (str, list)))
            elif isinstance(v, (list, tuple)):
                out.extend(str(x) for x in v if isinstance(x, str))
        return out
    return [node.label or ""]


def _matcher(form: str) -> re.Pattern[str]:
    key = re.escape(fold(form))
    # a Latin abbreviation only as a whole word (NEC, not NECESSARY)
    return re.compile(rf"(?<![a-z]){key}(?![a-z])" if form.isascii() else key)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _parts(document: Document, data: dict[str, Any]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Each part of a version as (heading, [(item id, its text)]), in page order."""
    if data.get("form") == "概要":  # rendered from its data (templates/_summary.html), with the ids it gives
        parts = []
        for i, sec in enumerate(data.get("sections") or [], 1):
            heading = f"{sec.get('number') or ''} {sec.get('title') or ''}".strip()
            items = [(f"s{i}", "\n".join([heading, *_strings(sec.get("text"))]))]
            items += [(f"s{i}-{j}", "\n".join(_strings(sub))) for j, sub in enumerate(sec.get("subsections") or [], 1)]
            parts.append((heading, items))
        return parts
    return [(part.label, [(node.id, "\n".join(_texts(node))) for node in part.walk()]) for part in document.sections]


def term_uses(
    document: Document, glossary: Glossary, data: dict[str, Any] | None = None
) -> list[tuple[str, str, str, tuple[str, ...]]]:
    """Return (term slug, part heading, item id, forms used) for each term's first item in each part."""
    terms = [(t.slug, [(f, _matcher(f)) for f in t.forms]) for t in glossary.terms if t.uses]
    if not terms:
        return []
    out = []
    for heading, items in _parts(document, data or {}):
        found: dict[str, tuple[str, set[str]]] = {}
        for node_id, raw in items:
            text = fold(raw)
            for slug, matchers in terms:
                forms = {f for f, m in matchers if m.search(text)}
                if forms:
                    anchor, seen = found.setdefault(slug, (node_id, set()))
                    seen |= forms
        for slug, (anchor, forms) in found.items():
            out.append((slug, heading, anchor, tuple(sorted(forms))))
    return sorted(out)


def merge_term_uses(extracts: list[tuple[Assessment, list[tuple]]]) -> dict[str, list[TermUse]]:
    """Merge the assessments' term uses, in site order: term slug → its uses."""
    merged: dict[str, list[TermUse]] = {}
    for assessment, uses in extracts:
        for slug, part, anchor, forms in uses:
            merged.setdefault(slug, []).append(TermUse(assessment, part, anchor, forms))
    return merged
