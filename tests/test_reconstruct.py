"""Versions reconstructed from the 変更箇所 (build.py reconstruct, piasite/editing/reconstruct.py): the undo rules on tiny data, and the
reconstructed 宮城県 and 盛岡市 versions in content/ checked against the rows they were made from."""

from __future__ import annotations

import copy
import unicodedata
from pathlib import Path

import pytest

from piasite.document.itemref import ItemResolver
from piasite.document.sections import document_sections
from piasite.document.tree import get_path
from piasite.editing.reconstruct import _Row, dump, reconstruct, undo_row, undo_rows
from piasite.model.content import load_site
from piasite.model.schema import Schemas

ROOT = Path(__file__).resolve().parent.parent
MIYAGI = "content/miyagi-pref/07-juki-net"
MORIOKA = "content/morioka-city/01-juki"


@pytest.fixture(scope="module")
def site():
    site, problems = load_site(ROOT / "content", Schemas())
    assert not [p for p in problems if p.severity == "error"]
    return site


def _version(site, source: str):
    """Return (organisation, version) for a version file under content/."""
    wanted = (ROOT / source).resolve()
    for org in site.organizations:
        for assessment in org.assessments:
            for version in assessment.versions:
                if Path(version.source).resolve() == wanted or (ROOT / version.source).resolve() == wanted:
                    return org, version
    raise AssertionError(f"{source} is not loaded")


def _rows(site, source: str, date: str) -> list[dict]:
    return [r for r in _version(site, source)[1].data["change_log"] if r["date"] == date]


def _nfkc(text: str | None) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").split())


# --- the undo rules on tiny data ------------------------------------------------------------------


def test_replaces_only_the_changed_part_and_keeps_the_datas_own_wording():
    data = {"cover": {"declaration": "県は、本人確認情報及び附票本人確認情報を含むファイルのリスクを軽減させるために"
                                     "取り組む。"}}
    status, _ = undo_row(
        data,
        ("cover", "declaration"),
        "県は、本人確認情報を含むファイルのリスクを軽減するために取り組む。",
        "県は、本人確認情報及び附票本人確認情報を含むファイルのリスクを軽減するために取り組む。",
    )
    assert status == "applied"
    # the added words go; 「軽減させる」, where the data differs from the log, stays as the data has it
    assert data["cover"]["declaration"] == "県は、本人確認情報を含むファイルのリスクを軽減させるために取り組む。"


def test_removes_text_added_on_the_date_with_its_blank_line():
    data = {"info": {"benefits": "住民の負担が軽減される。\n\nまた、国外転出者の本人確認が可能となる。"}}
    status, _ = undo_row(data, ("info", "benefits"), "追加", "また、国外転出者の本人確認が可能となる。")
    assert status == "applied"
    assert data["info"]["benefits"] == "住民の負担が軽減される。"


def test_bracketed_choice_and_era_date_are_compared_as_values():
    data = {"risk": {"rating": "十分である"}, "procedures": {"date": "2023-09-08"}}
    assert undo_row(data, ("risk",), "[課題が残されている]", "[十分である]")[0] == "applied"
    assert undo_row(data, ("procedures", "date"), "令和5年5月24日", "令和5年9月8日")[0] == "applied"
    assert data == {"risk": {"rating": "課題が残されている"}, "procedures": {"date": "2023-05-24"}}


def test_unchecks_a_box_added_on_the_date():
    data = {"systems": [{"connections": {"selected": ["宛名システム等", "税務システム"]}}]}
    assert undo_row(data, ("systems", 0, "connections"), "追加", "[○]宛名システム等")[0] == "applied"
    assert data["systems"][0]["connections"]["selected"] == ["税務システム"]


def test_leaves_the_data_alone_when_the_after_text_is_not_there():
    data = {"disclosure": {"method": "指定様式による書面の提出により請求を受け付ける。"}}
    before = copy.deepcopy(data)
    status, why = undo_row(
        data, ("disclosure", "method"), "窓口で請求書を受け付ける。", "郵送で請求書を受け付けることとする。"
    )
    assert status == "failed" and "見つかりません" in why
    assert data == before


def test_does_not_take_a_merely_similar_text_for_the_after_text():
    text = "本人確認情報の提供に当たっては、操作者の権限を確認した上で、記録を残すこととしている。"
    data = {"rules": {"text": text}}  # about 77 % like the 変更後 text below: another text, not a variant
    status, _ = undo_row(
        data,
        ("rules", "text"),
        "本人確認情報の移転に当たっては、記録を保存することとしている。",
        "本人確認情報の移転に当たっては、管理者の許可を得た上で、記録を保存することとしている。",
    )
    assert status == "failed" and data["rules"]["text"] == text


