"""The editors' commands: `new` scaffolds from the schema, `new-version` copies, `changes` drafts the 変更箇所;
--content is honoured everywhere; --quiet and --verbose on validate, and no progress line off a terminal."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import CONTENT, ROOT

from piasite.model.loader import load_yaml

VERSION = "sample-city/01-sample/2019-02-08.yaml"
REAL = {
    "full": CONTENT / "miyagi-pref/07-juki-net/2023-11-27.yaml",
    "key": CONTENT / "kitami-city/01-juki/2019-02-08.yaml",
    "summary": CONTENT / "yamaguchi-pref/01-juki-net/2021-08-10.yaml",
    # no real 基礎項目評価書 exists: the parts it shares with a 重点項目評価書 (表紙 …) are filled from one
    "basic": CONTENT / "kitami-city/01-juki/2019-02-08.yaml",
}


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def fill(scaffold: object, real: object, text: str, skipped: list[str], add_commented: bool, path: str = "") -> object:
    """Merge real data into a scaffold's structure: real values where the real file has the item."""
    if isinstance(scaffold, dict):
        real = real if isinstance(real, dict) else {}
        out = {}
        for key, value in scaffold.items():
            if key == "form" and not path:
                out[key] = value
            elif key in real:
                out[key] = fill(value, real[key], text, skipped, add_commented, f"{path}.{key}")
            else:
                out[key] = [] if isinstance(value, list) else fill(value, None, text, skipped, add_commented)
        for key in real:
            if key not in scaffold:
                if add_commented and f"# {key}:" in text:
                    out[key] = real[key]  # written commented out in the scaffold: the editor uncomments it
                else:
                    skipped.append(f"{path}.{key}")
        return out
    if isinstance(scaffold, list):
        return real if isinstance(real, list) else []
    return real if real is not None else scaffold


@pytest.mark.parametrize("form", ["full", "key", "basic", "summary"])
def test_scaffold_filled_with_a_real_assessment_validates(sample_content, form):
    result = run("new", "sample-city/02-new", "--form", form, "--date", "2024-04-01", "--content", str(sample_content))
    assert result.returncode == 0, result.stderr
    target = sample_content / "sample-city/02-new/2024-04-01.yaml"
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=")
    scaffold = yaml.safe_load(text)
    real, problems = load_yaml(REAL[form], str(REAL[form]))
    assert real is not None, problems
    skipped: list[str] = []
    data = fill(scaffold, real.data, text, skipped, add_commented=form != "basic")
    if form != "basic":
        assert skipped == [], "items of a real assessment missing from the scaffold"
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000)
    target.write_text(text.splitlines()[0] + "\n" + body, encoding="utf-8")
    result = run("validate", "--content", str(sample_content))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("form", "required"),
    [
        ("full", ["cover.title", "files[0].name"]),
        ("key", ["cover.title", "files[0].name"]),
        ("basic", ["cover.title"]),
        ("summary", ["cover.title", "sections[0].title", "summary_of.form"]),
    ],
)
def test_empty_scaffold_lists_the_required_items_with_positions(sample_content, form, required):
    run("new", "sample-city/02-new", "--form", form, "--date", "2024-04-01", "--content", str(sample_content))
    target = sample_content / "sample-city/02-new/2024-04-01.yaml"
    lines = target.read_text(encoding="utf-8").splitlines()
    result = run("validate", "--content", str(sample_content))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if ": エラー [" in line]
    assert sorted(e.split(": エラー [", 1)[1].split("]: ", 1)[0] for e in errors) == sorted(required)
    for error in errors:
        where, message = error.split(": エラー ", 1)
        file, line, col = where.rsplit(":", 2)
        assert Path(file).name == "2024-04-01.yaml"
        key = message.split("]: ", 1)[0].rsplit(".", 1)[-1]
        assert lines[int(line) - 1][int(col) - 1 :].startswith(f"{key}:")
        assert "必須の項目" in message and "が空欄です" in message


def test_new_organisation_gets_an_organization_file_whose_items_are_required(sample_content):
    result = run("new", "new-town/01-juki", "--form", "key", "--content", str(sample_content))
    assert result.returncode == 0, result.stderr
    org = sample_content / "new-town/organization.yaml"
    assert org.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=")
    result = run("validate", "--content", str(sample_content))
    assert result.returncode == 1
    assert {"[name]", "[organization]", "[kind]"} <= {
        e.split(" ")[2].rstrip(":") for e in result.stderr.splitlines() if "エラー [" in e
    }


