"""Scaffold content files from the schemas, and start a new version from the latest one.

The scaffold walks a form's properties in schema order, so it follows the schema when the schema
changes: every item is written empty under a comment with its Japanese title, its description and,
for choice items, the values it allows. Items whose empty value the schema would refuse and which
the form does not require (状態が「案」のときの意見募集期間, 変更箇所 …) are written commented out.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
from pathlib import Path
from typing import Any

from ..model.content import ORG_FILE, SLUG, VERSION_NAME
from ..model.dates import suggest_iso
from ..model.errors import BuildError, UsageError
from ..model.schema import SCHEMA_DIR, Schema, Schemas

log = logging.getLogger(__name__)

FORMS = {"full": "全項目評価書", "key": "重点項目評価書", "basic": "基礎項目評価書", "summary": "概要"}
_INDENT = "  "


def parse_target(target: str) -> tuple[str, str]:
    """Split `<org>/<assessment>` and check both slugs with the same rule as validation."""
    parts = target.strip("/").split("/")
    if len(parts) != 2:
        raise UsageError(f"「{target}」は <団体>/<評価書> の形で指定してください(例: miyagi-pref/07-juki-net)。")
    for part in parts:
        if not SLUG.match(part):
            raise UsageError(
                f"名前「{part}」は使えません。半角英小文字・数字・ハイフンで付けてください(例: miyagi-pref/07-juki-net)。"
            )
    return parts[0], parts[1]


def parse_date(text: str | None) -> dt.date:
    """Return the date given as YYYY-MM-DD, or today when none is given."""
    if not text:
        return dt.date.today()
    try:
        if len(text) == 10:  # fromisoformat also reads 20240601 and 2024-W22-6
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    iso = suggest_iso(text)
    if iso:
        raise UsageError(f"--date の日付「{text}」は「{iso}」の形で書いてください(例: --date {iso})。")
    raise UsageError(
        f"--date の日付「{text}」は正しくありません。実在する日付を YYYY-MM-DD(例: 2024-06-01)で書いてください。"
    )


def modeline(schema_file: Path, target: Path) -> str:
    """Return the yaml-language-server comment pointing from `target` to `schema_file`."""
    rel = os.path.relpath(schema_file.resolve(), target.parent.resolve())
    return f"# yaml-language-server: $schema={Path(rel).as_posix()}"


def assessment_scaffold(schema: Schema, form: str) -> str:
    """Return the YAML text of an empty version file of `form`, every item commented."""
    root = _form_root(schema, form)
    lines = [
        f"# {form}の新しい版です。各項目の上の「#」の行は説明です(消してもかまいません)。",
        "# 原本のとおりに値を書き、原本で空欄の項目は空のままにします。不要なまとまり(システム2 など)は削除できます。",
        "# 行頭が「# 」の項目は、必要なときに「# 」を外して書きます。",
    ]
    _emit(schema, root, lines, 0, fixed={"form": form})
    return "\n".join(lines) + "\n"


def organization_scaffold(schema: Schema) -> str:
    """Return the YAML text of an empty organization.yaml, every item commented."""
    lines = ["# 評価実施機関の情報です。各項目の上の「#」の行は説明です(消してもかまいません)。"]
    _emit(schema, schema.doc, lines, 0)
    return "\n".join(lines) + "\n"


def _form_root(schema: Schema, form: str) -> dict[str, Any]:
    root = schema.root_for({"form": form})
    if root is schema.doc:
        raise BuildError(f"評価書の種類「{form}」はスキーマにありません。")
    return schema.resolve(root)


def _guidance(schema: Schema, sub: dict[str, Any], key: str) -> str:
    """Return the comment for one item: title, description and the values a choice allows."""
    text = sub.get("title", key)
    if sub.get("description"):
        text += f" — {sub['description']}"
    options = [o for o in sub.get("enum", []) if o is not None]
    if options:
        text += " 選択肢: " + " / ".join(map(str, options))
        if None in sub["enum"]:
            text += "(未回答なら空欄)"
    elif "x-options" in sub:
        text += " 選んだ選択肢を selected: [ ] に並べます: " + " / ".join(sub["x-options"])
    elif _is_checkbox(sub):
        text += " 原本でチェックがあれば true、なければ false と書きます(未回答なら空欄)。"
    elif _is_text_list(schema, sub):
        text += (
            f" 1件ずつ、次の行から「- 」で始めて書きます(「[]」は消し、「- 」の前には「{key}:」の行より"
            "半角スペースを2つ多く入れます)。"
        )
    return " ".join(text.split())


def _types(sub: dict[str, Any]) -> set[str]:
    kind = sub.get("type")
    return set(kind) if isinstance(kind, list) else {kind} if kind else set()


def _is_checkbox(sub: dict[str, Any]) -> bool:
    """A single check box of the form (提供を行っている, 委託しない …): true, false or unanswered."""
    return _types(sub) == {"boolean", "null"}


def _is_text_list(schema: Schema, sub: dict[str, Any]) -> bool:
    """A list of plain texts (ファイル名, 記録項目 …), which the scaffold writes as an empty `[]`."""
    items = schema.resolve(sub.get("items", {})) if "array" in _types(sub) else {}
    return "string" in _types(items) and "enum" not in items


def _empty(schema: Schema, sub: dict[str, Any], key: str) -> Any:
    """Return the empty value of an item: nested items for a group, one entry for a list of entries."""
    kind = sub.get("type")
    if "default" in sub:
        return sub["default"]
    if kind == "object" and "properties" in sub:
        return {k: _empty(schema, schema.resolve(v), k) for k, v in sub["properties"].items()}
    if kind == "object":
        return {}
    if kind == "array":
        items = schema.resolve(sub.get("items", {}))
        return [_empty(schema, items, "")] if items.get("type") == "object" and "properties" in items else []
    if kind == "integer" and key == "number" and sub.get("minimum") == 1:
        return 1  # システム1, 提供先1 …: the entry's number, which the form prints
    return None


def _commented(schema: Schema, sub: dict[str, Any], key: str, required: set[str]) -> bool:
    """Whether an optional item is written commented out because its empty value is not valid."""
    if key in required:
        return False
    return not schema.validator.evolve(schema=sub).is_valid(_empty(schema, sub, key))


def _emit(schema: Schema, node: dict[str, Any], lines: list[str], depth: int, fixed: dict | None = None) -> None:
    """Append the items of an object schema, each under its comment, in schema order."""
    pad = _INDENT * depth
    required = set(node.get("required", []))
    for key, raw in node.get("properties", {}).items():
        sub = schema.resolve(raw)
        lines.append(f"{pad}# {_guidance(schema, sub, key)}")
        if fixed and key in fixed:
            lines.append(f"{pad}{key}: {fixed[key]}")
            continue
        if _commented(schema, sub, key, required):
            block: list[str] = []
            _emit_value(schema, sub, key, block, depth, comments=False)
            lines[-1] += "(書くときは下の行の「# 」を外します)"
            lines.extend(f"{pad}# {line[len(pad) :]}" for line in block)
            continue
        _emit_value(schema, sub, key, lines, depth)


def _emit_value(schema: Schema, sub: dict, key: str, lines: list[str], depth: int, comments: bool = True) -> None:
    """Append `key:` and its empty value (nested items, or one entry of a list)."""
    pad = _INDENT * depth
    value = _empty(schema, sub, key)
    if isinstance(value, dict) and value:
        lines.append(f"{pad}{key}:")
        if comments:
            _emit(schema, sub, lines, depth + 1)
        else:
            _emit_plain(schema, sub, lines, depth + 1)
        return
    if isinstance(value, list) and value:
        items = schema.resolve(sub["items"])
        lines.append(f"{pad}{key}:")
        inner = _INDENT * (depth + 1)
        if comments:
            lines.append(
                f"{inner}# 1件ごとに「- 」から書きます。増やすときはこのまとまりをコピーし、不要なら削除します。"
            )
        entry: list[str] = []
        if comments:
            _emit(schema, items, entry, depth + 2)
        else:
            _emit_plain(schema, items, entry, depth + 2)
        first = _INDENT * (depth + 2)
        lines.append(f"{inner}- {entry[0][len(first) :]}")
        lines.extend(entry[1:])
        return
    lines.append(f"{pad}{key}:{_scalar(value)}")


def _emit_plain(schema: Schema, node: dict, lines: list[str], depth: int) -> None:
    """Append an object's items without comments (inside a block written commented out)."""
    for key, raw in node.get("properties", {}).items():
        _emit_value(schema, schema.resolve(raw), key, lines, depth, comments=False)


