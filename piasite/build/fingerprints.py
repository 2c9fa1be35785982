"""Fingerprints: what a unit or a site-wide page is made from, hashed, so a rebuild knows what changed.

A unit's key hashes its files, its organisation's, aliases.yaml, glossary.yaml and the program; a site-wide page's
fingerprint hashes its path, template and names, with an assessment standing for the digest of
its public summary and the merged indexes for the digests of the units' extracts.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Iterable
from functools import cache, lru_cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from ..analysis import extracts
from ..model.content import Assessment, Organization, Site, version_files
from ..model.glossary import Glossary
from ..output.pages import PageJob

if TYPE_CHECKING:
    from .units import UnitResult

# the cache's format: a cache of another format is not read (cache.py)
CACHE_FORMAT = 11


PROGRAM_DIRS = ("piasite", "templates", "schema")


LIBRARIES = ("Jinja2", "MarkupSafe", "PyYAML", "markdown-it-py", "jsonschema", "fastjsonschema", "diff-match-patch",
             "fast-diff-match-patch")


ROOT = Path(__file__).resolve().parents[2]


@lru_cache(maxsize=1)
def program_fingerprint() -> str:
    """Hash the program, templates and schemas, and the versions of the libraries that shape output."""
    h = hashlib.sha256(f"cache format {CACHE_FORMAT}".encode())
    for name in PROGRAM_DIRS:
        for path in sorted((ROOT / name).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                h.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for lib in LIBRARIES:
        try:
            h.update(f"{lib}=={metadata.version(lib)}".encode())
        except metadata.PackageNotFoundError:
            h.update(lib.encode())
    return h.hexdigest()


def unit_key(org: Organization, folder: Path, shared: str) -> str:
    """Return the key of a unit: a hash of its files (names and bytes), its organisation's and `shared`."""
    h = hashlib.sha256(shared.encode())
    # names within the content folder, not where it is: a moved checkout keeps its cache
    org_file = folder.parent / "organization.yaml"
    org_bytes = org_file.read_bytes() if org_file.is_file() else b"(missing)"
    h.update(f"{folder.parent.name}/{folder.name}".encode() + b"\0" + org_bytes + b"\0")
    # the organisation's corrections record is published on each of its assessments' 書き起こしについて page
    corrections = folder.parent / "CORRECTIONS.md"
    h.update(corrections.read_bytes() if corrections.is_file() else b"(none)")
    for path in version_files(folder):
        h.update(b"\0" + path.name.encode() + b"\0")
        try:
            h.update(path.read_bytes() if path.is_file() else b"(not a file)")
        except OSError as exc:
            h.update(str(exc).encode())
    return h.hexdigest()


def job_fingerprint(job: PageJob, memo: dict[int, str] | None = None) -> str:
    """Hash all that a site-wide page is rendered from: the program, its path, template and names.

    An assessment stands for the digest of what site-wide pages show of it (its public summary),
    so the hash changes exactly when something the page can show changes. `memo` keeps the digests of objects that
    several pages share (a law on each of its article pages), for as long as those objects live.
    """
    memo = {} if memo is None else memo
    text = "\x1f".join([program_fingerprint(), job.path, job.template, digest(job.params, memo)])
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def digest(obj: object, memo: dict[int, str]) -> str:
    """Return a canonical text of a value, or a hash of one for containers and the model's dataclasses."""
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return f"{type(obj).__name__}:{obj!r}"
    if isinstance(obj, (uuid.UUID, dt.date)):
        return f"{type(obj).__name__}:{obj}"
    if isinstance(obj, Assessment):
        return f"A:{obj.org.slug}/{obj.slug}:{obj.key}"
    known = memo.get(id(obj))
    if known is not None:
        return known
    if isinstance(obj, Organization):
        parts = [
            f"O:{obj.slug}:{obj.source}:{len(obj.assessments)}",
            digest(obj.data, memo),
            *(f"A:{a.slug}:{a.key}" for a in obj.assessments),
        ]
    elif isinstance(obj, Site):
        parts = [
            f"S{len(obj.organizations)}",
            *(digest(org, memo) for org in obj.organizations),
            digest(obj.aliases, memo),
            glossary_fingerprint(obj.glossary),
        ]
    elif isinstance(obj, dict):
        parts = [f"{{{len(obj)}", *(f"{digest(k, memo)}={digest(v, memo)}" for k, v in obj.items())]
    elif isinstance(obj, (list, tuple)):
        parts = [f"[{len(obj)}", *(digest(v, memo) for v in obj)]
    elif isinstance(obj, (set, frozenset)):
        parts = [f"<{len(obj)}", *sorted(digest(v, memo) for v in obj)]
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        parts = [f"D:{type(obj).__name__}", *(digest(getattr(obj, name), memo) for name in _field_names(type(obj)))]
    else:
        raise TypeError(f"no canonical form for {type(obj).__name__}")
    text = "\x1f".join(parts)
    # a short text stands for itself; a long one (a law with its articles, the comparison) by its hash
    short = text if len(text) < 160 else hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()
    memo[id(obj)] = short
    return short


def glossary_fingerprint(glossary: Glossary) -> str:
    """Hash the glossary (its terms are plain data): part of every unit's key and of the site's digest."""
    return digest_of([repr(glossary.terms)])


def site_digests(
    results: list[UnitResult], merged: extracts.Merged, aliases: dict[str, str], glossary: Glossary | None = None
) -> dict[int, str]:
    """Return the digests of the merged indexes (comparison and its questions, laws, entities), by object id.

    Each of them is made from every assessment's extract part, in site order; a page showing one
    law or entity is given the digest of all citations or mentions, which changes whenever any
    could have changed it (and is far cheaper than walking every cited item).
    """

    def part(name: str) -> str:
        return digest_of([*(f"{r.public}:{r.digests[name]}" for r in results), json.dumps(aliases, sort_keys=True)])

    answers = part("answers")
    memo = {id(merged.comparison): answers}
    for question in merged.comparison.questions:
        memo[id(question)] = digest_of([answers, question.path])
    cited, mentioned = part("citations"), part("mentions")
    memo[id(merged.cited)] = cited
    for law in merged.cited.laws.values():
        memo[id(law)] = digest_of([cited, law.key])
        for article in law.articles.values():
            memo[id(article)] = digest_of([cited, law.key, article.key])
    for entity in merged.entities.values():
        memo[id(entity)] = digest_of([mentioned, entity.slug])
    # the glossary page shows every term's uses: the units' terms and the glossary itself
    memo[id(merged.terms)] = digest_of([part("terms"), glossary_fingerprint(glossary or Glossary())])
    return memo


def digest_of(parts: Iterable[str]) -> str:
    """Hash a sequence of texts (digests of the things a page is made from)."""
    return hashlib.sha1("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))