def test_new_organisation_gets_a_corrections_template_and_an_existing_one_is_kept(sample_content):
    result = run("new", "new-town/01-juki", "--form", "key", "--date", "2024-06-01", "--content", str(sample_content))
    assert result.returncode == 0, result.stderr
    corrections = sample_content / "new-town/CORRECTIONS.md"
    assert f"作成しました: {corrections}" in result.stdout
    text = corrections.read_text(encoding="utf-8")
    assert text.startswith("# new-town 訂正と判断の記録") and "`01-juki/2024-06-01.yaml`" in text
    assert "| 原文(抽出テキスト) | 訂正後 | 箇所 | 理由 |" in text
    corrections.write_text("# 記録\n", encoding="utf-8")
    result = run("new", "new-town/02-zei", "--form", "key", "--date", "2024-06-01", "--content", str(sample_content))
    assert result.returncode == 0 and "CORRECTIONS.md" not in result.stdout
    assert corrections.read_text(encoding="utf-8") == "# 記録\n"
    assert not (sample_content / "sample-city/CORRECTIONS.md").exists()  # an existing organisation gets none


def test_new_refuses_to_overwrite(sample_content):
    args = ("new", "sample-city/02-new", "--form", "key", "--date", "2024-04-01", "--content", str(sample_content))
    org = sample_content / "sample-city/organization.yaml"
    before = org.read_text(encoding="utf-8")
    assert run(*args).returncode == 0
    target = sample_content / "sample-city/02-new/2024-04-01.yaml"
    target.write_text(target.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    result = run(*args)
    assert result.returncode == 1 and "上書きしません" in result.stderr
    assert target.read_text(encoding="utf-8").endswith("# edited\n")
    assert org.read_text(encoding="utf-8") == before  # an existing organisation is left alone


@pytest.mark.parametrize("target", ["Bad/x", "a_b/x", "a/-x", "a/b/c", "only-org"])
def test_new_refuses_an_invalid_name_as_a_usage_error(sample_content, target):
    result = run("new", target, "--form", "full", "--content", str(sample_content))
    assert result.returncode == 2
    assert result.stderr.startswith("使い方の誤り: ")
    assert "半角英小文字" in result.stderr or "<団体>/<評価書>" in result.stderr


@pytest.mark.parametrize(
    ("command", "date", "phrase"),
    [
        ("new", "2024/6/1", "「2024-06-01」の形で書いてください"),
        ("new", "令和6年6月1日", "「2024-06-01」の形で書いてください"),
        ("new", "20240601", "「2024-06-01」の形で書いてください"),
        ("new", "2024-02-30", "実在する日付を YYYY-MM-DD"),
        ("new-version", "2024-6-1", "「2024-06-01」の形で書いてください"),
        ("new-version", "いつか", "実在する日付を YYYY-MM-DD"),
    ],
)
def test_a_date_not_written_as_iso_is_a_usage_error_that_suggests_the_iso_form(sample_content, command, date, phrase):
    form = ("--form", "key") if command == "new" else ()
    target = "sample-city/02-new" if command == "new" else "sample-city/01-sample"
    before = sorted(p.relative_to(sample_content) for p in sample_content.rglob("*"))
    result = run(command, target, *form, "--date", date, "--content", str(sample_content))
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("使い方の誤り: --date の日付") and phrase in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.relative_to(sample_content) for p in sample_content.rglob("*")) == before


def test_changes_with_an_invalid_name_is_a_usage_error(sample_content):
    result = run("changes", "sample-city", "--content", str(sample_content))
    assert result.returncode == 2 and "<団体>/<評価書>" in result.stderr


def test_new_version_copies_the_latest_and_refuses_a_date_not_after_it(sample_content):
    folder = sample_content / "sample-city/01-sample"
    for date, status in (("2019-02-08", 1), ("2018-01-01", 2)):  # the file exists; the date is not after it
        result = run("new-version", "sample-city/01-sample", "--date", date, "--content", str(sample_content))
        assert result.returncode == status, result.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["2019-02-08.yaml"]
    result = run("new-version", "sample-city/01-sample", "--date", "2020-04-01", "--content", str(sample_content))
    assert result.returncode == 0, result.stderr
    assert (folder / "2020-04-01.yaml").read_bytes() == (folder / "2019-02-08.yaml").read_bytes()
    result = run("new-version", "sample-city/01-sample", "--date", "2020-04-01", "--content", str(sample_content))
    assert result.returncode == 1 and "上書きしません" in result.stderr


