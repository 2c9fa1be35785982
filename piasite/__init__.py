"""Static-site generator for 特定個人情報保護評価書 (My Number privacy impact assessments).

The folders are the architecture. Each imports only those above it in this list (urls.py, the
site's layout, is a leaf every one may use):

- model/     content files → the model. loader (YAML with the line and column of every value),
             schema (JSON Schema validation, messages in Japanese), mynumber (the My Number guard),
             content (Organization, Assessment, Version, Site; scan and load the content tree),
             glossary (content/glossary.yaml), dates (dates written other than ISO, for messages),
             errors (who raises what), text (dates and safe Markdown), fold (NFKC with positions).
- document/  a version → its Document: tree (sections and items, driven by the schema), sections
             (the form's order; Documents builds each version's once per step), itemref (「Ⅱ-3-⑥」 → item).
- analysis/  Documents and versions → findings, as values: history (新旧対照表, diffs, declared versus
             actual), change_summary (what changed, in plain words), entities and names (who is named,
             in which role), citations and laws, compare (self-assessed answers), glance (the 概要 panel),
             provenance (where a version comes from, derived dates, freshness), terms (where glossary
             terms are used), extracts (what the site-wide pages need of one assessment, and their merge).
- output/    findings → files: render (templates and an assessment's own pages), sitewide (home,
             organisations, indexes, glossary, guide, open data, feed), pages (Page, PageJob), links (link
             check), writer (the one place that writes, atomically), search (the Pagefind index, in bundles
             rebuilt only where pages changed), words (search/words.json), contact, notes, terms (helpers
             for templates: tel:/mailto: links, transcription notes, the site's own terms).
- build/     the build: pipeline (the stages, top to bottom), units (one assessment folder built on its
             own), runner (worker processes), fingerprints and cache (rebuild only what changed), progress.
- editing/   the editors' commands: importer* (import: a draft from the text of a PDF), scaffold (new,
             new-version), drafts (changes), reconstruct, serve (preview), changed (which files are the
             editor's own, by git), commands (dispatch), yamlout (YAML as editors write it).

What flows between them: content/ → model.Site (validated) → per assessment: document.Document and
analysis (history, extracts) → output pages in a staging folder → build merges the extracts into
site-wide pages, checks links, indexes, and swaps the new site in (cli.py is the command line).
"""
