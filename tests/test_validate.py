"""Validation of editors' files: every error names file:line:column in Japanese, and nothing is damaged."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VERSION = Path("sample-city/01-sample/2019-02-08.yaml")


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def tree_digest(folder: Path) -> dict[str, str]:
    """Return a digest of every file under a folder, to prove it is byte-for-byte unchanged."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def replace_line(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture no longer contains {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return n
    raise AssertionError(f"{needle!r} not in {path}")


# (id, edit, needle whose line is expected, expected column, key phrase)
CASES = [
    ("yaml-syntax", lambda p: replace_line(p, "  special_notes: なし", "  special_notes: [なし"), None, None, "YAML の書き方に誤り"),
    ("duplicate-key", lambda p: replace_line(p, "  special_notes: なし", "  special_notes: なし\n  special_notes: あり"), "special_notes: あり", 3, "2回書かれています"),
    ("bad-choice", lambda p: replace_line(p, "target_population: 10万人以上30万人未満", "target_population: 10万人以上30万人"), "target_population:", 24, "選択肢にありません"),
    ("unknown-key", lambda p: replace_line(p, "  special_notes: なし", "  special_note: なし"), "special_note: なし", 3, "もしかして「special_notes」"),
    ("wrong-type", lambda p: replace_line(p, "        count: 1\n", "        count: いち\n"), "count: いち", 16, "整数"),
    ("missing-required", lambda p: replace_line(p, "  - date: 2016-04-28\n    item: I-6-②所属長\n", "  - date: 2016-04-28\n"), "  - date: 2016-04-28", 5, "必須の項目「項目」"),
    ("impossible-date", lambda p: replace_line(p, "date: 2016-04-28", "date: 2023-02-30"), "date: 2023-02-30", 11, "正しくありません"),
    ("impossible-date-in-text-field", lambda p: replace_line(p, "start_date: 2015-06-01", "start_date: 2015-06-31"), "start_date:", 21, "実在しません"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_broken_file_is_reported_with_position_and_output_is_untouched(case, sample_content, tmp_path):
    name, edit, needle, column, phrase = case
    out = tmp_path / "site"
    assert run_cli("build", "--content", str(sample_content), "--out", str(out)).returncode == 0
    before = tree_digest(out)
    target = sample_content / VERSION
    edit(target)

    result = run_cli("build", "--content", str(sample_content), "--out", str(out))

    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert phrase in result.stderr
    first = result.stderr.splitlines()[0]
    assert str(VERSION) in first
    if needle is not None:
        assert f"2019-02-08.yaml:{line_of(target, needle)}:{column}:" in first, first
    assert tree_digest(out) == before


def test_validate_reports_every_error_in_one_run(sample_content):
    target = sample_content / VERSION
    replace_line(target, "  special_notes: なし", "  special_note: なし")
    replace_line(target, "rating: 十分である", "rating: 十分")
    result = run_cli("validate", "--content", str(sample_content))
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if ": エラー" in line]
    assert len(errors) == 2
    assert "エラー 2 件" in result.stderr
    lines = [int(e.split(":")[1]) for e in errors]
    assert lines == sorted(lines)


def test_bad_choice_lists_allowed_values_nearest_first(sample_content):
    replace_line(sample_content / VERSION, "rating: 十分である", "rating: 十分")
    result = run_cli("validate", "--content", str(sample_content))
    message = result.stderr.splitlines()[0]
    assert "リスクへの対策は十分か" in message
    assert message.index("十分である") < message.index("特に力を入れている")


def test_version_file_name_must_be_a_real_date(sample_content):
    (sample_content / VERSION).rename(sample_content / "sample-city/01-sample/2019-02-30.yaml")
    result = run_cli("validate", "--content", str(sample_content))
    assert result.returncode == 1
    assert "実在しない日付" in result.stderr


def test_folder_names_must_be_slugs(sample_content):
    (sample_content / "sample-city").rename(sample_content / "Sample_City")
    result = run_cli("validate", "--content", str(sample_content))
    assert result.returncode == 1
    assert "半角英小文字" in result.stderr


def test_organization_folder_needs_organization_yaml(sample_content):
    (sample_content / "sample-city/organization.yaml").unlink()
    result = run_cli("validate", "--content", str(sample_content))
    assert result.returncode == 1
    assert "organization.yaml がありません" in result.stderr


def test_local_government_code_check_digit_is_verified(sample_content):
    replace_line(sample_content / "sample-city/organization.yaml", '"012084"', '"012085"')
    result = run_cli("validate", "--content", str(sample_content))
    assert result.returncode == 1
    assert "organization.yaml:5:24:" in result.stderr
    assert "検査数字" in result.stderr


def test_unavailable_must_point_at_an_item_of_the_form(sample_content):
    replace_line(sample_content / VERSION, "item: basic_info.business.description", "item: basic_info.business.no_such_item")
    result = run_cli("validate", "--content", str(sample_content))
    assert result.returncode == 1
    assert "様式の項目を指していません" in result.stderr


def test_valid_content_exits_zero_and_usage_errors_exit_two(sample_content):
    assert run_cli("validate", "--content", str(sample_content)).returncode == 0
    assert run_cli("validate", "--no-such-option").returncode == 2


def test_real_content_validates():
    result = run_cli("validate")
    assert result.returncode == 0, result.stderr
    assert "エラー 0 件" in result.stdout


def test_github_format_prints_annotations_on_the_lines(sample_content):
    replace_line(sample_content / VERSION, "kind: システム用ファイル", "kind: システムファイル")
    result = run_cli("validate", "--format", "github", "--content", "content", cwd=sample_content.parent)
    assert result.returncode == 1
    line = line_of(sample_content / VERSION, "kind: システムファイル")
    annotations = [a for a in result.stderr.splitlines() if a.startswith("::error ")]
    assert annotations, result.stderr
    # the path is relative to the repository root, where CI runs, so the annotation lands on the line
    assert annotations[0].startswith(f"::error file=content/{VERSION.as_posix()},line={line},col=15::")
    assert "::" in annotations[0][len("::error "):] and "システムファイル" in annotations[0]


def test_github_annotation_escapes_newlines_and_property_separators():
    from piasite.cli import github_annotation
    from piasite.errors import ContentProblem

    text = github_annotation(ContentProblem("a,b:c.yaml", 3, 4, "1行目\n2行目 100%", severity="warning"))
    assert text == "::warning file=a%2Cb%3Ac.yaml,line=3,col=4::1行目%0A2行目 100%25"
