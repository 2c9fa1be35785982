"""The ways of writing a word that search treats as one: search/words.json, read by assets/search.js.

Two sources, kept apart because they answer different questions (model/glossary.py): the glossary's
terms with their variants (マイナンバー = 個人番号), and the entity aliases of content/aliases.yaml
(NEC = 日本電気株式会社, also found as 日本電気). The trailing long vowel of katakana words (サーバー =
サーバ) is folded by the search page itself and needs no entry.

For a glossary term, `main` is the way of writing it that most assessments use (from the terms'
uses), which the search page names in its status line: 「マイナンバーカード」は評価書では主に
「個人番号カード」と書かれています。
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from .. import urls
from ..analysis.names import normalize
from ..analysis.terms import TermUse
from ..model.glossary import Glossary, fold
from .pages import Page, json_text


def search_words(glossary: Glossary, aliases: dict[str, str], uses: dict[str, list[TermUse]]) -> Page:
    """Return search/words.json: the groups of ways of writing one word, each with the form documents use most."""
    groups: list[dict[str, Any]] = []
    for term in glossary.terms:
        if not term.variants:
            continue
        # how many assessments write each form
        pairs = {(id(u.assessment), form) for u in uses.get(term.slug, []) for form in u.forms}
        counts = Counter(form for _, form in pairs)
        main = max(term.forms, key=lambda f: (counts.get(f, 0), f == term.term))
        groups.append({"forms": list(term.forms), "main": main, "term": term.slug, "label": term.term,
                       "href": urls.glossary_term(term.slug)})
    names: dict[str, list[str]] = {}
    for alias, name in sorted(aliases.items()):
        forms = names.setdefault(name, [name])
        for form in (alias, normalize(name, company=True)):
            if fold(form) not in {fold(f) for f in forms}:
                forms.append(form)
    for name, forms in names.items():
        if not any(fold(f) in {fold(g) for g in group["forms"]} for group in groups for f in forms):
            groups.append({"forms": forms, "main": "", "term": "", "label": name, "href": ""})
        else:  # a term that is also an entity (J-LIS): one group with every form
            group = next(g for g in groups if any(fold(f) in {fold(x) for x in g["forms"]} for f in forms))
            group["forms"] += [f for f in forms if fold(f) not in {fold(x) for x in group["forms"]}]
    return Page(urls.SEARCH_WORDS, json_text({"groups": groups}))
