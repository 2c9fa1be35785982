"""Validation of editors' files: every error names file:line:column in Japanese, and nothing is damaged."""

from __future__ import annotations

import hashlib
import resource
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import CONTENT, FIXTURE_CONTENT

from piasite.model.loader import MAX_FILE_BYTES

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
    for n, line in enumerate(path.read_bytes().decode("utf-8", errors="replace").splitlines(), 1):
        if needle in line:
            return n
    raise AssertionError(f"{needle!r} not in {path}")


@dataclass
class Case:
    """A broken content tree: how to break it, where the first error must point, and a key phrase."""

    id: str
    edit: Callable[[Path], None]  # given the content folder
    file: str  # as named in the message, relative to the content folder
    where: Callable[[Path], tuple[int, int]] | None  # expected (line, column), or None: no position
    phrase: str


def at(needle: str, column: int) -> Callable[[Path], tuple[int, int]]:
    """Expect the line of `needle` in the sample version file, at `column`."""
    return lambda root: (line_of(root / VERSION, needle), column)


def edit_version(old: str, new: str) -> Callable[[Path], None]:
    return lambda root: replace_line(root / VERSION, old, new)


def write_version(data: bytes) -> Callable[[Path], None]:
    return lambda root: (root / VERSION).write_bytes(data)


def rename(old: str, new: str) -> Callable[[Path], None]:
    return lambda root: (root / old).rename(root / new)


def both(*edits: Callable[[Path], None]) -> Callable[[Path], None]:
    return lambda root: [edit(root) for edit in edits] and None


def link_organization_outside(root: Path) -> None:
    org = root / "sample-city/organization.yaml"
    outside = root.parent / "organization.yaml"
    outside.write_bytes(org.read_bytes())
    org.unlink()
    org.symlink_to(outside)


def link_outside(root: Path) -> None:
    outside = root.parent / "outside.yaml"
    outside.write_bytes((root / VERSION).read_bytes())
    (root / VERSION.parent / "2020-01-01.yaml").symlink_to(outside)


