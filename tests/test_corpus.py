"""The benchmark corpus generator (tools/corpus.py): deterministic, valid, all four forms, no My Number."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

from piasite.model.mynumber import find_numbers, strings  # noqa: E402
from tools import corpus  # noqa: E402

N = 30


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("corpus") / "content"
    corpus.generate(N, 1, out)
    return out


def test_same_seed_gives_a_byte_identical_tree(tree, tmp_path):
    corpus.generate(N, 1, tmp_path / "again")
    assert corpus.digest(tmp_path / "again") == corpus.digest(tree)


def test_another_seed_gives_another_tree(tree, tmp_path):
    corpus.generate(N, 2, tmp_path / "other")
    assert corpus.digest(tmp_path / "other") != corpus.digest(tree)


def test_the_corpus_validates_without_errors(tree):
    proc = subprocess.run(
        [sys.executable, "build.py", "validate", "--content", str(tree)], cwd=ROOT, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_the_corpus_has_every_form_and_the_requested_count(tree):
    versions = sorted(tree.glob("*/*/*.yaml"))
    assert len({p.parent for p in versions}) == N
    forms = {corpus.load(p)["form"] for p in versions}
    assert forms == {"全項目評価書", "重点項目評価書", "基礎項目評価書", "概要"}
    assert any(len(list(a.glob("*.yaml"))) > 1 for a in tree.glob("*/*/"))


def test_no_text_holds_a_number_passing_the_my_number_check(tree):
    for path in sorted(tree.rglob("*.yaml")):
        assert not find_numbers(path.read_text(encoding="utf-8")), path
        assert not [t for _, t in strings(corpus.load(path)) if find_numbers(t)], path


def test_scrub_breaks_a_passing_number_whatever_its_width_or_separators():
    for text in ("番号 123456789018 です", "１２３４５６７８９０１８", "1234-5678-9018"):
        assert find_numbers(text)
        assert not find_numbers(corpus.scrub(text))


@pytest.mark.parametrize("kind", corpus.EDIT_KINDS)
def test_an_edit_changes_exactly_one_file(tree, tmp_path, kind):
    import shutil

    copy = tmp_path / "content"
    shutil.copytree(tree, copy)
    edited = corpus.edit(copy, kind, seed=3)
    changed = [
        p.relative_to(copy)
        for p in sorted(copy.rglob("*.yaml"))
        if not (tree / p.relative_to(copy)).exists() or (tree / p.relative_to(copy)).read_bytes() != p.read_bytes()
    ]
    assert changed == [edited.relative_to(copy)]
    assert (edited.name == "organization.yaml") == (kind == "org")
