"""The My Number guard: a 12-digit number passing the 個人番号 check digit never reaches the site."""

from __future__ import annotations

import pytest
from test_validate import VERSION, line_of, replace_line, run_cli, tree_digest

from piasite.model.mynumber import check_digit, find_numbers, is_my_number

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


def notations(number: str) -> list[str]:
    """The ways an editor may write 12 digits: plain, grouped by spaces or hyphens, full width, mixed, wrapped."""
    full = number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    a, b, c = number[:4], number[4:8], number[8:]
    fa, fb, fc = full[:4], full[4:8], full[8:]
    return [
        number, f"{a} {b} {c}", f"{a}-{b}-{c}", full, f"{fa}－{fb}－{fc}", f"{fa}　{fb}　{fc}",
        f"{fa} {b}-{fc}", f"{a}  {b}  {c}", f"{a} - {b} - {c}", f"{a}ー{b}ー{c}", f"{a}\n{b} {c}",
        " ".join(number), f"{a}‐{b}−{c}",
    ]


@pytest.mark.parametrize("number", VALID)
@pytest.mark.parametrize("notation", range(len(notations(VALID[0]))))
def test_found_in_every_notation_inside_text(number, notation):
    written = notations(number)[notation]
    text = f"問合せの記録に{written}と書かれていた。"
    found = find_numbers(text)
    assert [f.written for f in found] == [written]
    assert [f.digits for f in found] == [number]
    assert text[found[0].start:].startswith(written)


@pytest.mark.parametrize("number", INVALID)
@pytest.mark.parametrize("notation", range(len(notations(INVALID[0]))))
def test_invalid_vectors_are_not_found_in_any_notation(number, notation):
    assert find_numbers(f"問合せの記録に{notations(number)[notation]}と書かれていた。") == []


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


ORG = "sample-city/organization.yaml"


def _append(path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


# Every place text can be: a value of each file, a key, a comment, an integer, a wrapped block, an escape.
PLACES = [
    ("version-value", lambda c: replace_line(c / VERSION, "special_notes: なし", "special_notes: 確認 6214-9832-0257"),
     VERSION.as_posix(), "6214-9832-0257"),
    ("version-full-width-mixed", lambda c: replace_line(c / VERSION, "special_notes: なし", "special_notes: 番号１２３４ 5678-９０１８"),
     VERSION.as_posix(), "１２３４ 5678-９０１８"),
    ("version-wrapped-block", lambda c: replace_line(c / VERSION, "special_notes: なし", "special_notes: |\n    番号 1234\n    5678 9018"),
     VERSION.as_posix(), "1234"),
    ("version-integer", lambda c: replace_line(c / VERSION, "        count: 1\n", "        count: 621498320257\n"),
     VERSION.as_posix(), "621498320257"),
    ("version-escape", lambda c: replace_line(c / VERSION, "special_notes: なし", 'special_notes: "\\uff11234 5678 9018"'),
     VERSION.as_posix(), '"\\uff11'),
    ("version-comment", lambda c: replace_line(c / VERSION, "special_notes: なし", "special_notes: なし  # 123456789018 を確認"),
     VERSION.as_posix(), "123456789018"),
    ("organisation-value", lambda c: replace_line(c / ORG, "phone: 0000-00-0000", "phone: 1234-5678-9018"), ORG, "1234-5678-9018"),
    ("organisation-comment", lambda c: _append(c / ORG, "# 621498320257\n"), ORG, "621498320257"),
    ("aliases-key", lambda c: (c / "aliases.yaml").write_text("aliases:\n  見本123456789018社: 見本社\n", encoding="utf-8"),
     "aliases.yaml", "123456789018"),
    ("aliases-value", lambda c: (c / "aliases.yaml").write_text("aliases:\n  見本社: 見本 6214 9832 0257 社\n", encoding="utf-8"),
     "aliases.yaml", "6214 9832 0257"),
]


@pytest.mark.parametrize("edit, file, written", [p[1:] for p in PLACES], ids=[p[0] for p in PLACES])
def test_the_guard_covers_every_place_text_can_be(edit, file, written, sample_content):
    edit(sample_content)
    result = run_cli("validate", "--content", "content", cwd=sample_content.parent)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    path = sample_content / file
    line = line_of(path, written)
    col = path.read_text(encoding="utf-8").splitlines()[line - 1].index(written) + 1
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"content/{file}:{line}:{col}: エラー"), first
    assert "個人番号(マイナンバー)の可能性" in first
    if file != VERSION.as_posix():  # these files cannot allow a number: the advice says so
        assert "allowed_numbers は書けない" in first


def test_the_guard_reports_a_number_in_the_same_run_as_other_errors(sample_content):
    version = sample_content / VERSION
    replace_line(version, "special_notes: なし", "special_notes: 123456789018")  # a number, where text is wanted
    replace_line(version, "rating: 十分である", "rating: 十分")
    result = run_cli("validate", "--content", str(sample_content))
    errors = [line for line in result.stderr.splitlines() if ": エラー" in line]
    assert result.returncode == 1 and len(errors) == 3, result.stderr
    assert sum("個人番号(マイナンバー)の可能性" in e for e in errors) == 1


def test_an_allowed_number_needs_a_reason(sample_content):
    version = sample_content / VERSION
    text = version.read_text(encoding="utf-8")
    version.write_text(text + "allowed_numbers:\n  - number: \"123456789018\"\n", encoding="utf-8")
    result = run_cli("validate", "--content", str(sample_content))
    assert result.returncode == 1
    assert "reason" in result.stderr or "理由" in result.stderr