def billion_laughs(levels: int = 9) -> bytes:
    """A YAML bomb: each level repeats the previous one nine times through aliases."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    names = "abcdefghijklmnopqrstuvwxyz"
    for prev, name in zip(names[:levels - 1], names[1:levels], strict=True):
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
    return ("\n".join(lines) + "\n").encode()


SAMPLE = VERSION.as_posix()
CASES = [
    Case("yaml-syntax", edit_version("  special_notes: なし", "  special_notes: [なし"), SAMPLE, at("special_notes: [", 18),
         "「[」に対応する「]」がない"),
    Case("yaml-syntax-unclosed-quote", both(edit_version("  special_notes: なし", "  special_notes: 'なし"),
                                            edit_version("start_date: 2015-06-01", "start_date: '2015-06-01'")),
         SAMPLE, at("special_notes: 'なし", 18), "引用符(')が閉じられていない"),
    Case("yaml-syntax-tab-indentation", edit_version("  special_notes: なし", "\tspecial_notes: なし"), SAMPLE,
         at("special_notes: なし", 1), "タブ文字は字下げに使えません"),
    Case("yaml-syntax-indentation", edit_version("  special_notes: なし", "   special_notes: なし"), SAMPLE,
         at("special_notes: なし", 4), "字下げがそろっていない"),
    Case("duplicate-key", edit_version("  special_notes: なし", "  special_notes: なし\n  special_notes: あり"), SAMPLE,
         at("special_notes: あり", 3), "2回書かれています"),
    Case("wrong-type", edit_version("        count: 1\n", "        count: いち\n"), SAMPLE, at("count: いち", 16), "整数"),
    Case("unknown-key", edit_version("  special_notes: なし", "  special_note: なし"), SAMPLE,
         at("special_note: なし", 3), "もしかして「special_notes」"),
    Case("bad-choice", edit_version("target_population: 10万人以上30万人未満", "target_population: 10万人以上30万人"), SAMPLE,
         at("target_population:", 24), "選択肢にありません"),
    Case("missing-required", edit_version("  - date: 2016-04-28\n    item: I-6-②所属長\n", "  - date: 2016-04-28\n"), SAMPLE,
         at("  - date: 2016-04-28", 5), "必須の項目「項目」"),
    Case("impossible-date", edit_version("date: 2016-04-28", "date: 2023-02-30"), SAMPLE, at("date: 2023-02-30", 11), "正しくありません"),
    Case("impossible-date-in-text-field", edit_version("start_date: 2015-06-01", "start_date: 2015-06-31"), SAMPLE,
         at("start_date:", 21), "実在しません"),
    Case("version-name-impossible-date", rename(SAMPLE, "sample-city/01-sample/2019-02-30.yaml"),
         "sample-city/01-sample/2019-02-30.yaml", None, "実在しない日付"),
    Case("version-name-not-a-date", rename(SAMPLE, "sample-city/01-sample/latest.yaml"),
         "sample-city/01-sample/latest.yaml", None, "YYYY-MM-DD.yaml"),
    Case("not-utf8", lambda root: (root / VERSION).write_bytes(
        (root / VERSION).read_bytes().replace("special_notes: なし".encode(), "special_notes: なし".encode("cp932"))),
         SAMPLE, at("special_notes:", 18), "UTF-8 ではない"),
    Case("bom", lambda root: (root / VERSION).write_bytes(b"\xef\xbb\xbf" + (root / VERSION).read_bytes()), SAMPLE,
         lambda root: (1, 1), "BOM"),
    Case("empty-file", write_version(b""), SAMPLE, lambda root: (1, 1), "ファイルが空です"),
    Case("only-a-comment", write_version("# あとで書きます\n".encode()), SAMPLE, lambda root: (1, 1), "ファイルが空です"),
    Case("billion-laughs", write_version(billion_laughs()), SAMPLE, lambda root: (2, 8), "エイリアス(*)は使えません"),
    Case("deep-nesting", write_version(b"a: " + b"[" * 65 + b"]" * 65 + b"\n"), SAMPLE, lambda root: (1, 68), "入れ子が深すぎます"),
    Case("over-size-limit", write_version(b"# " + b"x" * MAX_FILE_BYTES + b"\nform: x\n"), SAMPLE, None, "大きすぎます"),
    Case("control-character", edit_version("  special_notes: なし", "  special_notes: な\x07し"), SAMPLE,
         at("special_notes:", 19), "制御文字"),
    Case("control-character-as-an-escape", edit_version("  special_notes: なし", '  special_notes: "な\\u0000し"'), SAMPLE,
         at("special_notes:", 18), "制御文字(U+0000)"),
    Case("unsafe-link", edit_version("  special_notes: なし", "  special_notes: '[詳細](javascript:alert(1))'"), SAMPLE,
         at("special_notes:", 24), "リンク先「javascript:"),
    Case("unsafe-link-data", edit_version("  special_notes: なし", "  special_notes: '<data:text/html,x>'"), SAMPLE,
         at("special_notes:", 20), "リンク先「data:text/html,x」は使えません"),
    Case("organisation-folder-not-a-slug", rename("sample-city", "Sample_City"), "Sample_City", None, "半角英小文字"),
    Case("organisation-folder-a-site-folder", rename("sample-city", "laws"), "laws", None,
         "共通のページの場所と重なる"),
    Case("organisation-folder-a-search-bundle", rename("sample-city", "pagefind-2"), "pagefind-2", None,
         "共通のページの場所と重なる"),
    Case("assessment-folder-not-a-slug", rename("sample-city/01-sample", "sample-city/01 sample"), "sample-city/01 sample",
         None, "半角英小文字"),
    Case("symlink-outside-content", link_outside, "sample-city/01-sample/2020-01-01.yaml", None, "シンボリックリンク"),
    Case("symlinked-organization-yaml-outside-content", link_organization_outside, "sample-city/organization.yaml", None,
         "シンボリックリンク"),
    # dates not written as ISO: an error that computes the ISO form (quoted or not, western or 和暦)
    Case("date-with-slashes", edit_version("  - date: 2016-04-28", "  - date: 2016/4/28"), SAMPLE,
         at("- date: 2016/4/28", 11), "「変更日」の日付「2016/4/28」は「2016-04-28」の形で書いてください"),
    Case("date-unpadded-quoted", edit_version("  - date: 2016-04-28", "  - date: '2016-4-28'"), SAMPLE,
         at("- date: '2016-4-28'", 11), "「2016-04-28」の形で書いてください"),
    Case("date-as-a-number", edit_version("date: 2015-03-27", "date: 20150327"), SAMPLE,
         at("date: 20150327", 11), "「2015-03-27」の形で書いてください"),
    Case("date-or-text-with-slashes", edit_version("start_date: 2015-06-01", "start_date: 2015/6/1"), SAMPLE,
         at("start_date:", 21), "「2015/6/1」は日付なので、「2015-06-01」の形で書いてください"),
    Case("date-or-text-in-wareki-quoted",
         edit_version("start_date: 2015-06-01", "start_date: '平成27年6月1日'"), SAMPLE,
         at("start_date:", 21), "「平成27年6月1日」は日付なので、「2015-06-01」の形で書いてください"),
    Case("date-or-text-in-wareki-gannen",
         edit_version("start_date: 2015-06-01", "start_date: 令和元年５月７日(火)"), SAMPLE,
         at("start_date:", 21), "「2019-05-07」の形で書いてください"),
    # full-width characters where YAML needs ASCII: named, at their own line and column
    Case("full-width-colon", edit_version("  special_notes: なし", "  special_notes：なし"), SAMPLE,
         at("special_notes：", 16), "全角のコロン(U+FF1A)"),
    Case("full-width-colon-in-a-list-entry",
         edit_version("      name: 住民記録システム", "      name：住民記録システム"), SAMPLE,
         at("name：住民記録システム", 11), "全角のコロン(U+FF1A)"),
    Case("full-width-space-after-colon", edit_version("  special_notes: なし", "  special_notes:\u3000なし"), SAMPLE,
         at("special_notes:\u3000", 17), "「:」の後が全角スペース(U+3000)"),
    Case("full-width-space-in-indentation", edit_version("  special_notes: なし", "\u3000special_notes: なし"), SAMPLE,
         at("\u3000special_notes", 1), "全角スペース(U+3000)が字下げ"),
    Case("full-width-space-in-nested-indentation",
         edit_version("    department: 市民環境部", "\u3000  department: 市民環境部"),
         SAMPLE, at("\u3000  department", 1), "全角スペース(U+3000)が字下げ"),
    Case("full-width-space-before-a-list-dash",
         edit_version("    - 住民基本台帳ファイル", "\u3000  - 住民基本台帳ファイル"),
         SAMPLE, at("\u3000  - 住民基本台帳ファイル", 1), "全角スペース(U+3000)が字下げ"),
    Case("full-width-space-after-spaces", edit_version("  special_notes: なし", "  \u3000special_notes: なし"), SAMPLE,
         at("\u3000special_notes", 3), "全角スペース(U+3000)"),
    Case("full-width-colon-in-a-bar-text-is-not-blamed-for-a-later-mistake",
         both(edit_version("    個人のプライバシー等の権利利益の保護に取り組んでいることを宣言する。",
                           "    ID：宣言する。"),
              edit_version("  special_notes: なし", "   special_notes: なし")),
         SAMPLE, at("   special_notes: なし", 4), "字下げがそろっていない"),
    # a value starting with a character YAML reserves
    Case("value-starting-with-an-asterisk", edit_version("  special_notes: なし", "  special_notes: *印は必須"), SAMPLE,
         at("special_notes: *", 18), "値全体を「'」で囲んでください(例: special_notes: '*印は必須')"),
    Case("value-starting-with-an-alias-like-word",
         edit_version("  special_notes: なし", "  special_notes: *1 参照"), SAMPLE,
         at("special_notes: *", 18), "「*」は YAML の記号"),
    Case("value-starting-with-an-ampersand", edit_version("  special_notes: なし", "  special_notes: &なし"), SAMPLE,
         at("special_notes: &", 18), "値の先頭の「&」"),
    Case("value-starting-with-a-bar", edit_version("  special_notes: なし", "  special_notes: |なし"), SAMPLE,
         at("special_notes: |", 18), "「|」の後で改行し"),
    Case("value-starting-with-an-at-sign", edit_version("  special_notes: なし", "  special_notes: @なし"), SAMPLE,
         at("special_notes: @", 18), "値の先頭の「@」"),
    Case("organisation-without-organization-yaml", lambda root: (root / "sample-city/organization.yaml").unlink(),
         "sample-city", None, "organization.yaml がありません"),
]


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory) -> Path:
    """The sample content built once by the command line, for each case to copy as its previous site."""
    work = tmp_path_factory.mktemp("sample-cli")
    shutil.copytree(FIXTURE_CONTENT, work / "content")
    result = run_cli("build", "--content", "content", "--out", "site", cwd=work)
    assert result.returncode == 0, result.stderr
    return work / "site"


def run_in_process(capsys, monkeypatch, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run the command line as run_cli does, in this process: the same main(), without starting Python."""
    from piasite.cli import main

    capsys.readouterr()
    with monkeypatch.context() as m:
        m.chdir(cwd)
        status = main(list(args))
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess(args, status, out, err)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_broken_content_is_reported_at_file_line_column_and_output_is_untouched(
    case, sample_content, sample_site, capsys, monkeypatch
):
    out = sample_content.parent / "site"
    shutil.copytree(sample_site, out)
    before = tree_digest(out)
    case.edit(sample_content)
    where = f"content/{case.file}"
    if case.where is not None:
        line, column = case.where(sample_content)
        where += f":{line}:{column}"

    for command in (["build", "--out", "site"], ["validate"]):
        result = run_in_process(capsys, monkeypatch, *command, "--content", "content", cwd=sample_content.parent)

        assert result.returncode == 1, (command, result.stderr)
        assert "Traceback" not in result.stderr
        first = result.stderr.splitlines()[0]
        assert first.startswith(f"{where}: エラー"), (command, first)
        assert case.phrase in first, (command, first)
        assert result.stderr.splitlines()[-1].startswith("エラー ") and "出力は変更していません" in result.stderr
        assert tree_digest(out) == before


