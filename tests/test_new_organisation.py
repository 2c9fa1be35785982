"""An editor adds a correct organisation: the content still validates, and the tests about the content
still pass against it, because they take their expectations from the content, not from today's documents.

tests/neworg.py adds the organisation (a copy of 北見市 under a new name, code and prefecture, with a
date written without quotes) to a copy of the content; the slow test runs the content-dependent test
modules against that copy through PIA_TEST_CONTENT, in a pytest of their own.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CONTENT, ROOT
from neworg import CODE, NAME, PREFECTURE, SLUG, UNQUOTED_DATE, content_with_new_organisation

from piasite.build.pipeline import validate

# The tests that read the content or its build (data.json against the file, bundles of the search index,
# the index page's prefectures, …); those in a browser are left to a manual run (tests/neworg.py says how).
CONTENT_TESTS = [
    "tests/test_build.py",
    "tests/test_compare.py",
    "tests/test_entities.py",
    "tests/test_history.py",
    "tests/test_html.py",
    "tests/test_law_pages.py",
    "tests/test_laws.py",
    "tests/test_links.py",
    "tests/test_opendata.py",
    "tests/test_safety.py::test_validate_of_the_injected_content_is_clean",
    "tests/test_search.py",
    "tests/test_trust.py",
    "tests/test_validate.py::test_real_content_validates",
]


@pytest.fixture(scope="module")
def extended(tmp_path_factory):
    return content_with_new_organisation(CONTENT, tmp_path_factory.mktemp("neworg") / "content")


def test_a_new_organisation_with_an_unquoted_date_validates_and_keeps_the_date_as_text(extended):
    site, _ = validate(extended)
    before, _ = validate(CONTENT)
    assert len(site.organizations) == len(before.organizations) + 1
    assert len(site.assessments) == len(before.assessments) + 1
    org = next(o for o in site.organizations if o.slug == SLUG)
    assert (org.data["organization"], org.data["prefecture"], org.data["local_government_code"]) == (
        NAME, PREFECTURE, CODE,
    )
    (assessment,) = org.assessments
    assert UNQUOTED_DATE in Path(assessment.latest.loaded.path).read_text(encoding="utf-8")
    key, value = UNQUOTED_DATE.split(": ")
    assert value in _values_of(assessment.latest.data, key)  # the text "2015-06-01", as data.json will have it


def _values_of(data, key: str) -> list:
    if isinstance(data, dict):
        return [v for k, v in data.items() if k == key] + [x for v in data.values() for x in _values_of(v, key)]
    if isinstance(data, list):
        return [x for v in data for x in _values_of(v, key)]
    return []


@pytest.mark.slow
def test_the_content_tests_pass_with_a_new_organisation_added(extended):
    env = {**os.environ, "PIA_TEST_CONTENT": str(extended)}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "not browser",
         *CONTENT_TESTS],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert " passed" in result.stdout.splitlines()[-1]