def _edit(path: Path, *pairs: tuple[str, str]) -> None:
    text = path.read_text(encoding="utf-8")
    for old, new in pairs:
        assert old in text
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")


def test_changes_drafts_the_rows_of_an_edit(sample_content):
    assert (
        run("new-version", "sample-city/01-sample", "--date", "2020-04-01", "--content", str(sample_content)).returncode
        == 0
    )
    new = sample_content / "sample-city/01-sample/2020-04-01.yaml"
    _edit(
        new,
        ("head_title: 戸籍住民課長", "head_title: 市民課長"),
        ("user_count: 10人以上50人未満", "user_count: 50人以上100人未満"),
        ("        ・証明書の発行\n", "        ・証明書の発行\n        ・コンビニ交付\n"),
        (
            "        other: 庁内連携システム\n",
            "        other: 庁内連携システム\n    - number: 2\n      name: コンビニ交付システム\n",
        ),
    )
    result = run("changes", "sample-city/01-sample", "--content", str(sample_content))
    assert result.returncode == 0, result.stderr
    assert "timing(提出時期" in result.stdout
    rows = yaml.safe_load(result.stdout)
    assert rows == [
        {
            "date": "2020-04-01",
            "item": "Ⅰ-2-システム2",
            "before": "追加",
            "after": "システム2: コンビニ交付システム",
            "timing": None,
            "timing_note": None,
        },
        {
            "date": "2020-04-01",
            "item": "Ⅰ-2-システム1-②システムの機能",
            "before": "・住民票の記載\n・証明書の発行\n",
            "after": "・住民票の記載\n・証明書の発行\n・コンビニ交付\n",
            "timing": None,
            "timing_note": None,
        },
        {
            "date": "2020-04-01",
            "item": "Ⅰ-6-②所属長の役職名",
            "before": "戸籍住民課長",
            "after": "市民課長",
            "timing": None,
            "timing_note": None,
        },
        {
            "date": "2020-04-01",
            "item": "Ⅱ(1)-3-④ 使用者数",
            "before": "10人以上50人未満",
            "after": "50人以上100人未満",
            "timing": None,
            "timing_note": None,
        },
    ]
    # pasted under change_log, every row resolves to the item that changed: no warning is left
    pasted = "".join(f"  {line}\n" for line in result.stdout.splitlines() if not line.startswith("#"))
    _edit(new, ("\nunavailable:", "\n" + pasted + "unavailable:"))
    result = run("validate", "--content", str(sample_content))
    assert result.returncode == 0, result.stderr
    assert "警告" not in result.stderr
    assert run("changes", "sample-city/01-sample", "--content", str(sample_content)).stdout.count("- date:") == 0


def test_changes_items_resolve_to_the_changed_items(sample_content):
    from piasite.build.pipeline import validate
    from piasite.document.itemref import ItemResolver
    from piasite.document.sections import document_sections
    from piasite.editing.drafts import diff_to_previous, draft_rows

    run("new-version", "sample-city/01-sample", "--date", "2020-04-01", "--content", str(sample_content))
    new = sample_content / "sample-city/01-sample/2020-04-01.yaml"
    _edit(
        new,
        ("head_title: 戸籍住民課長", "head_title: 市民課長"),
        ("subject_count: 10万人以上100万人未満\n        main", "subject_count: 100万人以上1,000万人未満\n        main"),
    )
    site, _ = validate(sample_content)
    assessment = site.assessments[0]
    diff = diff_to_previous(site, assessment)
    rows = draft_rows(site, assessment, diff)
    resolver = ItemResolver(document_sections(site, assessment.latest, assessment.org.name))
    changed = {c.new_path for s in diff.sections for c in s.changes}
    assert {resolver.resolve(r.item).path for r in rows} == changed
    assert all(r.exact for r in rows)


def test_changes_needs_two_versions(sample_content):
    result = run("changes", "sample-city/01-sample", "--content", str(sample_content))
    assert result.returncode == 1 and "版が1つしかありません" in result.stderr


