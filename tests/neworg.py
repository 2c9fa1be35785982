"""A copy of the content with one more, valid organisation, as a new editor would add it.

To run the content-dependent tests against such a copy:

    .venv/bin/python tests/neworg.py /tmp/pia/content
    PIA_TEST_CONTENT=/tmp/pia/content sh tools/run_tests.sh
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

# Copied from 北見市 (a 重点項目評価書 of one version) into a prefecture no other organisation is in.
SOURCE = "kitami-city"
SLUG = "sample-village"
NAME = "見本村"
PREFECTURE = "青森県"
CODE = "029998"  # 02: 青森県; 8: the check digit of 02999
QUOTED_DATE = "start_date: '2015-06-01'"
UNQUOTED_DATE = "start_date: 2015-06-01"  # an editor need not quote a date; YAML would read it as a date


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path} no longer contains {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def add_organisation(content: Path) -> Path:
    """Add the new organisation to a content tree; return its folder."""
    folder = content / SLUG
    shutil.copytree(content / SOURCE, folder)
    (folder / "CORRECTIONS.md").unlink(missing_ok=True)
    org = folder / "organization.yaml"
    _replace(org, "name: 北海道北見市長", f"name: {PREFECTURE}{NAME}長")
    _replace(org, "organization: 北見市", f"organization: {NAME}")
    _replace(org, 'local_government_code: "012084"', f'local_government_code: "{CODE}"')
    _replace(org, "prefecture: 北海道", f"prefecture: {PREFECTURE}")
    version = sorted(folder.glob("*/*.yaml"))[0]
    _replace(version, QUOTED_DATE, UNQUOTED_DATE)
    return folder


def content_with_new_organisation(source: Path, target: Path) -> Path:
    """Copy a content tree to `target` and add the new organisation to the copy; return the copy."""
    shutil.copytree(source, target)
    add_organisation(target)
    return target


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: tests/neworg.py TARGET (a folder that does not exist yet)")
    root = Path(__file__).resolve().parent.parent
    print(content_with_new_organisation(root / "content", Path(sys.argv[1])))
