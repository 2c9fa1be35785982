"""`build.py import`: drafting a version file from a PDF's extracted text (issue 19).

Covers: the seeds import into drafts the repository's own validator reads, with the precision and
recall targets measured against the curated content (tools/import_quality.py); choices filled only
when the text shows the selection; noise removed without rewording; a curated file written back as
the form's printed text imports to the same values; bad input gives a Japanese message and exit 1/2.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

from piasite.cli import main
from piasite.editing.importer import Importer, detect_form, dump, read_source
from piasite.editing.importer_text import checkbox_group, choice, clean_cell, norm, option_pattern, suspects
from piasite.model.errors import BuildError

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "tests" / "data" / "seeds"
sys.path.insert(0, str(ROOT / "tools"))

import import_quality  # noqa: E402

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "import"


# ---------------------------------------------------------------------------------------------
# The measure


@pytest.fixture(scope="module")
def measured():
    out = {}
    for seed in sorted(SEEDS.glob("*.txt")):
        counts, form, target, kind = import_quality.measure(seed, ROOT / "content")
        out[seed.name] = (sum(counts.values(), Counter()), form, target, kind)
    return out


@pytest.mark.parametrize("seed", sorted(p.name for p in SEEDS.glob("*.txt")))
def test_each_seed_has_a_curated_version_to_compare_with(measured, seed):
    assert measured[seed][2] is not None


# Seeds whose figures were once below the targets: the floor records the figure reached (see the
# branch's report) and stops a regression; the target stays the minimum.
FLOORS: dict[str, tuple[float, float]] = {
    # 概要: tables printed away from their headings go to the part of the form their labels name (only
    # when no other part matches as well); rows of the tables of entries are left to the editor:
    # reached P 100.0% R 90.0% (the target, R ≥ 70%, is met; the floor keeps what was reached)
    "002_1a98b85e452b08dd.txt": (99.0, 89.5),
    # wrapped at ~20 characters without tabs, labels and values out of order; values whose extent is
    # uncertain are 要確認, the change log is read by the shape of its rows, 記録項目 up to the first
    # line break that cannot be placed, labels wrapped in their column joined by the form's titles:
    # reached P 99.6% R 80.2% (target R ≥ 60% met)
    "004_f6c7e0d12f012419.txt": (99.0, 80.0),
}


@pytest.mark.parametrize("seed", sorted(p.name for p in SEEDS.glob("*.txt")))
def test_precision_and_recall_meet_the_targets(measured, seed):
    total, form, target, kind = measured[seed]
    precision = import_quality._pct(total["right"], total["filled"])
    recall = import_quality._pct(total["reproduced"], total["curated"])
    want_p, want_r = FLOORS.get(seed, (import_quality.PRECISION, import_quality.RECALL[kind]))
    assert precision >= want_p, (precision, recall)
    assert recall >= want_r, (precision, recall)


# ---------------------------------------------------------------------------------------------
# The command


def _run(*args: str) -> tuple[int, str, str]:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    return proc.returncode, proc.stdout, proc.stderr


def test_import_writes_a_draft_that_the_validator_reads_and_reports_per_part(tmp_path):
    code, out, err = _run(
        "import",
        str(SEEDS / "003_07b836e33f284081.txt"),
        "--form",
        "key",
        "--org",
        "sample-town",
        "--assessment",
        "01-juki",
        "--content",
        str(tmp_path),
    )
    assert code == 0, err
    draft = tmp_path / "sample-town" / "01-juki" / "2019-02-08.yaml"  # the printed 公表日 平成31年2月8日
    assert draft.is_file() and (tmp_path / "sample-town" / "organization.yaml").is_file()
    assert "訂正と判断の記録" in (tmp_path / "sample-town" / "CORRECTIONS.md").read_text(encoding="utf-8")
    assert "記入" in out and "要確認" in out and "Ⅲ リスク対策 (1)" in out
    data = yaml.safe_load(draft.read_text(encoding="utf-8"))
    assert data["form"] == "重点項目評価書" and len(data["files"]) == 3
    assert "Traceback" not in err


def test_import_never_overwrites(tmp_path):
    target = tmp_path / "draft.yaml"
    target.write_text("x", encoding="utf-8")
    code, _, err = _run("import", str(SEEDS / "003_07b836e33f284081.txt"), "--form", "key", "--out", str(target))
    assert code == 1 and "上書きしません" in err and target.read_text() == "x"


def test_import_asks_for_a_date_when_none_is_printed(tmp_path):
    code, _, err = _run(
        "import",
        str(SEEDS / "004_f6c7e0d12f012419.txt"),
        "--form",
        "full",
        "--org",
        "sample-city",
        "--assessment",
        "01-juki",
        "--content",
        str(tmp_path),
    )
    assert code == 1 and "--date" in err and "Traceback" not in err


@pytest.mark.parametrize(
    "content, expected",
    [
        (b"", "空です"),
        (b"   \n\n", "空です"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nstream\n\x00\x01\x02\x9c\xff", "PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "テキストのファイルではありません"),
        ("特定個人情報保護評価書(全項目評価書)\n評価書番号\t評価書名\n".encode("cp932"), "Shift_JIS"),
    ],
    ids=["empty", "blank", "pdf", "binary", "shift-jis"],
)
def test_bad_input_gets_a_japanese_message_and_exit_1(tmp_path, content, expected):
    source = tmp_path / "source.txt"
    source.write_bytes(content)
    code, _, err = _run("import", str(source), "--form", "full", "--out", str(tmp_path / "d.yaml"))
    assert code == 1 and expected in err and str(source) in err
    assert "Traceback" not in err and not (tmp_path / "d.yaml").exists()


def test_a_different_form_than_asked_is_refused_with_the_right_option(tmp_path):
    code, _, err = _run(
        "import", str(SEEDS / "003_07b836e33f284081.txt"), "--form", "full", "--out", str(tmp_path / "d.yaml")
    )
    assert code == 1 and "重点項目評価書" in err and "--form key" in err


def test_missing_destination_is_a_usage_error(tmp_path):
    code, _, err = _run("import", str(SEEDS / "003_07b836e33f284081.txt"), "--form", "key")
    assert code == 2 and "--out" in err


def test_a_missing_source_is_named(tmp_path):
    with pytest.raises(BuildError, match="見つかりません"):
        read_source(tmp_path / "nothing.txt")


# ---------------------------------------------------------------------------------------------
# Reading values: never guess


def test_a_choice_is_read_only_from_the_bracket():
    allowed = ["特に力を入れている", "十分である", "課題が残されている"]
    assert choice("[ 十分である ] 1) 特に力を入れている 2) 十分である", allowed) == ("十分である", "")
    value, doubt = choice("1) 特に力を入れている 2) 十分である 3) 課題が残されている", allowed)
    assert value is None and "見つかりません" in doubt
    assert choice("[ ]", allowed) == (None, "")  # printed empty: not answered, nothing to check
    value, doubt = choice("[十分である] [課題が残されている]", allowed)
    assert value is None and "複数" in doubt


def test_check_boxes_are_read_from_their_marks_and_mixed_unknown_marks_are_doubted():
    options = ["紙", "電子メール", "その他"]
    opts = option_pattern(set(options))
    got = checkbox_group(clean_cell("[○] 紙 [] 電子メール [○] その他 (住基ネット)", opts), options)
    assert got.selected == ["紙", "その他"] and got.other == "住基ネット" and not got.doubt
    got = checkbox_group(
        clean_cell('<input checked="" type="checkbox"/> 紙 <input type="checkbox"/> 電子メール', opts), options
    )
    assert got.selected == ["紙"]
    got = checkbox_group(clean_cell('<input type="checkbox"/> 紙 [] 電子メール [] その他 ()', opts), options)
    assert got.selected == [] and got.doubt


def test_noise_is_removed_and_words_are_kept():
    opts = option_pattern({"実施する", "実施しない", "未定"})
    text = clean_cell(
        "<p>①実施の有無</p> [実施する] &lt;選択肢&gt; 1) 実施する 2) 実施しない 3) 未定 <情報照会の根拠> なし", opts
    )
    assert "1)" not in text and "<p>" not in text and "選択肢" not in text
    assert "<情報照会の根拠>" in text and "[実施する]" in text and "①実施の有無" in text


def test_mis_recognised_characters_are_reported_not_changed(tmp_path):
    assert ("對", "対") in suspects("附票都道府県サーバに對し")
    draft = Importer("full").run((SEEDS / "000_bdf0587c4fd2d15e.txt").read_text(encoding="utf-8"))
    notes = [c for cs in draft.comments.values() for c in cs if "読み取り誤り" in c]
    assert notes and any("隨" in s for s in draft.suspects)
    text = "\n".join(dump(draft.data, {}))
    assert "隨時" in text  # kept as printed


def test_detects_the_form_printed_on_the_cover():
    assert detect_form((SEEDS / "003_07b836e33f284081.txt").read_text(encoding="utf-8")) == "重点項目評価書"
    assert detect_form((SEEDS / "002_1a98b85e452b08dd.txt").read_text(encoding="utf-8")) == "概要"
    assert detect_form((SEEDS / "000_bdf0587c4fd2d15e.txt").read_text(encoding="utf-8")) == "全項目評価書"


def test_cli_import_runs_in_process(tmp_path, capsys):
    code = main(
        ["import", str(SEEDS / "000_bdf0587c4fd2d15e.txt"), "--form", "full", "--out", str(tmp_path / "d.yaml")]
    )
    assert code == 0
    assert (tmp_path / "d.yaml").read_text(encoding="utf-8").startswith("# yaml-language-server")


# ---------------------------------------------------------------------------------------------
# Round trip: a curated file printed back as the form's text imports to the same values


def _era(iso: str) -> str:
    y, m, d = (int(x) for x in iso.split("-"))
    if (y, m, d) >= (2019, 5, 1):
        return f"令和{y - 2018}年{m}月{d}日"
    return f"平成{y - 1988}年{m}月{d}日"


class _Printer:
    """Print a version file as the extracted text of its form: labels and values in table cells."""

    def __init__(self, importer: Importer, data: dict):
        self.importer, self.data, self.lines = importer, data, []
        self.nodes = importer.nodes

    def out(self, *cells: str) -> None:
        self.lines.append("\t".join(cells))

    def value(self, v) -> str:
        return "<p>" + "</p> <p>".join(str(v).split("\n")) + "</p>" if isinstance(v, str) and "\n" in v else str(v)

    def text(self) -> str:
        form = self.data["form"]
        self.out(f"特定個人情報保護評価書({form})")
        cover = self.data.get("cover", {})
        self.out("評価書番号", "評価書名")
        self.out(str(cover.get("number") or ""), str(cover.get("title") or ""))
        self.walk((), self.data, top=True)
        return "\n".join(self.lines) + "\n"

    def children(self, path: tuple):
        return [n for n in self.nodes if n.parent == path]

    def walk(self, tpath: tuple, data: dict, top: bool = False, file_no: int = 0) -> None:
        for n in self.children(tpath):
            if top and n.key in ("files", "cover"):
                if n.key == "files":
                    self.files(n)
                else:
                    for c in self.children(n.path):
                        if c.key not in ("number", "title"):
                            self.leaf(c, (data.get("cover") or {}).get(c.key), {})
                continue
            self.node(n, data, file_no)

    def node(self, n, data: dict, file_no: int) -> None:
        value = data.get(n.key) if isinstance(data, dict) else None
        if n.kind == "group":
            self.out(n.title)
            self.bools(n, value or {})
            self.walk(n.path, value or {}, file_no=file_no)
        elif n.kind == "array":
            self.out(n.title)
            entry = next((m for m in self.nodes if m.kind == "entry" and m.path == n.path + ("*",)), None)
            for item in value or []:
                if entry is not None:
                    name = item.get(entry.name_key) if entry.name_key else None
                    self.out(f"{entry.title}{item.get('number')}", self.value(name or ""))
                self.walk(n.path + ("*",), item, file_no=file_no)
        elif n.kind == "region":
            self.region(n, value, file_no)
        elif n.kind in ("bool", "int") or n.selector:
            return
        else:
            self.leaf(n, value, data)

    def bools(self, n, data: dict) -> None:
        cells = []
        kids = self.children(n.path)
        for i, c in enumerate(kids):
            if c.kind == "bool" and data.get(c.key) is not None:
                cell = f"[{'○' if data[c.key] else ' '}] {c.title}"
                nxt = kids[i + 1] if i + 1 < len(kids) else None
                if nxt is not None and nxt.kind == "int" and data.get(nxt.key) is not None:
                    cell += f" ({data[nxt.key]}) 件"
                cells.append(cell)
        if cells:
            self.out(*cells)

    def leaf(self, n, value, data: dict) -> None:
        if n.kind == "choice":
            options = [o for o in n.schema.get("enum", []) if isinstance(o, str)]
            listed = " ".join(f"{i}) {o}" for i, o in enumerate(options, 1))
            cell = f"[{value}]" if value else "[ ]"
            extra = ""
            sib = [m for m in self.children(n.parent) if m.kind == "int" and m.order == n.order + 1]
            if sib and data.get(sib[0].key) is not None:
                extra = f" ({data[sib[0].key]}) 件"
            self.out(n.title, cell, f"<選択肢> {listed}{extra}")
        elif n.kind == "checks":
            value = value or {}
            selected, details = value.get("selected") or [], value.get("details") or {}
            cells = []
            for o in n.schema["x-options"]:
                inner = value.get("other") if o == "その他" else details.get(o)
                cells.append(f"[{'○' if o in selected else ''}] {o}" + (f" ({inner})" if inner else ""))
            self.out(n.title, " ".join(cells))
        elif n.kind == "list":
            self.out(n.title)
            for i, item in enumerate(value or [], 1):
                self.out(f"({i}){item}")
        else:
            shown = _era(value) if isinstance(value, str) and len(value) == 10 and value[4] == "-" else value
            self.out(n.title, self.value(shown) if shown is not None else "")

    def files(self, n) -> None:
        entry_path = n.path + ("*",)
        kids = self.children(entry_path)
        name = next(k for k in kids if k.selector)
        for i, f in enumerate(self.data.get("files") or [], 1):
            for part in kids:
                if part.selector:
                    continue
                if part.kind == "group":
                    self.out(part.title)
                    self.out(name.title)
                    self.out(f"({i}){f.get('name')}")
                    self.bools(part, f.get(part.key) or {})
                    self.walk(part.path, f.get(part.key) or {}, file_no=i)
                else:
                    self.node(part, f, i)

    def region(self, n, value, file_no: int) -> None:
        self.out(n.title)
        if n.key == "record_items":
            self.out(f"({file_no}){(self.data['files'][file_no - 1] or {}).get('name')}")
            for group in value or []:
                if group.get("heading"):
                    self.out(group["heading"])
                for j, item in enumerate(group.get("items") or [], 1):
                    self.out(f"{j} {item}" if group.get("numbered") else item)
        elif n.key == "change_log":
            items = self.importer.schema.resolve(n.schema["items"])["properties"]
            keys = list(items)
            self.out(*[self.importer.schema.resolve(items[k]).get("title", k) for k in keys])
            for row in value or []:
                cells = []
                for k in keys:
                    v = row.get(k)
                    v = _era(v) if k == "date" and v else v
                    cells.append(self.value(v) if v is not None else "")
                self.out(*cells)
        elif n.key == "business_attachment":
            for entry in value or []:
                self.out(entry.get("title") or "")
                self.out("(備考)")
                for note in entry.get("notes") or []:
                    if note.get("heading"):
                        self.out(note["heading"])
                    if note.get("text"):
                        self.out(self.value(note["text"]))


def _curated(form: str) -> Path:
    for path in sorted((ROOT / "content").glob("*/*/*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if data.get("form") == form and "reconstructed" not in data:
            return path
    raise AssertionError(form)


@pytest.mark.parametrize("form_key, form", [("full", "全項目評価書"), ("key", "重点項目評価書")])
def test_a_curated_file_printed_as_its_form_imports_to_the_same_values(form_key, form):
    curated = yaml.safe_load(_curated(form).read_text(encoding="utf-8"))
    importer = Importer(form_key)
    text = _Printer(importer, curated).text()
    draft = importer.run(text)
    want = import_quality.leaves(curated)
    got = import_quality.leaves(draft.data)
    # what the printer prints: everything except editorial notes and values the form does not print
    printed = {p: v for p, v in want.items() if p[0] not in ("status", "form_version")}  # (leaves: no editorial notes)
    wrong = {
        p: (got.get(p), v) for p, v in printed.items() if import_quality.key(got.get(p, "")) != import_quality.key(v)
    }
    extra = {p: v for p, v in got.items() if p not in want and p[0] not in ("status", "unavailable")}
    assert not wrong, list(wrong.items())[:10]
    assert not extra, list(extra.items())[:10]


# ---------------------------------------------------------------------------------------------
# Texts without table cells (no tabs): the change log by the shape of its rows, uncertain values 要確認

_LOG_TITLES = {"変更日": "date", "項目": "item", "変更前の記載": "before", "変更後の記載": "after"}
_LOG_TITLES |= {"提出時期": "timing", "提出時期に係る説明": "timing_note"}
_WRAPPED_LOG = """\
Ⅵ　評価実施手続