def test_content_option_is_honoured_relative_to_the_working_folder(tmp_path, sample_content):
    other = tmp_path / "other"
    sample_content.rename(other)
    assert (
        run(
            "new", "sample-city/02-new", "--form", "basic", "--date", "2024-04-01", "--content", "other", cwd=tmp_path
        ).returncode
        == 0
    )
    assert (other / "sample-city/02-new/2024-04-01.yaml").is_file()
    assert not (CONTENT / "sample-city").exists()
    assert (
        run(
            "new-version", "sample-city/01-sample", "--date", "2020-01-01", "--content", "other", cwd=tmp_path
        ).returncode
        == 0
    )
    assert (other / "sample-city/01-sample/2020-01-01.yaml").is_file()
    result = run("changes", "sample-city/01-sample", "--content", "other", cwd=tmp_path)
    assert "02-new" in result.stderr or result.returncode == 1  # the empty scaffold stops validation
    assert run("validate", "--content", "nowhere", cwd=tmp_path).returncode == 1


def test_quiet_prints_nothing_but_errors_and_verbose_prints_timings(sample_content):
    quiet = run("validate", "--quiet", "--content", str(sample_content))
    assert quiet.returncode == 0 and quiet.stdout == "" and quiet.stderr == ""
    verbose = run("validate", "--verbose", "--content", str(sample_content))
    assert verbose.returncode == 0 and "段階ごとの時間" in verbose.stderr
    _edit(sample_content / VERSION, ("form: 重点項目評価書", "form: 重点項目"))
    quiet = run("validate", "--quiet", "--content", str(sample_content))
    assert quiet.returncode == 1 and "エラー [form]" in quiet.stderr


def test_no_progress_line_when_not_on_a_terminal(tmp_path, sample_content):
    result = run("build", "--content", str(sample_content), "--out", str(tmp_path / "site"))
    assert result.returncode == 0, result.stderr
    assert "\r" not in result.stderr and "生成中" not in result.stderr
    assert "サイトを生成しました" in result.stdout


def test_progress_shows_stages_on_a_terminal():
    import io

    from piasite.build.progress import Progress

    stream = io.StringIO()
    progress = Progress(stream, enabled=True, interval=0)
    progress.stage("ページを生成中")
    progress.update(120, 480)
    progress.clear()
    assert "ページを生成中 120/480" in stream.getvalue()
    assert stream.getvalue().endswith("\r\x1b[2K")


def _comment_above(lines: list[str], item: str) -> str:
    """Return the scaffold's comment line just above the first line that starts with `item`."""
    index = next(i for i, line in enumerate(lines) if line.strip().startswith(item))
    assert lines[index - 1].strip().startswith("#")
    return lines[index - 1]


def test_scaffold_says_how_to_write_check_boxes_and_lists_of_texts(sample_content):
    run("new", "sample-city/02-new", "--form", "key", "--date", "2024-04-01", "--content", str(sample_content))
    target = sample_content / "sample-city/02-new/2024-04-01.yaml"
    lines = target.read_text(encoding="utf-8").splitlines()
    assert "true" in _comment_above(lines, "provides:") and "false" in _comment_above(lines, "provides:")
    assert "true" in _comment_above(lines, "not_outsourced:")
    assert "「- 」" in _comment_above(lines, "file_names: []") and "[]" in _comment_above(lines, "file_names: []")
    assert "「- 」" in _comment_above(lines, "items: []")
    assert "true、なければ" not in _comment_above(lines, "status:")  # a choice, not a check box
    # doing what the comments say gives a valid file
    _edit(
        target,
        ("  title:\n", "  title: 見本市 住民基本台帳事務 重点項目評価書\n"),
        ("  file_names: []\n", "  file_names:\n    - 住民基本台帳ファイル\n"),
        ("# 1. 特定個人情報ファイル名\n    name:\n", "# 1. 特定個人情報ファイル名\n    name: 住民基本台帳ファイル\n"),
        ("        provides:\n", "        provides: true\n"),
    )
    result = run("validate", "--content", str(sample_content))
    assert result.returncode == 0, result.stderr
    # a check box written in words is refused with the same advice
    _edit(target, ("        provides: true\n", "        provides: はい\n"))
    result = run("validate", "--content", str(sample_content), "-q")
    assert result.returncode == 1
    assert (
        "[files[0].overview.provision.provides]: 「提供を行っている」は true か false で書いてください" in result.stderr
    )
    assert "チェックがあれば true" in result.stderr


