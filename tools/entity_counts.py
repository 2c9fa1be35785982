"""Print the entities per kind and the mentions and entities per role (python tools/entity_counts.py [-v])."""
import sys; sys.path.insert(0, '.')
from collections import Counter
from pathlib import Path
from piasite.analysis.entities import collect, by_kind
from piasite.model.content import load_site
from piasite.model.schema import Schemas
site, _ = load_site(Path('content'), Schemas())
ents = collect(site, site.aliases)
print("entities per kind:", {k: len(v) for k, v in by_kind(ents).items()})
roles = Counter(); roleents = Counter()
for e in ents.values():
    rs = set()
    for m in e.mentions: roles[m.role] += 1; rs.add(m.role)
    for r in rs: roleents[r] += 1
print("mentions per role:", dict(roles)); print("entities per role:", dict(roleents))
if '-v' in sys.argv:
  for e in sorted(ents.values(), key=lambda e: (e.kind, -len(e.assessments))):
    print(len(e.assessments), e.kind, e.name, sorted({m.role for m in e.mentions}), sorted({m.assessment.org.slug for m in e.mentions}), e.written_forms[:4])
