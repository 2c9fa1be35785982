"""The glossary: content/glossary.yaml, validated by schema/glossary.schema.json.

Each term has a definition for citizens and the other ways of writing it (variants). The glossary
page shows them; search bridges the variants (マイナンバー finds the pages that say 個人番号).

Entity aliases (content/aliases.yaml) stay separate: they decide which printed names are one
organisation or system (entities.py), a different question from which words mean the same thing.
Search uses both (output/words.py merges them into the groups the search page expands a query by);
a term may also name an entity (地方公共団体情報システム機構), and then both files may list J-LIS.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ContentProblem
from .loader import load_yaml
from .schema import Schema, validate_file

GLOSSARY_FILE = "glossary.yaml"
# a katakana word's trailing long vowel: サーバー = サーバ, コンピューター = コンピュータ (as names.py keys names)
_LONG_VOWEL = re.compile(r"(?<=[ァ-ヺ])ー(?![ァ-ヺー])")


@dataclass(frozen=True)
class Term:
    """One glossary entry."""

    slug: str
    term: str
    reading: str
    kind: str
    definition: str
    source: str = ""
    variants: tuple[str, ...] = ()
    abbreviations: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    uses: bool = True  # whether the glossary lists where assessments use it

    @property
    def forms(self) -> tuple[str, ...]:
        """The term and its variants: every way of writing it that search bridges."""
        return (self.term, *self.variants)


@dataclass(frozen=True)
class Glossary:
    """The terms in the editor's order."""

    terms: tuple[Term, ...] = ()
    by_slug: dict[str, Term] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        self.by_slug.update({t.slug: t for t in self.terms})


def fold(text: str) -> str:
    """Fold a word for matching: NFKC, lower case, no spaces, no trailing katakana long vowel."""
    return _LONG_VOWEL.sub("", re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "").lower()))


def load_glossary(path: Path, display: str, schema: Schema, problems: list[ContentProblem]) -> Glossary:
    """Read and validate content/glossary.yaml; report problems with file:line:column in Japanese."""
    from .content import guard_links, guard_my_numbers  # content imports this module

    loaded, found = load_yaml(path, display)
    problems.extend(found)
    if loaded is None:
        return Glossary()
    if not isinstance(loaded.data, dict):
        problems.append(
            ContentProblem(display, 1, 1, "glossary.yaml は「terms:」の下に用語を「- slug: …」の形で並べてください。")
        )
        return Glossary()
    errors = validate_file(schema, loaded)
    errors.extend(guard_my_numbers(loaded, allowed=None))
    errors.extend(guard_links(loaded))
    if errors:
        problems.extend(errors)
        return Glossary()
    raw = loaded.data["terms"]
    slugs: dict[str, int] = {}
    owner: dict[str, str] = {}
    for i, entry in enumerate(raw):
        if entry["slug"] in slugs:
            line, col = loaded.position(("terms", i, "slug"))
            errors.append(ContentProblem(
                display, line, col,
                f"用語の名前(slug)「{entry['slug']}」は、ほかの用語でも使われています。別の名前にしてください。",
                f"terms[{i}].slug"))
        slugs[entry["slug"]] = i
        for j, form in enumerate([entry["term"], *entry.get("variants", [])]):
            key = fold(form)
            if key in owner and owner[key] != entry["slug"]:
                where = ("terms", i, "variants", j - 1) if j else ("terms", i, "term")
                line, col = loaded.position(where)
                errors.append(ContentProblem(
                    display, line, col,
                    f"「{form}」は、用語「{owner[key]}」の書き方としても書かれています。検索でどちらの言葉につなぐか決められないので、"
                    "どちらか一方だけに書いてください。", f"terms[{i}]"))
            owner.setdefault(key, entry["slug"])
    for i, entry in enumerate(raw):
        for j, slug in enumerate(entry.get("related", [])):
            if slug not in slugs:
                line, col = loaded.position(("terms", i, "related", j))
                errors.append(ContentProblem(
                    display, line, col, f"関連する用語「{slug}」は用語集にありません。用語の slug を書いてください。",
                    f"terms[{i}].related[{j}]"))
    problems.extend(errors)
    if errors:
        return Glossary()
    return Glossary(tuple(
        Term(e["slug"], e["term"], e["reading"], e["kind"], e["definition"].strip(), e.get("source", ""),
             tuple(e.get("variants", [])), tuple(e.get("abbreviations", [])), tuple(e.get("related", [])),
             e.get("uses", True))
        for e in raw
    ))