def test_refuses_an_after_text_found_in_two_places():
    data = {"part": {"a": "月に一度点検している。", "b": "月に一度点検している。"}}
    status, why = undo_row(data, ("part",), "年に一度点検している。", "月に一度点検している。")
    assert status == "failed" and "2 か所" in why
    assert data["part"]["a"] == data["part"]["b"] == "月に一度点検している。"


def test_removes_a_whole_entry_added_on_the_date_and_counts_its_rows_as_applied():
    data = {"files": [{"name": "本人確認情報ファイル", "kind": "システム用ファイル"},
                      {"name": "附票本人確認情報ファイル", "kind": "システム用ファイル"}]}
    rows = [
        _Row(0, {"date": "2023-11-27", "item": "Ⅱ (2) 1. ファイル名", "before": "追加",
                 "after": "(2)附票本人確認情報ファイル"}, ("files", 1, "name")),
        _Row(1, {"date": "2023-11-27", "item": "Ⅱ (2) 2. ①", "before": "追加", "after": "[システム用ファイル]"},
             ("files", 1, "kind")),
    ]
    outcomes, removed = undo_rows(data, rows)
    assert removed == [("files", 1)]
    assert [f["name"] for f in data["files"]] == ["本人確認情報ファイル"]
    assert [o.status for o in outcomes] == ["applied", "applied"]


def test_keeps_an_entry_that_a_row_of_the_date_shows_existed_before():
    data = {"files": [{"name": "本人確認情報ファイル", "kind": "システム用ファイル"}]}
    rows = [
        _Row(0, {"date": "2023-11-27", "item": "Ⅱ (1) 1.", "before": "追加", "after": "本人確認情報ファイル"},
             ("files", 0, "name")),
        _Row(1, {"date": "2023-11-27", "item": "Ⅱ (1) 2. ①", "before": "[その他の電子ファイル]",
                 "after": "[システム用ファイル]"}, ("files", 0, "kind")),
    ]
    undo_rows(data, rows)
    assert len(data["files"]) == 1 and data["files"][0]["kind"] == "その他の電子ファイル"


def test_writes_multi_line_text_in_block_style_after_the_schema_comment():
    text = dump({"form": "全項目評価書", "note": "一行目\n二行目"})
    assert text.splitlines()[0].startswith("# yaml-language-server: $schema=")
    assert "note: |-\n  一行目\n  二行目" in text


# --- 宮城県: 2023-11-27 undone, then 2023-07-31 ----------------------------------------------------


def test_miyagi_rows_of_2023_11_27_add_the_fuhyo_file_whole(site):
    """The claim the reconstruction rests on, checked on the rows themselves."""
    rows = _rows(site, f"{MIYAGI}/2023-11-27.yaml", "2023-11-27")
    in_file_2 = [r for r in rows if r["item"].lstrip().startswith(("Ⅱ", "Ⅲ", "II", "III"))
                 and "(2)都道府県知事保存附票" in _nfkc(r["item"])]
    assert len(in_file_2) > 100
    assert all(r["before"] in ("追加", "(追加)") for r in in_file_2)
    names = next(r for r in rows if _nfkc(r["item"]) == _nfkc("I 基本情報 3. 特定個人情報ファイル名"))
    assert names["before"].strip() == "都道府県知事保存本人確認情報ファイル"  # one file before the date


def test_miyagi_reconstructed_version_has_only_the_first_file(site):
    data = _version(site, f"{MIYAGI}/2023-07-31.yaml")[1].data
    assert [f["name"] for f in data["files"]] == ["都道府県知事保存本人確認情報ファイル"]
    assert data["basic_info"]["file_names"] == ["都道府県知事保存本人確認情報ファイル"]
    assert [s["number"] for s in data["basic_info"]["systems"]] == [1]  # システム2 附票連携システム was added too
    assert len(data["business_attachment"]) == 1


@pytest.mark.parametrize(
    "item",
    ["V 開示請求、問合せ 1. 特定個人情報の開示・訂正・利用停止請求 ②請求方法", "VI 評価実施手続 3. 第三者点検 ③結果",
     "I 基本情報 1. 特定個人情報ファイルを取り扱う事務 ①事務の名称"],
)
def test_miyagi_before_text_of_a_row_is_in_the_reconstructed_item(site, item):
    row = next(r for r in _rows(site, f"{MIYAGI}/2023-11-27.yaml", "2023-11-27") if r["item"] == item)
    org, version = _version(site, f"{MIYAGI}/2023-07-31.yaml")
    resolved = ItemResolver(document_sections(site, version, org.name)).resolve(item)
    assert get_path(version.data, resolved.path) == row["before"]
    assert get_path(_version(site, f"{MIYAGI}/2023-11-27.yaml")[1].data, resolved.path) == row["after"]