BOMBS = {
    "billion-laughs": (billion_laughs(12), "エイリアス(*)は使えません"),  # 9^12 strings if expanded
    # libyaml's composer recursed until the process crashed (SIGSEGV) on such files
    "deep-flow-nesting": (b"a: " + b"[" * 900_000 + b"]" * 900_000 + b"\n", "入れ子が深すぎます"),
    "deep-block-nesting": (b"a:\n" + b"- " * 900_000 + b"x\n", "入れ子が深すぎます"),
}


@pytest.mark.parametrize("bomb", BOMBS, ids=list(BOMBS))
def test_a_yaml_bomb_is_rejected_in_bounded_time_and_memory(bomb, sample_content):
    """With 1 GiB of address space and a minute, each bomb is refused with a message, not run out of memory or crashed."""
    data, phrase = BOMBS[bomb]
    (sample_content / VERSION).write_bytes(data)
    limit = 1024 * 1024 * 1024

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    result = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "validate", "--content", str(sample_content)],
        capture_output=True, text=True, timeout=60, preexec_fn=cap,
    )
    assert result.returncode == 1 and phrase in result.stderr, result.stderr
    assert "MemoryError" not in result.stderr and "Traceback" not in result.stderr


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


def test_errors_in_several_files_are_all_reported_in_one_run_sorted_by_file_and_line(tmp_path):
    """Real content broken in five files of four organisations, a broken organization.yaml included:
    one run lists every error, sorted by file then line, and counts them."""
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    kitami, kitami_org = "kitami-city/01-juki/2019-02-08.yaml", "kitami-city/organization.yaml"
    miyagi, morioka = "miyagi-pref/07-juki-net/2023-11-27.yaml", "morioka-city/01-juki/2021-12-24.yaml"
    replace_line(content / kitami, "  special_notes: なし", "  special_note: なし")
    replace_line(content / kitami, "rating: 十分である", "rating: 十分")
    replace_line(content / kitami_org, "prefecture: 北海道", "prefectur: 北海道")
    replace_line(content / miyagi, "  title: 住民基本台帳", "  title: 個人番号 6214 9832 0257 の住民基本台帳")
    (content / morioka).write_text("form: [全項目評価書\n", encoding="utf-8")
    (content / "yamaguchi-pref/organization.yaml").unlink()
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("previous site", encoding="utf-8")
    before = tree_digest(out)

    for command in (["validate"], ["build", "--out", "site"]):
        result = run_cli(*command, "--content", "content", cwd=tmp_path)

        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
        errors = [line for line in result.stderr.splitlines() if ": エラー" in line]
        places = [e.split(": エラー")[0] for e in errors]
        assert places == [
            f"content/{kitami}:{line_of(content / kitami, 'special_note:')}:3",
            f"content/{kitami}:{line_of(content / kitami, 'rating: 十分')}:17",
            f"content/{kitami_org}:{line_of(content / kitami_org, 'prefectur:')}:1",
            f"content/{miyagi}:{line_of(content / miyagi, '6214 9832 0257')}:15",
            f"content/{morioka}:1:7",
            "content/yamaguchi-pref",
        ], result.stderr
        assert "もしかして「special_notes」" in errors[0] and "選択肢にありません" in errors[1]
        assert "もしかして「prefecture」" in errors[2] and "個人番号(マイナンバー)の可能性" in errors[3]
        assert "「[」に対応する「]」がない" in errors[4] and "organization.yaml がありません" in errors[5]
        assert result.stderr.splitlines()[-1] == "エラー 6 件(5 ファイル)。出力は変更していません。"
        assert tree_digest(out) == before