@pytest.mark.parametrize(
    ("old", "new", "item", "advice"),
    [
        # a number where the form has text: YAML reads it as a number; quoting makes it text
        ('  number: "1"\n', "  number: 1\n", "cover.number", "「'1'」"),
        # a nested item written with too little indentation: the error names the group it belongs to
        (
            "    head_title: 戸籍住民課長\n",
            "  head_title: 戸籍住民課長\n",
            "basic_info.head_title",
            "(department) の中に書く項目",
        ),
        # text that YAML reads as a list
        ("  special_notes: なし\n", "  special_notes:\n    - なし\n", "cover.special_notes", "「'」で囲みます"),
        # an empty row left in a list: empty, not "null"; the row can be deleted
        ("change_log:\n", "change_log:\n  - date:\n    item: I-6-②所属長\n", "change_log[0].date", "まとまりごと削除"),
    ],
)
def test_typical_mistakes_are_explained_in_the_editors_terms(sample_content, old, new, item, advice):
    _edit(sample_content / VERSION, (old, new))
    result = run("validate", "--content", str(sample_content), "-q")
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if ": エラー [" in line]
    assert len(errors) == 1, result.stderr
    assert f"エラー [{item}]: " in errors[0] and advice in errors[0]
    assert "null" not in errors[0] and "という項目はありません" not in errors[0]


def test_organisation_code_written_without_quotes_is_explained(sample_content):
    _edit(
        sample_content / "sample-city/organization.yaml",
        ('local_government_code: "012084"\n', "local_government_code: 040002\n"),
    )
    result = run("validate", "--content", str(sample_content), "-q")
    assert result.returncode == 1
    assert "[local_government_code]" in result.stderr and "「'040002'」" in result.stderr
    # and the scaffold of a new organisation says so before the mistake
    run("new", "new-town/01-juki", "--form", "key", "--content", str(sample_content))
    lines = (sample_content / "new-town/organization.yaml").read_text(encoding="utf-8").splitlines()
    assert "'040002'" in _comment_above(lines, "local_government_code:")


def test_changes_says_how_to_paste_into_a_version_made_by_new(sample_content):
    args = ("--content", str(sample_content))
    run("new", "sample-city/02-new", "--form", "key", "--date", "2024-04-01", *args)
    first = sample_content / "sample-city/02-new/2024-04-01.yaml"
    _edit(
        first,
        ("  title:\n", "  title: 見本市 住民基本台帳事務 重点項目評価書\n"),
        ("# 1. 特定個人情報ファイル名\n    name:\n", "# 1. 特定個人情報ファイル名\n    name: 住民基本台帳ファイル\n"),
        ("    head_title:\n", "    head_title: 戸籍住民課長\n"),
    )
    assert run("new-version", "sample-city/02-new", "--date", "2025-04-01", *args).returncode == 0
    second = sample_content / "sample-city/02-new/2025-04-01.yaml"
    _edit(second, ("    head_title: 戸籍住民課長\n", "    head_title: 市民課長\n"))
    result = run("changes", "sample-city/02-new", *args)
    assert result.returncode == 0, result.stderr
    assert "既存の行の後に" not in result.stdout  # there are no rows yet: the change log is commented out
    assert "「# change_log:」の行の「# 」を外し" in result.stdout
    # doing what it says gives a valid file whose change log declares the change
    lines = second.read_text(encoding="utf-8").splitlines()
    at = lines.index("# change_log:")
    assert lines[at + 1] == "#   - date:" and lines[at + 6] == "#     timing_note:"
    lines[at : at + 7] = ["change_log:"]
    draft = [line for line in result.stdout.splitlines() if not line.startswith("#")]
    second.write_text("\n".join(lines + draft) + "\n", encoding="utf-8")
    result = run("validate", *args)
    assert result.returncode == 0, result.stderr
    result = run("changes", "sample-city/02-new", *args)
    assert result.returncode == 0 and "- date:" not in result.stdout and "ありません" in result.stderr
    # with rows already there, the advice is to paste after them
    _edit(second, ("    head_title: 市民課長\n", "    head_title: 市民生活課長\n"))
    result = run("changes", "sample-city/02-new", *args)
    assert "既存の行の後に" in result.stdout and "「# change_log:」" not in result.stdout