def _scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return " true" if value else " false"
    if value == [] or value == {}:
        return " []" if value == [] else " {}"
    return f" {value}"


# ---------------------------------------------------------------------------------------------
# Files: `new` and `new-version`


def new_assessment(content: Path, target: str, form_key: str, date: str | None = None) -> list[Path]:
    """Write an empty version file (and organization.yaml for a new organisation); return the files written."""
    org, slug = parse_target(target)
    form = FORMS[form_key]
    version = content / org / slug / f"{parse_date(date).isoformat()}.yaml"
    org_file = content / org / ORG_FILE
    for path in (version,):
        if path.exists():
            raise BuildError(f"{path} はすでにあります。上書きしません。別の日付(--date)を指定してください。")
    existing = (
        sorted(p for p in version.parent.glob("*.yaml") if VERSION_NAME.match(p.name))
        if version.parent.is_dir()
        else []
    )
    if existing:
        raise BuildError(
            f"{version.parent} にはすでに版があります({existing[-1].name})。新しい版は new-version で作ってください。"
        )
    schemas = Schemas()
    written = []
    if not org_file.exists():
        org_file.parent.mkdir(parents=True, exist_ok=True)
        text = (
            modeline(SCHEMA_DIR / "organization.schema.json", org_file)
            + "\n"
            + organization_scaffold(schemas.organization)
        )
        org_file.write_text(text, encoding="utf-8")
        written.append(org_file)
        corrections = org_file.parent / CORRECTIONS
        if not corrections.exists():
            corrections.write_text(corrections_template(org, version.relative_to(org_file.parent)), encoding="utf-8")
            written.append(corrections)
    version.parent.mkdir(parents=True, exist_ok=True)
    text = (
        modeline(SCHEMA_DIR / "assessment.schema.json", version) + "\n" + assessment_scaffold(schemas.assessment, form)
    )
    version.write_text(text, encoding="utf-8")
    written.append(version)
    return written


