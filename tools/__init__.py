"""Developers' tools: the benchmark (bench.py) and its generated corpus (corpus*.py), the fidelity measure
(fidelity.py) and the search-quality measure (search_quality.py).

Each runs as a script from the repository root (`.venv/bin/python tools/bench.py …`), which puts the root
on sys.path; tools and tests import them one way, as `tools.<name>`, and the site's code as `piasite.…`.
"""