平成31年4月1日

Ⅰ基本情報
７．評価実施機関における担
当部署
②所属長

市民登録課長　工藤　浩統 市民登録課長 事後
重要な変更に該当しない変更
であるため，事前の提出・公
表が義務付けられない

平成31年4月1日 評価実施機関名 盛岡市 盛岡市長 事後
重要な変更に該当しない変更

（別添３）変更箇所
変更日 項目 変更前の記載 変更後の記載 提出時期 提出時期に係る説明

令和2年3月6日

Ⅱ特定個人情報ファイルの概
要
３.特定個人情報の入手・使用
⑨使用開始日

平成27年10月1日 平成27年10月5日 事後
重要な変更に該当しない変更

令和2年3月6日
Ｉ　基本情報
(別添１）事務の内容

サーバ設置場所には，ICカード認証により入退
室を管理している。

サーバ設置場所は，ICカード認証，暗証番号入
力及び静脈認証により入退室を管理している。

事後
重要な変更

令和2年3月6日
Ｉ　基本情報

以下のシステムを追加

事後
重要な変更
"""


def _log_rows(text: str):
    from piasite.editing.importer_plain import find_extent, read_rows

    lines = text.splitlines()
    start, columns = find_extent(lines, {norm(k): v for k, v in _LOG_TITLES.items()}, ["事前", "事後"])
    return (
        lines,
        start,
        read_rows(
            lines,
            start,
            columns,
            {norm(k): v for k, v in _LOG_TITLES.items()},
            ["事前", "事後"],
            norm("(別添3) 変更箇所"),
        ),
    )


def test_a_change_log_without_tabs_is_read_by_the_shape_of_its_rows_even_before_its_heading():
    lines, start, rows = _log_rows(_WRAPPED_LOG)
    assert lines[start] == "平成31年4月1日"  # the page printed before the heading belongs to the log
    assert [r.cells["date"] for r in rows] == ["2019-04-01", "2019-04-01", "2020-03-06", "2020-03-06", "2020-03-06"]
    first = rows[0].cells
    assert first["item"] == "Ⅰ基本情報\n７．評価実施機関における担当部署\n②所属長"  # unwrapped at the column's width
    assert (first["before"], first["after"], first["timing"]) == ("市民登録課長　工藤　浩統", "市民登録課長", "事後")
    assert first["timing_note"] == "重要な変更に該当しない変更であるため，事前の提出・公表が義務付けられない"
    whole = rows[1].cells  # every cell on the date's line
    assert (whole["item"], whole["before"], whole["after"]) == ("評価実施機関名", "盛岡市", "盛岡市長")
    dates = rows[2].cells  # a date followed by other cells is a row's 変更前・変更後, not a new row
    assert (dates["before"], dates["after"]) == ("平成27年10月1日", "平成27年10月5日")
    blocks = rows[3].cells
    assert blocks["item"] == "Ｉ　基本情報\n(別添１）事務の内容"
    assert blocks["after"] == "サーバ設置場所は，ICカード認証，暗証番号入力及び静脈認証により入退室を管理している。"


def test_a_change_log_cell_that_could_be_either_column_is_left_empty_with_a_reason():
    _, _, rows = _log_rows(_WRAPPED_LOG)
    one = rows[4]
    assert one.cells["before"] is None and one.cells["after"] is None and one.cells["timing"] == "事後"
    assert "1 か所" in one.doubts["before"]


def _summary(*lines: str):
    from piasite.editing.importer_summary import import_summary

    return import_summary("\n".join(["「特定個人情報保護評価書（全項目評価書）（案）」の概要", *lines]))


def test_a_summary_table_away_from_its_heading_goes_to_the_part_its_labels_name():
    draft = _summary(
        "Ⅱ 特定個人情報ファイルの概要【評価書 P6】",
        "１ 特定個人情報ファイル名",
        "都道府県知事保存本人確認情報ファイル",
        "３ 特定個人情報の入手・使用",
        "２ 基本情報",
        "項 目 内 容",
        "①ファイルの種類 システム用ファイル",
        "Ⅲ リスク対策【評価書 P14】",
        "２ 特定個人情報の入手",
        "項 目 内 容",
        "①入手元 地方公共団体（市町）",
    )
    chapter = draft.data["sections"][0]
    # printed 1, 3, 2: put back in the order of their numbers; the table's label ①ファイルの種類 is an item of
    # the form's Ⅱ 2. 基本情報 (not of 3.): it goes there, whatever the order of the headings
    assert [p["number"] for p in chapter["subsections"]] == ["１", "２", "３"]
    assert chapter["subsections"][1]["items"] == [{"label": "①ファイルの種類", "text": "システム用ファイル"}]
    assert not chapter["subsections"][2].get("items")
    # a page whose headings all have their content keeps the table under the heading before it
    assert draft.data["sections"][1]["subsections"][0]["items"][0]["label"] == "①入手元"


def test_a_summary_table_whose_labels_name_no_single_part_is_not_placed():
    draft = _summary(
        "Ⅲ 特定個人情報ファイルの取扱いプロセスにおけるリスク対策【評価書 P14】",
        "２ 特定個人情報の入手",
        "６ 情報提供ネットワークシステムとの接続",
        "リスク 内 容",
        "（リスク１）",
        "目的外の入手",
        "・入手元を限定",
        "（リスク３）",
        "入手した特定個人情報が不正確",
        "・本人確認を行う",
    )
    chapter = draft.data["sections"][0]
    # 入手 risks 1 and 3 are printed alike in 2. 入手 and 6. 情報提供ネットワークシステムとの接続: not placed
    assert not any(p.get("items") for p in chapter["subsections"])
    notes = draft.comments[("sections", 0, "subsections")]
    assert any("見出しから離れて" in n for n in notes) and any("目的外の入手" in n for n in notes)


def test_summary_tables_of_one_part_under_two_headings_go_in_printed_order_and_a_bare_chapter_gets_its_table():
    draft = _summary(
        "Ⅲ 特定個人情報ファイルの取扱いプロセスにおけるリスク対策【評価書 P14】",
        "４ 特定個人情報ファイルの取扱いの委託",
        "○委託先に関するリスク",
        "リスク 内 容",
        "情報保護管理体制の",
        "確認",
        "・体制を確認",
        "リスク 内 容",
        "消去ルール",
        "・廃棄を確認",
        "Ⅲ 特定個人情報ファイルの取扱いプロセスにおけるリスク対策【評価書 P17】",
        "４ 特定個人情報ファイルの取扱いの委託（つづき）",
        "Ⅳ その他のリスク対策【評価書 P23】",
        "Ⅴ 開示請求、問合せ【評価書 P24】",
        "１ 特定個人情報の開示・訂正・利用停止請求",
        "２ 特定個人情報ファイルの取扱いに関する問合せ",
        "項 目 内容・方法",
        "①自己点検 ・年に１回実施",
        "③従業員に対する教育･啓発 ・研修を実施",
    )
    four, more = draft.data["sections"][0]["subsections"]
    assert four["items"] == [{"label": "情報保護管理体制の確認", "text": "・体制を確認"}]
    assert more["items"] == [{"label": "消去ルール", "text": "・廃棄を確認"}]
    assert four["item_columns"] == more["item_columns"] == ["リスク", "内容"]
    # Ⅳ is printed without headings; its table, printed under Ⅴ's, names Ⅳ's items (自己点検, 従業者…教育・啓発)
    bare = draft.data["sections"][1]["subsections"]
    assert bare == [
        {
            "number": None,
            "title": None,
            "item_columns": ["項目", "内容・方法"],
            "items": [
                {"label": "①自己点検", "text": "・年に１回実施"},
                {"label": "③従業員に対する教育･啓発", "text": "・研修を実施"},
            ],
        }
    ]


def test_a_summary_heading_printed_in_another_chapter_goes_back_to_its_chapter():
    draft = _summary(
        "Ⅴ 開示請求、問合せ【評価書 P24】",
        "１ 特定個人情報の開示・訂正・利用停止請求",
        "Ⅵ 評価実施手続【評価書 P25】",
        "１ 基礎項目評価",
        "２ 特定個人情報ファイルの取扱いに関する問合せ",
        "２ 国民・住民等からの意見の聴取",
    )
    five, six = draft.data["sections"]
    assert [p["title"] for p in five["subsections"]] == [
        "特定個人情報の開示・訂正・利用停止請求",
        "特定個人情報ファイルの取扱いに関する問合せ",
    ]
    assert [p["title"] for p in six["subsections"]] == ["基礎項目評価", "国民・住民等からの意見の聴取"]


def test_summary_labels_are_completed_by_the_forms_titles_and_entry_tables_get_captions_and_columns():
    draft = _summary(
        "Ⅰ 基本情報【評価書 P3】",
        "２ 特定個人情報ファイルを取り扱う事務において使用するシステム",
        "１ 特定個人情報ファイルを取り扱う事務",
        "項 目 内 容",
        "①名称 ・住基ネット",
        "③他のシステムと",
        "の接続",
        "・接続なし",
        "Ⅱ 特定個人情報ファイルの概要【評価書 P6】",
        "４ 特定個人情報ファイルの取扱いの委託",
        "５ 特定個人情報の提供・移転",
        "委託事項１：サーバの運用",
        "※注記",
        "委託事項２：端末の保守",
        "委託内容 提供方法 委託先名 再委託",
        "サーバの運用 専用線 機構 ○",
        "委託内容 提供方法 委託先名 再委託",
        "端末の保守 専用線 株式会社 ○",
        "移転先 用 途 提供する情報 提供方法",
        "県の他部署 ・事務 本人確認情報 紙",
        "提供先 用 途 提供する情報 提供方法",
        "機構 ・更新 本人確認情報 住基ネット",
    )
    systems = draft.data["sections"][0]["subsections"][1]
    assert systems["items"] == [
        {"label": "①名称", "text": "・住基ネット"},
        {"label": "③他のシステムとの接続", "text": "・接続なし"},  # the label wrapped in its column
    ]
    outsourcing, provision = draft.data["sections"][1]["subsections"]
    assert [(t["caption"], t["columns"], t["rows"]) for t in outsourcing["tables"]] == [
        ("委託事項１：サーバの運用", ["委託内容", "提供方法", "委託先名", "再委託"], []),
        ("委託事項２：端末の保守", ["委託内容", "提供方法", "委託先名", "再委託"], []),
    ]
    # 提供先 before 移転先, as in the form; rows are left to the editor
    assert [t["columns"] for t in provision["tables"]] == [
        ["提供先", "用途", "提供する情報", "提供方法"],
        ["移転先", "用途", "提供する情報", "提供方法"],
    ]
    assert any("rows" in n for n in draft.comments[("sections", 1, "subsections", 1, "tables")])


@pytest.mark.parametrize(
    "label, title, named",
    [
        ("①名称", "①システムの名称", True),
        ("②名称", "①システムの名称", False),  # numbers printed on both must agree
        ("（リスク１）漏えい・滅失・毀損", "リスク1: 特定個人情報の漏えい・滅失・毀損リスク", True),
        ("（リスク２）漏えい・滅失・毀損", "リスク1: 特定個人情報の漏えい・滅失・毀損リスク", False),
        ("③従業員に対する教育･啓発", "従業者に対する教育・啓発", True),
        ("①ファイルの種類", "特定個人情報ファイルの取扱いの記録", False),
    ],
)
def test_a_summary_label_names_a_form_item_by_its_numbers_and_words(label, title, named):
    from piasite.editing.importer_place import MATCH, label_match

    assert (label_match(label, title) >= MATCH) is named


@pytest.mark.parametrize(
    "value, why",
    [
        ("市民登録課\n④所属長 市民登録課長", "項目名と記載"),
        ("定めている\n[ ○", "チェック欄"),
        ("住民基本台帳ファイル\n10万人以上100万人未満", "選択肢"),
        ("平成27年７月\n②入手方法", "次の項目の番号"),
    ],
    ids=["label-and-value", "check-box", "option", "next-number"],
)
def test_a_value_without_table_cells_that_may_hold_another_items_text_is_doubted(value, why):
    from piasite.editing.importer import _mixed
    from piasite.editing.importer_text import Cell

    cells = [Cell(10 + i, line, False) for i, line in enumerate(value.split("\n"))]
    got = _mixed(cells, None, "①入手元", {c.line for c in cells}, {norm("②入手方法")}, {norm("10万人以上100万人未満")})
    assert why in got
    assert _mixed(cells[:1], None, "①入手元", {10}, set(), set()) == ""  # one clean line is kept


def test_a_range_heading_of_entries_opens_no_entry():
    importer = Importer("full")
    text = "\n".join(
        [
            "特定個人情報保護評価書（全項目評価書）",
            "Ⅰ　基本情報",
            " ２．特定個人情報ファイルを取り扱う事務において使用するシステム",
            " システム1",
            " ①システムの名称 既存住民基本台帳システム",
            " システム2～5",
            " システム2",
            " ①システムの名称 住民基本台帳ネットワークシステム",
        ]
    )
    systems = importer.run(text).data["basic_info"]["systems"]
    assert [(s["number"], s["name"]) for s in systems] == [
        (1, "既存住民基本台帳システム"),
        (2, "住民基本台帳ネットワークシステム"),
    ]


# ---------------------------------------------------------------------------------------------
# 記録項目 without table cells: a line break is placed inside or between items only on evidence

_WRAPPED_ITEMS = """\
特定個人情報保護評価書（全項目評価書）
（別添２） 特定個人情報ファイル記録項目

(1)  住民基本台帳ファイルの記録項目

 ・ 住民ファイル
個人番号　異動番号　届出区分コード　氏名（カナ）　氏名（漢字）　住民年月日　届
出区分コード　氏名　住民年月日
本来の住民年月日　外字数（転
入前住所）　氏名_
漢字　更新
順番号　世帯番号

(2) 本人確認情報ファイルの記録項目

住民票コード　本来の住民年月日　性別　住所　住民票コード　漢字氏名
性別　住所
"""


def test_wrapped_record_items_are_split_on_evidence_and_stop_at_an_undecided_break():
    draft = Importer("full").run(_WRAPPED_ITEMS)
    files = draft.data["files"]
    first = files[0]["record_items"]
    assert first[0]["heading"] == "住民ファイル"
    # 「届」+「出区分コード」 is printed whole elsewhere: one item; 「住民年月日」「本来の住民年月日」 both are: two;
    # an open bracket and a trailing 「_」 join; 「更新」/「順番号」 is undecided: the reading stops before it
    assert first[0]["items"][5:] == [
        "住民年月日",
        "届出区分コード",
        "氏名",
        "住民年月日",
        "本来の住民年月日",
        "外字数（転入前住所）",
        "氏名_漢字",
    ]
    notes = draft.comments[("files", 0, "record_items", 0, "items")]
    assert any("「更新」" in n and "「順番号」" in n for n in notes)
    assert len(first) == 1  # file (2)'s list, where 「本来の住民年月日」 is printed whole, is not file (1)'s


@pytest.mark.parametrize(
    "last, first, how",
    [
        ("届", "出区分コード", "join"),
        ("住民年月日", "本来の住民年月日", "split"),
        ("外字数（転", "入前住所）", "join"),
        ("氏名_", "漢字", "join"),
        ("更新", "順番号", None),
        ("ポイン", "タ", None),
    ],
)
def test_a_wrapped_line_break_is_decided_only_on_evidence(last, first, how):
    from piasite.editing.importer_lists import wrapped_break

    vocab = {"届出区分コード", "住民年月日", "本来の住民年月日", "氏名"}
    assert wrapped_break(last, first, vocab) == how


def test_a_word_cut_at_two_different_places_and_the_ends_of_a_list_count_as_printed_whole():
    text = "\n".join(
        [
            "特定個人情報保護評価書（全項目評価書）",
            "（別添２） 特定個人情報ファイル記録項目",
            "",
            "(1)  住民基本台帳ファイルの記録項目",
            "",
            " ・ 住民ファイル",
            "個人番号　異動番号　世帯番号　在留カード等番号ポイン",
            "タ　旧氏_漢字　旧氏_ふりがな　住所　方書　氏名　旧氏_ふりがな",
            "Gid",
            "",
            " ・ 住民異動累積ファイル",
            "異動番号　世帯番号　方書　在留",
            "カード等番号ポインタ　旧氏_ふりがな　Gid",
        ]
    )
    groups = Importer("full").run(text).data["files"][0]["record_items"]
    assert groups[0]["items"][3:5] == ["在留カード等番号ポインタ", "旧氏_漢字"]
    assert groups[0]["items"][-2:] == ["旧氏_ふりがな", "Gid"]  # 「Gid」 ends the other list: an item
    assert groups[1]["items"] == ["異動番号", "世帯番号", "方書", "在留カード等番号ポインタ", "旧氏_ふりがな", "Gid"]


# ---------------------------------------------------------------------------------------------
# Texts without table cells: labels wrapped in their column, and values whose place the order of labels doubts


def test_a_label_wrapped_in_its_column_is_joined_when_its_lines_make_a_title_of_the_form():
    from piasite.editing.importer_text import Cell

    importer = Importer("full")
    lines = [
        "必要な情報以外を入手するこ",
        "とを防止するための措置の内",
        "容",
        "・統一様式としている。",
        "事務",
        "の名称",
    ]
    cells = [Cell(10 + i, text, True) for i, text in enumerate(lines)]
    joined = importer._join_wrapped_labels(cells)
    assert [c.text for c in joined] == [
        "必要な情報以外を入手することを防止するための措置の内容",
        "・統一様式としている。",
        "事務",  # 「事務の名称」 is a title only with its number (①): the lines stay as printed
        "の名称",
    ]
    apart = [Cell(10, "必要な情報以外を入手するこ", True), Cell(12, "とを防止するための措置の内容", True)]
    assert [c.text for c in importer._join_wrapped_labels(apart)] == [c.text for c in apart]  # a blank between


def test_a_value_is_doubted_when_the_next_items_label_is_printed_further_down():
    text = "\n".join(
        [
            "特定個人情報保護評価書（全項目評価書）",
            "Ⅵ　評価実施手続",
            " ２．国民・住民等からの意見の聴取",
            " ①方法",
            "（注記）",
            " ③期間を短縮する特段の理",
            "由",
            "",
            " ②実施日・期間 令和1年12月6日から令和2年1月6日まで",
        ]
    )
    draft = Importer("full").run(text)
    comment = draft.data["procedures"]["public_comment"]
    assert comment["method"] is None
    assert any("「②実施日・期間」" in n for n in draft.comments[("procedures", "public_comment", "method")])


def test_a_value_under_a_label_printed_for_several_items_of_a_group_is_doubted():
    text = "\n".join(
        [
            "特定個人情報保護評価書（全項目評価書）",
            "Ⅲ　特定個人情報ファイルの取扱いプロセスにおけるリスク対策",
            " ３．特定個人情報の使用",
            " リスク２：　権限のない者（元職員、アクセス権限のない職員等）によって不正に使用されるリスク",
            " ユーザ認証の管理 [ 行っている ]",
            " 具体的な管理方法",
            "申請のある都度発行している。",
        ]
    )
    draft = Importer("full").run(text)
    risk2 = draft.data["files"][0]["risk_measures"]["use"]["risk2"]
    assert risk2["user_auth_method"] is None
    notes = draft.comments[("files", 0, "risk_measures", "use", "risk2", "user_auth_method")]
    assert any("同じ項目名" in n for n in notes)


def test_notes_of_a_summary_chapter_without_headings_are_written_above_its_title():
    from piasite.editing.importer import dump

    draft = _summary("Ⅳ その他のリスク対策【評価書 P23】", "委託内容 提供方法 委託先名 再委託", "A B C ○")
    text = "\n".join(dump(draft.data, draft.comments))
    assert "要確認: 表「委託内容 提供方法 委託先名 再委託」" in text