def test_bad_choice_lists_allowed_values_nearest_first(sample_content):
    replace_line(sample_content / VERSION, "rating: 十分である", "rating: 十分")
    result = run_cli("validate", "--content", str(sample_content))
    message = result.stderr.splitlines()[0]
    assert "リスクへの対策は十分か" in message
    assert message.index("十分である") < message.index("特に力を入れている")


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
    result = run_cli("validate", "--content", str(CONTENT))
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
    from piasite.model.errors import ContentProblem

    text = github_annotation(ContentProblem("a,b:c.yaml", 3, 4, "1行目\n2行目 100%", severity="warning"))
    assert text == "::warning file=a%2Cb%3Ac.yaml,line=3,col=4::1行目%0A2行目 100%25"


@pytest.mark.parametrize(
    ("written", "iso"),
    [
        ("2015/6/1", "2015-06-01"), ("2015-6-1", "2015-06-01"), ("2015.06.01", "2015-06-01"),
        ("2015年6月1日", "2015-06-01"), ("平成27年6月1日", "2015-06-01"), ("平成27年6月1日(月)", "2015-06-01"),
        ("令和元年5月1日", "2019-05-01"), ("令和１年５月１日", "2019-05-01"), ("H27.6.1", "2015-06-01"),
        ("２０１５／６／１", "2015-06-01"), ("20150601", "2015-06-01"), (20150601, "2015-06-01"),
        # not one whole, real date: no suggestion
        ("2015-06-01", None), ("平成27年6月", None), ("令和1年4月1日", None), ("2015/2/30", None),
        ("令和5年9月15日(金)～令和5年10月16日(月)", None), (True, None), (None, None),
    ],
)
def test_a_date_written_otherwise_is_read_for_its_iso_form(written, iso):
    from piasite.model.dates import suggest_iso

    assert suggest_iso(written) == iso


