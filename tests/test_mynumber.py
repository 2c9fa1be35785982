"""The My Number guard: a 12-digit number passing the 個人番号 check digit never reaches the site."""

from __future__ import annotations

import pytest
from test_validate import VERSION, line_of, replace_line, run_cli, tree_digest

from piasite.mynumber import check_digit, find_numbers, is_my_number

# the vectors of ../shared/DOMAIN.md
VALID = ["123456789018", "621498320257"]
INVALID = ["621498320258"]


@pytest.mark.parametrize("number", VALID)
def test_valid_vectors_pass_the_check_digit(number):
    assert is_my_number(number)
    assert check_digit(number[:11]) == int(number[11])


@pytest.mark.parametrize("number", INVALID)
def test_invalid_vectors_do_not(number):
    assert not is_my_number(number)
    assert find_numbers(f"番号 {number} です") == []


@pytest.mark.parametrize("written", [
    "123456789018", "1234 5678 9018", "1234-5678-9018", "１２３４５６７８９０１８", "１２３４－５６７８－９０１８",
    "6214 9832 0257",
])
def test_found_in_every_notation_inside_text(written):
    text = f"問合せの記録に{written}と書かれていた。"
    found = find_numbers(text)
    assert [f.written for f in found] == [written]
    assert text[found[0].start:].startswith(written)


def test_longer_digit_runs_and_phone_numbers_are_not_my_numbers():
    assert find_numbers("1123456789018") == []  # 13 digits
    assert find_numbers("電話 022-211-2333、郵便番号 980-8570") == []


def test_build_refuses_a_pasted_number_with_file_line_and_column(sample_content, tmp_path):
    version = sample_content / VERSION
    replace_line(version, "special_notes: なし", "special_notes: 確認用 1234 5678 9018 を記載")
    out = tmp_path / "site"
    run_cli("--content", str(sample_content), "--out", str(out))  # not built: must stay absent
    existing = tmp_path / "existing"
    existing.mkdir()
    (existing / "keep.txt").write_text("previous site", encoding="utf-8")
    before = tree_digest(existing)
    result = run_cli("--content", str(sample_content), "--out", str(existing))
    assert result.returncode == 1
    line = line_of(version, "1234 5678 9018")
    col = version.read_text(encoding="utf-8").splitlines()[line - 1].index("1234 5678 9018") + 1
    assert f"{VERSION.as_posix()}:{line}:{col}:" in result.stderr
    assert "個人番号(マイナンバー)の可能性" in result.stderr and "Traceback" not in result.stderr
    assert tree_digest(existing) == before
    assert not out.exists()


def test_an_allowed_number_passes_and_its_reason_is_printed(sample_content):
    version = sample_content / VERSION
    replace_line(version, "special_notes: なし", "special_notes: 法人番号 123456789018 の事業者")
    text = version.read_text(encoding="utf-8")
    version.write_text(text + "allowed_numbers:\n  - number: \"123456789018\"\n    reason: 委託先の法人番号\n",
                       encoding="utf-8")
    result = run_cli("validate", "--content", str(sample_content))
    assert result.returncode == 0, result.stderr
    assert "123456789018" in result.stderr and "委託先の法人番号" in result.stderr


def test_an_allowed_number_needs_a_reason(sample_content):
    version = sample_content / VERSION
    text = version.read_text(encoding="utf-8")
    version.write_text(text + "allowed_numbers:\n  - number: \"123456789018\"\n", encoding="utf-8")
    result = run_cli("validate", "--content", str(sample_content))
    assert result.returncode == 1
    assert "reason" in result.stderr or "理由" in result.stderr
