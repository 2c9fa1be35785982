"""Phone numbers and mail addresses in contact text, made into tel: and mailto: links in place."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

# full-width digits and dashes read as their ASCII forms, one character for one, so positions hold
_FOLD = str.maketrans("０１２３４５６７８９－‐‑–−ー（）", "0123456789------()")
_PHONE = re.compile(r"(?<![\d-])(?:0\d{1,4}-\d{1,4}-\d{3,4}|\(0\d{1,4}\)\d{1,4}-\d{3,4}|0\d{9,10})(?![\d-])")
_MAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# a number labelled as a fax number is not a phone to call
_FAX = re.compile(r"(?:FAX|ＦＡＸ|Fax|fax|ファクス|ファックス)\s*[::]?\s*(?:番号\s*[::]?\s*)?$")


def contact_links(text: str | None) -> Markup:
    """Escape a contact text, keeping line breaks; phone numbers become tel: links, mail addresses mailto: links."""
    if not text:
        return Markup("")
    return Markup("<br>\n").join(_line(line) for line in str(text).split("\n"))


def _line(line: str) -> Markup:
    folded = line.translate(_FOLD)
    spans = []
    for m in _PHONE.finditer(folded):
        if _FAX.search(folded[max(0, m.start() - 12):m.start()]):
            continue
        spans.append((m.start(), m.end(), "tel:" + re.sub(r"\D", "", m.group())))
    for m in _MAIL.finditer(line):
        spans.append((m.start(), m.end(), "mailto:" + m.group()))
    out, pos = [], 0
    for start, end, href in sorted(spans):
        if start < pos:
            continue
        out.append(escape(line[pos:start]))
        out.append(Markup('<a href="{}">{}</a>').format(href, line[start:end]))
        pos = end
    out.append(escape(line[pos:]))
    return Markup("").join(out)