def test_a_value_on_several_lines_without_a_bar_is_a_warning_at_its_line(sample_content):
    replace_line(sample_content / VERSION, "  special_notes: なし",
                 "  special_notes: 一行目\n    二行目\n    title：三行目")
    result = run_cli("validate", "--all-warnings", "--content", "content", cwd=sample_content.parent)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if ": 警告" in line]
    line = line_of(sample_content / VERSION, "special_notes: 一行目")
    assert len(warnings) == 1 and warnings[0].startswith(f"content/{SAMPLE}:{line}:18: 警告: ")
    assert "「|」を使っていないため" in warnings[0] and "全角の「：」" in warnings[0]
    # written with | the lines are kept, and nothing is said
    replace_line(sample_content / VERSION, "  special_notes: 一行目", "  special_notes: |\n    一行目")
    result = run_cli("validate", "--all-warnings", "--content", "content", cwd=sample_content.parent)
    assert result.returncode == 0 and ": 警告" not in result.stderr, result.stderr


def test_each_problem_is_printed_once(sample_content):
    """A date breaks two rules of the schema and a number written twice is found twice: one line each."""
    target = sample_content / VERSION
    replace_line(target, "  - date: 2016-04-28", "  - date: 2016/4/28")
    replace_line(target, "  special_notes: なし", "  special_notes: 123456789018 と 123456789018")
    for command in (["validate"], ["build", "--out", "site"]):
        result = run_cli(*command, "--content", "content", cwd=sample_content.parent)
        assert result.returncode == 1
        lines = result.stderr.splitlines()
        assert len(lines) == len(set(lines)), result.stderr
        assert lines[-1].startswith("エラー 2 件"), result.stderr