def test_miyagi_reconstructed_versions_drop_the_undone_rows_and_name_their_source(site):
    first = _version(site, f"{MIYAGI}/2023-07-31.yaml")[1].data
    assert first["reconstructed"]["from_version"] == "2023-11-27"
    assert max(r["date"] for r in first["change_log"]) == "2023-07-31"
    assert not [r for r in first["change_log"] if r["date"] >= "2023-11-27"]
    second = _version(site, f"{MIYAGI}/2022-09-01.yaml")[1].data
    assert second["reconstructed"]["from_version"] == "2023-07-31"
    assert max(r["date"] for r in second["change_log"]) == "2022-09-01"
    # the one 2023-07-31 row: 基礎項目評価 ①実施日 令和4年5月26日 → 令和5年5月24日
    assert first["procedures"]["basic_assessment"]["date"] == "2023-05-24"
    assert second["procedures"]["basic_assessment"]["date"] == "2022-05-26"


def test_miyagi_unavailable_notes_of_the_removed_file_are_dropped(site):
    data = _version(site, f"{MIYAGI}/2023-07-31.yaml")[1].data
    items = [u["item"] for u in data.get("unavailable", [])]
    assert items and not [i for i in items if i.startswith(("files[1]", "business_attachment[1]"))]


# --- 盛岡市: 2021-12-24 undone -----------------------------------------------------------------------


def test_morioka_before_text_of_a_row_is_in_the_reconstructed_item(site):
    rows = _rows(site, f"{MORIOKA}/2021-12-24.yaml", "2021-12-24")
    row = next(r for r in rows if "①保管場所" in r["item"])
    data = _version(site, f"{MORIOKA}/2020-03-06.yaml")[1].data
    assert data["files"][0]["overview"]["retention"]["location"] == row["before"]


def test_morioka_reconstructed_version_has_no_government_cloud_text(site):
    """Every ＜ガバメントクラウドにおける措置＞ was added on 2021-12-24."""
    data = _version(site, f"{MORIOKA}/2020-03-06.yaml")[1].data
    body = {k: v for k, v in data.items() if k not in ("change_log", "reconstructed", "date_note")}
    assert "ガバメントクラウド" in repr(_version(site, f"{MORIOKA}/2021-12-24.yaml")[1].data["files"])
    assert "ガバメントクラウド" not in repr(body)
    assert data["reconstructed"]["from_version"] == "2021-12-24"
    assert not [r for r in data["change_log"] if r["date"] >= "2021-12-24"]
    # 第８号 → 第７号 (row 172) in 情報提供ネットワークシステムによる情報連携 ②法令上の根拠
    assert "第１９条第７号" in data["basic_info"]["network_linkage"]["legal_basis"]


@pytest.mark.parametrize(
    "source, target",
    [
        (f"{MIYAGI}/2023-11-27.yaml", f"{MIYAGI}/2023-07-31.yaml"),
        (f"{MORIOKA}/2021-12-24.yaml", f"{MORIOKA}/2020-03-06.yaml"),
    ],
)
def test_the_tool_reproduces_the_reconstructed_files(site, source, target):
    """The files in content/ are the tool's output, not edited by hand afterwards."""
    org, version = _version(site, source)
    result = reconstruct(site, org, version, source=ROOT / source)
    assert result.target.resolve() == (ROOT / target).resolve()
    assert result.data == _version(site, target)[1].data


def test_the_command_reports_without_writing_on_a_dry_run(tmp_path):
    """`build.py reconstruct … --dry-run` reports the rows it would undo and writes nothing."""
    import shutil
    import subprocess
    import sys

    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    target = content / "miyagi-pref/07-juki-net/2023-07-31.yaml"
    target.unlink()
    source = content / "miyagi-pref/07-juki-net/2023-11-27.yaml"
    run = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "reconstruct", str(source), "--content", str(content), "--dry-run"],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    assert "適用" in run.stdout
    assert not target.exists()
    written = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "reconstruct", str(source), "--content", str(content)],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert written.returncode == 0, written.stderr
    assert target.read_text(encoding="utf-8") == (ROOT / "content/miyagi-pref/07-juki-net/2023-07-31.yaml").read_text(
        encoding="utf-8"
    )
