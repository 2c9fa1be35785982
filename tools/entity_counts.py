"""Print the entities per kind, and the mentions and entities per role, of a content tree.

Usage: .venv/bin/python tools/entity_counts.py [--content DIR] [-v]   (-v lists every entity)
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from piasite.analysis.entities import by_kind, collect  # noqa: E402
from piasite.model.content import load_site  # noqa: E402
from piasite.model.schema import Schemas  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    site, _ = load_site(args.content, Schemas())
    entities = collect(site, site.aliases)
    print("entities per kind:", {k: len(v) for k, v in by_kind(entities).items()})
    mentions: Counter[str] = Counter()
    named: Counter[str] = Counter()
    for e in entities.values():
        roles = set()
        for m in e.mentions:
            mentions[m.role] += 1
            roles.add(m.role)
        for role in roles:
            named[role] += 1
    print("mentions per role:", dict(mentions))
    print("entities per role:", dict(named))
    if args.verbose:
        for e in sorted(entities.values(), key=lambda e: (e.kind, -len(e.assessments))):
            orgs = sorted({m.assessment.org.slug for m in e.mentions})
            print(len(e.assessments), e.kind, e.name, sorted({m.role for m in e.mentions}), orgs, e.written_forms[:4])


if __name__ == "__main__":
    main()