def test_a_different_number_of_file_names_and_files_is_a_warning_naming_both_counts(sample_content):
    replace_line(sample_content / VERSION, "    - 本人確認情報ファイル\n", "")
    result = run_cli("validate", "--all-warnings", "--content", "content", cwd=sample_content.parent)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if ": 警告" in line]
    assert len(warnings) == 1, result.stderr
    assert warnings[0].startswith(f"content/{SAMPLE}:{line_of(sample_content / VERSION, 'file_names:')}:3: 警告")
    assert "(file_names)には 1 件" in warnings[0] and "(files)には 2 件" in warnings[0]


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=cwd, check=True,
                   capture_output=True)


FOLDED = ("  special_notes: なし", "  special_notes: 一行目\n    二行目")


def test_only_the_warnings_of_ones_own_files_are_printed_in_full(tmp_path):
    """Own files: changed in git since the branch left main, or untracked; the others' warnings are counted.
    --all-warnings prints them all, --format github annotates them all, and without git every file counts."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "tests/fixtures/content", content)
    replace_line(content / VERSION, *FOLDED)  # a warning in a file already on main: another editor's
    _git(tmp_path, "init", "-q", "-b", "main")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-q", "-m", "main")
    _git(tmp_path, "checkout", "-q", "-b", "new-town")
    shutil.copytree(content / "sample-city", content / "new-town")  # this editor's, not yet committed
    mine, theirs = "content/new-town/01-sample/2019-02-08.yaml", f"content/{SAMPLE}"

    def warned(*args: str) -> tuple[list[str], str]:
        result = run_cli("validate", *args, "--content", "content", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        return [line.removeprefix("::warning file=").split(",")[0] if line.startswith("::") else line.split(":")[0]
                for line in result.stderr.splitlines() if "警告:" in line or line.startswith("::warning")], \
            result.stderr + result.stdout

    files, stderr = warned()
    assert files == [mine] and "ほかのファイル(git で変更していないファイル)の警告 1 件は表示していません" in stderr
    assert "警告 2 件" in stderr  # the summary counts them all
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-q", "-m", "new town")  # committed on the branch: still this editor's
    assert warned()[0] == [mine]
    assert warned("--all-warnings")[0] == [mine, theirs]
    files, stderr = warned("--format", "github")
    assert sorted(files) == sorted([mine, theirs]) and "表示していません" not in stderr
    shutil.rmtree(tmp_path / ".git")  # no repository: every file is one's own
    assert warned()[0] == [mine, theirs]