CORRECTIONS = "CORRECTIONS.md"


def corrections_template(org: str, version: Path) -> str:
    """Return the start of an organisation's CORRECTIONS.md, the record of corrections to the extracted text."""
    return f"""# {org} 訂正と判断の記録

対象: `{version.as_posix()}`
原本: (原本の PDF の URL と、文字を取り出した抽出テキストのファイル名を書きます)

原本の抽出テキストから文字を直した箇所と、誤りのように見えても直さなかった箇所を、理由とともに書きます。
ここに書いた訂正のほかは、文言は原文のままにします。直した箇所がなければ「訂正した文字はありません」と書きます。

## 1. 文字の訂正(抽出時の誤認識と判断できるもの)

| 原文(抽出テキスト) | 訂正後 | 箇所 | 理由 |
|---|---|---|---|
| (例: 隨時) | (例: 随時) | (例: Ⅱ(1) 5. 提供先1 ⑦時期・頻度) | (例: 旧字体・異体字の誤認識) |

## 2. 訂正しなかった箇所(原文のまま)

| 原文(抽出テキスト) | 箇所 | 理由 |
|---|---|---|
"""


def latest_version(content: Path, org: str, slug: str) -> Path:
    """Return the newest version file of an assessment."""
    folder = content / org / slug
    files = sorted(p for p in folder.glob("*.yaml") if VERSION_NAME.match(p.name)) if folder.is_dir() else []
    if not files:
        raise BuildError(f"{folder} に版のファイル(YYYY-MM-DD.yaml)がありません。最初の版は new で作ってください。")
    return files[-1]


def new_version(content: Path, target: str, date: str | None = None) -> tuple[Path, Path]:
    """Copy the latest version to a new, later date; return (copied from, written)."""
    org, slug = parse_target(target)
    latest = latest_version(content, org, slug)
    when = parse_date(date)
    new = latest.parent / f"{when.isoformat()}.yaml"
    if new.exists():
        raise BuildError(f"{new} はすでにあります。上書きしません。")
    if when.isoformat() <= latest.stem:
        raise UsageError(f"新しい版の日付 {when.isoformat()} は、最新の版 {latest.stem} より後の日付にしてください。")
    shutil.copyfile(latest, new)
    return latest, new
