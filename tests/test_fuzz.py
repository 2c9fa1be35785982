"""Property-based tests: mutated real content never crashes the loader or the validator, and is
answered in bounded time with problems that name a real place in the file."""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from piasite.build.pipeline import validate
from piasite.model.errors import ContentErrors

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests/fixtures/content/sample-city"
VERSION = Path("01-sample/2019-02-08.yaml")
LONG = ROOT / "content/kochi-city/01-juminhyo/2024-10-01.yaml"

# Pieces that mean something to YAML, to the schema or to the guards, to be dropped into the text.
TOKENS = [
    ":", ": ", "- ", "-", "[", "]", "{", "}", ",", "&a ", "*a", "&b [1, *b]", "!!python/object/apply:os.system ['true']",
    "!!binary ", "\t", "\n", "  ", "    ", "'", '"', "#", "|", ">", "? ", "---\n", "...\n", "%YAML 1.1\n", "<<: *a",
    "\x00", "\x07", "\x85", "\ufeff", "\u2028", "𠀋", "123456789018", "1234 5678 9018", "１２３４５６７８９０１８",
    "2023-02-30", "2019-02-08", "null", "~", "true", "yes", "0x1F", "1e400", "-.inf", ".nan", "1_000",
    "[x](javascript:alert(1))", "<data:text/html,x>", "<script>alert(1)</script>", "{{ 7*7 }}",
    "form: 全項目評価書\n", "form: 重点項目評価書\n", "form: 概要\n", "change_log:\n  - date: 2024-01-01\n",
]

mutation = st.one_of(
    st.tuples(st.just("insert"), st.floats(0, 1), st.sampled_from(TOKENS)),
    st.tuples(st.just("text"), st.floats(0, 1), st.text(max_size=8)),
    st.tuples(st.just("delete"), st.floats(0, 1), st.integers(1, 200)),
    st.tuples(st.just("duplicate-line"), st.floats(0, 1), st.integers(1, 5)),
    st.tuples(st.just("indent-line"), st.floats(0, 1), st.integers(-4, 4)),
    st.tuples(st.just("swap-lines"), st.floats(0, 1), st.floats(0, 1)),
)


def mutate(text: str, steps: list[tuple]) -> str:
    """Apply a list of small edits to a text, each at a relative position."""
    for kind, where, arg in steps:
        at = int(where * len(text))
        lines = text.split("\n")
        n = min(int(where * len(lines)), len(lines) - 1)
        if kind in ("insert", "text"):
            text = text[:at] + arg + text[at:]
        elif kind == "delete":
            text = text[:at] + text[at + arg:]
        elif kind == "duplicate-line":
            text = "\n".join(lines[: n + 1] + [lines[n]] * arg + lines[n + 1:])
        elif kind == "indent-line":
            lines[n] = " " * arg + lines[n] if arg >= 0 else lines[n][-arg:]
            text = "\n".join(lines)
        else:
            m = min(int(arg * len(lines)), len(lines) - 1)
            lines[n], lines[m] = lines[m], lines[n]
            text = "\n".join(lines)
    return text


def check(org_yaml: str, version_yaml: str | bytes, version_name: str = VERSION.name, aliases: str | None = None) -> None:
    """Validate a one-organisation tree; content errors are fine, anything else is a bug."""
    with tempfile.TemporaryDirectory() as tmp:
        content = Path(tmp) / "content"
        folder = content / "sample-city" / VERSION.parent
        folder.mkdir(parents=True)
        if aliases is not None:
            (content / "aliases.yaml").write_bytes(aliases.encode("utf-8", "surrogatepass"))
        (content / "sample-city/organization.yaml").write_bytes(org_yaml.encode("utf-8", "surrogatepass"))
        data = version_yaml if isinstance(version_yaml, bytes) else version_yaml.encode("utf-8", "surrogatepass")
        (folder / version_name).write_bytes(data)
        try:
            validate(content)
        except ContentErrors as exc:
            assert exc.problems
            for problem in exc.problems:
                assert problem.message and not problem.message.isascii(), problem
                path = Path(problem.file)
                if path.is_file() and problem.line:
                    assert problem.line <= path.read_bytes().count(b"\n") + 2, problem
                    assert problem.column >= 1, problem


FUZZ = settings(
    max_examples=60, deadline=dt.timedelta(seconds=10), suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
ORG = (SAMPLE / "organization.yaml").read_text(encoding="utf-8")
SHORT = (SAMPLE / VERSION).read_text(encoding="utf-8")


@FUZZ
@given(st.lists(mutation, min_size=1, max_size=6))
def test_a_mutated_version_file_gets_content_errors_or_passes_never_a_crash(steps):
    check(ORG, mutate(SHORT, steps))


@FUZZ
@given(st.lists(mutation, min_size=1, max_size=6))
def test_a_mutated_organisation_file_gets_content_errors_or_passes_never_a_crash(steps):
    check(mutate(ORG, steps), SHORT)


@settings(max_examples=15, deadline=dt.timedelta(seconds=20), suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(st.lists(mutation, min_size=1, max_size=4))
def test_a_mutated_long_assessment_gets_content_errors_or_passes_never_a_crash(steps):
    org = (LONG.parent.parent / "organization.yaml").read_text(encoding="utf-8")
    check(org, mutate(LONG.read_text(encoding="utf-8"), steps), LONG.name)


ALIASES = "aliases:\n  株式会社見本: 見本株式会社\n  見本システム(株): 見本株式会社\n"


@FUZZ
@given(st.lists(mutation, min_size=1, max_size=6))
def test_a_mutated_aliases_file_gets_content_errors_or_passes_never_a_crash(steps):
    check(ORG, SHORT, aliases=mutate(ALIASES, steps))


@FUZZ
@given(st.binary(max_size=400))
def test_arbitrary_bytes_get_content_errors_never_a_crash(data):
    check(ORG, data)


def test_the_harness_fails_on_an_unexpected_exception(monkeypatch):
    """The property tests prove something only if a crash inside validation fails them."""
    monkeypatch.setattr(sys.modules[__name__], "validate", lambda content: {}["missing"])
    with pytest.raises(KeyError):
        check(ORG, SHORT)
