"""Load the JSON Schemas, validate content, and explain errors to editors in Japanese."""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
from collections.abc import Callable, Iterator
from functools import cached_property, lru_cache, partial
from pathlib import Path
from typing import Any

import fastjsonschema
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from .dates import suggest_iso
from .errors import ContentProblem
from .loader import LoadedFile

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schema"
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FORMAT_CHECKER = FormatChecker()
_TYPE_NAMES = {
    "string": "文字列",
    "integer": "整数",
    "number": "数値",
    "boolean": "true か false",
    "object": "「項目名: 値」の組(マッピング)",
    "array": "「- 」で始まるリスト",
    "null": "空欄",
}


class Schema:
    """One JSON Schema document with helpers to walk it by data path."""

    def __init__(self, path: Path):
        self.path = path
        # Checking the schema against the meta-schema costs more than validating a file; the test
        # suite does it (tests/test_schema.py), so every change to a schema is checked in CI.
        self.doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        # the root of each form (root_for), and what at() and labels() found under each root by data path:
        # every version file of a form asks the same paths again. Only roots kept here are memoised
        # (by id, which stays theirs while they live).
        self._roots: dict[str, dict[str, Any]] = {}
        self._found: dict[int, dict[tuple, Any]] = {id(self.doc): {}}

    @cached_property
    def validator(self) -> Draft202012Validator:
        """Return a validator that also checks formats such as `date`."""
        return Draft202012Validator(self.doc, format_checker=_FORMAT_CHECKER)

    @cached_property
    def _fast_check(self) -> Callable[[Any], Any]:
        """Return a compiled check (fastjsonschema) of the same schema, raising on invalid data."""
        return _compile(json.dumps(self.doc, ensure_ascii=False, sort_keys=True))

    def prepare(self) -> None:
        """Compile the fast check now (before worker processes fork, so that they all inherit it).

        Compiling costs about as much as validating a hundred files with jsonschema, so only a build
        of many files does it; until then validate_file uses jsonschema alone (with the same result).
        """
        _ = self._fast_check

    @property
    def compiled(self) -> bool:
        """Whether the fast check is compiled, so that validate_file tries it first."""
        return "_fast_check" in self.__dict__

    def is_valid(self, data: Any) -> bool:
        """Return whether `data` is valid, quickly; only False is left for jsonschema to explain.

        The compiled check is at least as strict as jsonschema (its `$` is the end of the string,
        its integers are never floats), so a file it accepts has no errors; one it rejects is
        validated again by jsonschema, whose errors alone are reported.
        """
        try:
            self._fast_check(data)
        except Exception:  # any doubt (an odd value the generated code trips on): let jsonschema decide
            return False
        return True

    def resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        """Follow local `$ref`s; merge the referring node's own annotations over the target."""
        refs: list[str] = list(node.get("x-refs", []))
        while "$ref" in node and len(refs) < 20:
            refs.append(node["$ref"])
            target = self.doc
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            node = {**target, **{k: v for k, v in node.items() if k != "$ref"}, "x-refs": refs}
        return node

    def root_for(self, data: Any) -> dict[str, Any]:
        """Return the effective root schema for `data` (the form's variant for assessments)."""
        form = data.get("form") if isinstance(data, dict) else None
        if not isinstance(form, str):
            return self.doc  # every form's const is a string
        if form not in self._roots:
            root = self.doc
            for branch in self.doc.get("allOf", []):
                const = branch.get("if", {}).get("properties", {}).get("form", {}).get("const")
                if const is not None and const == form:
                    root = self.resolve(branch["then"])
                    break
            self._roots[form] = root
            self._found.setdefault(id(root), {})
        return self._roots[form]

    def _memo(self, what: str, root: dict[str, Any], path: tuple, find: Callable[[dict, tuple], Any]) -> Any:
        found = self._found.get(id(root))
        if found is None:
            return find(root, path)
        key = (what, tuple(path))
        if key not in found:
            found[key] = find(root, key[1])
        return found[key]

    def at(self, root: dict[str, Any], path: tuple) -> dict[str, Any] | None:
        """Return the resolved subschema for a data path under `root`, or None if there is none."""
        return self._memo("at", root, path, self._at)

    def labels(self, root: dict[str, Any], path: tuple) -> list[str]:
        """Return the Japanese titles along a data path (array positions as 「N番目」)."""
        return list(self._memo("labels", root, path, self._labels))

    def _at(self, root: dict[str, Any], path: tuple) -> dict[str, Any] | None:
        node = self.resolve(root)
        for part in path:
            if isinstance(part, int):
                items = node.get("items")
                if not isinstance(items, dict):
                    return None
                node = self.resolve(items)
            else:
                props = node.get("properties", {})
                if part not in props:
                    return None
                node = self.resolve(props[part])
        return node

    def _labels(self, root: dict[str, Any], path: tuple) -> list[str]:
        out: list[str] = []
        node = self.resolve(root)
        for part in path:
            if isinstance(part, int):
                items = node.get("items")
                if not isinstance(items, dict):
                    break
                node = self.resolve(items)
                out.append(f"{part + 1}番目")
            else:
                prop = node.get("properties", {}).get(part)
                if prop is None:
                    out.append(str(part))
                    break
                node = self.resolve(prop)
                out.append(node.get("title", str(part)))
        return out


class Schemas:
    """The project's two schemas: one version file of an assessment, and an organisation."""

    def __init__(self, directory: Path = SCHEMA_DIR):
        self.assessment = Schema(directory / "assessment.schema.json")
        self.organization = Schema(directory / "organization.schema.json")
        self._directory = directory

    @cached_property
    def glossary(self) -> Schema:
        """content/glossary.yaml (read when a glossary is there)."""
        return Schema(self._directory / "glossary.schema.json")


def validate_file(schema: Schema, loaded: LoadedFile) -> list[ContentProblem]:
    """Validate one loaded file; return problems with line, column and Japanese explanations."""
    data = loaded.data
    problems = []
    root = schema.root_for(data)
    empty = _check_required_filled(schema, root, loaded)
    blank = {p.item for p in empty}
    errors = () if schema.compiled and schema.is_valid(data) else _leaf_errors(schema.validator.iter_errors(data))
    for error in errors:
        if error.instance is None and _path_text(tuple(error.absolute_path)) in blank:
            continue  # reported once, as a required item left empty
        problem = _explain(schema, root, loaded, error)
        if problem not in problems:  # a date breaks both `format` and `pattern`: one message is enough
            problems.append(problem)
    problems.extend(empty)
    problems.extend(_check_dates_in_text(schema, root, loaded))
    if root is not schema.doc or not schema.doc.get("allOf"):
        # without a known form there is no form to point into: only the error on `form` is useful
        problems.extend(_check_unavailable(schema, root, loaded))
    return problems


@lru_cache(maxsize=8)
def _compile(doc: str) -> Callable[[Any], Any]:
    """Compile a schema (given as JSON text) with fastjsonschema, checking formats as jsonschema does."""
    schema = json.loads(doc)
    # jsonschema's own format checks (and none for formats it does not know, such as uri without rfc3987)
    formats = {name: partial(_conforms, name) for name in set(_formats(schema))}
    # use_default=False: the check must not fill in defaults (it would change the data it is given)
    return fastjsonschema.compile(schema, formats=formats, use_default=False)


def _conforms(name: str, value: Any) -> bool:
    return _FORMAT_CHECKER.conforms(value, name)


def _formats(node: Any) -> Iterator[str]:
    """Yield every `format` a schema uses."""
    if isinstance(node, dict):
        if isinstance(node.get("format"), str):
            yield node["format"]
        for value in node.values():
            yield from _formats(value)
    elif isinstance(node, list):
        for value in node:
            yield from _formats(value)


def _leaf_errors(errors: Iterator[ValidationError]) -> Iterator[ValidationError]:
    """Yield the errors an editor can act on, dropping if/then wrappers around them."""
    for error in errors:
        if error.validator in ("allOf", "anyOf", "oneOf", "then", "if", "$ref") and error.context:
            yield from _leaf_errors(iter(error.context))
        else:
            yield error


def _path_text(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(ファイル全体)"


def _explain(schema: Schema, root: dict, loaded: LoadedFile, error: ValidationError) -> ContentProblem:
    """Turn one jsonschema error into a problem an editor can act on."""
    path = tuple(error.absolute_path)
    line, col = loaded.position(path)
    labels = schema.labels(root, path)
    label = labels[-1] if labels else "ファイル全体"
    where = " > ".join(labels) if labels else "ファイル全体"
    v = error.validator
    value = error.instance
    if v == "required":
        parent = schema.at(root, path) or {}
        props = parent.get("properties", {})
        missing = [k for k in error.validator_value if not isinstance(value, dict) or k not in value]
        key = missing[0] if missing else "?"
        title = schema.resolve(props.get(key, {})).get("title", key)
        inside = f"{where} の中に" if labels else "ファイルの最上位(字下げなし)に"
        msg = f"必須の項目「{title}」({key}) がありません。{inside}「{key}:」を書いてください。"
        return ContentProblem(loaded.display, line, col, msg, _path_text(path + (key,)))
    if v == "additionalProperties":
        parent = schema.at(root, path) or {}
        known = parent.get("properties", {})
        extras = [k for k in value if k not in known] if isinstance(value, dict) else []
        key = extras[0] if extras else "?"
        line, col = loaded.position(path + (key,), key=True)
        msg = f"「{key}」という項目はありません。"
        suggestion = _nearest_key(schema, key, known)
        inside = _owner_of(schema, key, known)
        if inside and not suggestion:
            msg = (
                f"「{key}」はここには書けません。「{inside[1]}」({inside[0]}) の中に書く項目です。"
                "字下げ(行頭のスペースの数)を、同じまとまりのほかの項目にそろえてください。"
            )
        elif suggestion:
            msg += f"もしかして「{suggestion[0]}」({suggestion[1]})ですか?"
        elif known:
            msg += "ここに書ける項目: " + "、".join(list(known)[:12]) + ("…" if len(known) > 12 else "")
        return ContentProblem(loaded.display, line, col, msg, _path_text(path + (key,)))
    if v in ("enum", "const"):
        allowed = [a for a in (error.validator_value if v == "enum" else [error.validator_value]) if a is not None]
        ranked = sorted(allowed, key=lambda a: -difflib.SequenceMatcher(None, str(value), str(a)).ratio())
        msg = f"「{label}」の値「{value}」は選択肢にありません。選べる値(近い順): " + " / ".join(map(str, ranked))
        if None in (error.validator_value if v == "enum" else []):
            msg += "。未回答なら空欄にしてください"
        return ContentProblem(loaded.display, line, col, msg + "。", _path_text(path))
    if v == "type":
        types = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        msg = _type_message(label, types, value, in_list=any(isinstance(p, int) for p in path))
        iso = suggest_iso(value) if _is_date_item(schema.at(root, path)) else None
        if iso:  # 20150601 unquoted is a number
            msg = f"「{label}」の日付「{value}」は「{iso}」の形で書いてください(日付は西暦の YYYY-MM-DD で書きます)。"
        return ContentProblem(loaded.display, line, col, msg, _path_text(path))
    if v == "format" and error.validator_value == "date" or (v == "pattern" and "\\d{4}" in str(error.validator_value)):
        msg = f"「{label}」の日付「{value}」は正しくありません。実在する日付を YYYY-MM-DD(例: 2023-11-27)で書いてください。"
        iso = suggest_iso(value)
        if iso:
            msg = f"「{label}」の日付「{value}」は「{iso}」の形で書いてください(日付は西暦の YYYY-MM-DD で書きます)。"
        return ContentProblem(loaded.display, line, col, msg, _path_text(path))
    if v == "pattern":
        node = schema.at(root, path) or {}
        hint = node.get("description", "")
        msg = f"「{label}」の書き方が正しくありません(今の値: {_short(value)})。{hint}"
        return ContentProblem(loaded.display, line, col, msg, _path_text(path))
    if v == "minItems":
        msg = f"「{label}」には少なくとも {error.validator_value} 件書いてください。"
        return ContentProblem(loaded.display, line, col, msg, _path_text(path))
    if v == "uniqueItems":
        msg = f"「{label}」に同じ値が2回以上書かれています。"
        return ContentProblem(loaded.display, line, col, msg, _path_text(path))
    if v in ("minimum", "minLength"):
        msg = f"「{label}」の値が小さすぎるか空です(今の値: {_short(value)})。"
        return ContentProblem(loaded.display, line, col, msg, _path_text(path))
    if v == "propertyNames":
        msg = f"「{where}」のキー「{value}」は選択肢にありません。"
        return ContentProblem(loaded.display, line, col, msg, _path_text(path))
    if v == "format":
        msg = f"「{label}」の形式が正しくありません(今の値: {_short(value)})。"
        return ContentProblem(loaded.display, line, col, msg, _path_text(path))
    return ContentProblem(loaded.display, line, col, f"「{where}」: {error.message}", _path_text(path))


def _type_message(label: str, types: list[str], value: Any, in_list: bool) -> str:
    """Explain a value of the wrong type in the editor's terms: empty, a number that must be quoted …"""
    wanted = "または".join(_TYPE_NAMES.get(t, t) for t in types if t != "null")
    spaced = (" " if wanted[:1].isascii() else "") + wanted + (" " if wanted[-1:].isascii() else "")
    if value is None:
        msg = (
            f"「{label}」が空欄です。"
            + ("true か false を" if wanted == _TYPE_NAMES["boolean"] else "値を")
            + "書いてください。"
        )
        if in_list:
            msg += "使わない枠なら、「- 」で始まるまとまりごと削除してください。"
        return msg
    msg = f"「{label}」は{spaced}で書いてください(今の値: {_short(value)})。"
    if "string" in types and isinstance(value, (bool, int, float)):
        # YAML reads 1, 040002 or true as a number or a truth value, not as text
        msg += "数字だけの値や true などを文字列として書くときは、「'1'」「'040002'」のように「'」で囲みます。"
    elif "string" in types and isinstance(value, (dict, list)):
        msg += "値の中に「: 」があるか、値が「- 」や「[」で始まるときは、値全体を「'」で囲みます。"
    elif "boolean" in types and "null" in types:
        msg += "原本でチェックがあれば true、なければ false と書きます。"
    if "object" in types and isinstance(value, str) and "\uff1a" in value:
        msg += "「項目名：値」の「：」が全角のコロン(U+FF1A)なら、半角の「:」と半角スペースにしてください。"
    return msg


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else f"「{value}」"
    return text if len(text) <= 40 else text[:39] + "…"


def _owner_of(schema: Schema, key: str, known: dict[str, Any]) -> tuple[str, str] | None:
    """Find the item one level down that has `key` (written with too little indentation)."""
    for name, raw in known.items():
        sub = schema.resolve(raw)
        kinds = sub.get("type") if isinstance(sub.get("type"), list) else [sub.get("type")]
        if "array" in kinds:
            sub = schema.resolve(sub.get("items", {}))
        if key in sub.get("properties", {}):
            return name, sub.get("title", name)
    return None


def _nearest_key(schema: Schema, key: str, known: dict[str, Any]) -> tuple[str, str] | None:
    """Suggest the known key closest to `key`, matching English keys and Japanese titles."""
    titles = {k: schema.resolve(v).get("title", k) for k, v in known.items()}
    for k, title in titles.items():
        if key == title or key.strip("①②③④⑤⑥⑦⑧⑨⑩ ") == title.strip("①②③④⑤⑥⑦⑧⑨⑩ "):
            return k, title
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    if close:
        return close[0], titles[close[0]]
    by_title = difflib.get_close_matches(key, list(titles.values()), n=1, cutoff=0.5)
    if by_title:
        k = next(k for k, t in titles.items() if t == by_title[0])
        return k, by_title[0]
    return None


def _walk(data: Any, path: tuple = (), out: list | None = None) -> list[tuple[tuple, Any]]:
    """Return (path, value) for every value in a data tree, in document order (a list: no nested generators)."""
    out = [] if out is None else out
    out.append((path, data))
    if isinstance(data, dict):
        for k, v in data.items():
            _walk(v, path + (k,), out)
    elif isinstance(data, list):
        for i, v in enumerate(data):
            _walk(v, path + (i,), out)
    return out


def _check_required_filled(schema: Schema, root: dict, loaded: LoadedFile) -> list[ContentProblem]:
    """Report required items written but left empty (as a scaffold leaves them), at the item's key.

    Only in parts the form requires: rows of an optional list (a change-log row, a 概要's sub-heading)
    may transcribe a blank cell of the original, so their empty required items stay allowed.
    """
    problems = []
    for path, value in _walk(loaded.data):
        if not isinstance(value, dict) or not _required_part(schema, root, path):
            continue
        node = schema.at(root, path) or {}
        for key in node.get("required", []):
            if key in value and value[key] in (None, ""):
                title = schema.resolve(node.get("properties", {}).get(key, {})).get("title", key)
                where = " > ".join(schema.labels(root, path))
                line, col = loaded.position(path + (key,), key=True)
                msg = f"必須の項目「{title}」({key}) が空欄です。{where + ' の' if where else ''}「{key}:」に値を書いてください。"
                problems.append(ContentProblem(loaded.display, line, col, msg, _path_text(path + (key,))))
    return problems


def _required_part(schema: Schema, root: dict, path: tuple) -> bool:
    """Whether every list on a data path must have entries (minItems), like 特定個人情報ファイル."""
    for i, part in enumerate(path):
        if isinstance(part, int) and not (schema.at(root, path[:i]) or {}).get("minItems"):
            return False
    return True


def _is_date_item(node: dict | None) -> bool:
    """Whether a schema node is a date (日付) or a date-or-text (日付または記載) item."""
    refs = (node or {}).get("x-refs", [])
    return any(ref.rsplit("/", 1)[-1] in ("date", "date_or_text") for ref in refs)


def _check_dates_in_text(schema: Schema, root: dict, loaded: LoadedFile) -> list[ContentProblem]:
    """Reject impossible ISO dates, and whole dates not written as ISO, in 日付または記載 fields (free text)."""
    problems = []
    for path, value in _walk(loaded.data):
        iso = suggest_iso(value) if isinstance(value, str) else None
        if iso and not ISO_DATE.match(value):
            node = schema.at(root, path)
            if _is_date_item(node) and node.get("format") != "date":  # a `date` item: reported by the schema
                label = (schema.labels(root, path) or ["?"])[-1]
                msg = (f"「{label}」の「{value}」は日付なので、「{iso}」の形で書いてください"
                       "(日付は西暦の YYYY-MM-DD で書きます。ページでは和暦で表示されます)。")
                problems.append(ContentProblem(loaded.display, *loaded.position(path), msg, _path_text(path)))
            continue
        if isinstance(value, str) and ISO_DATE.match(value):
            node = schema.at(root, path)
            if node is None or node.get("format") == "date":
                continue  # format-checked by the schema itself
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                label = (schema.labels(root, path) or ["?"])[-1]
                line, col = loaded.position(path)
                problems.append(
                    ContentProblem(
                        loaded.display,
                        line,
                        col,
                        f"「{label}」の日付「{value}」は実在しません。正しい日付を YYYY-MM-DD で書いてください。",
                        _path_text(path),
                    )
                )
    return problems


_ITEM_PATH = re.compile(r"([a-z_][a-z0-9_]*)((?:\[\d+\])*)")


def parse_item_path(text: str) -> tuple:
    """Parse `files[0].overview.basic` into ('files', 0, 'overview', 'basic')."""
    out: list[str | int] = []
    for part in text.split("."):
        m = _ITEM_PATH.fullmatch(part)
        if not m:
            return ()
        out.append(m.group(1))
        out.extend(int(i) for i in re.findall(r"\d+", m.group(2)))
    return tuple(out)


def _check_unavailable(schema: Schema, root: dict, loaded: LoadedFile) -> list[ContentProblem]:
    """Check that every `unavailable` entry names an item the form actually has."""
    problems = []
    entries = loaded.data.get("unavailable") if isinstance(loaded.data, dict) else None
    for i, entry in enumerate(entries or []):
        if not isinstance(entry, dict) or not isinstance(entry.get("item"), str):
            continue
        path = parse_item_path(entry["item"])
        if not path or schema.at(root, path) is None:
            line, col = loaded.position(("unavailable", i, "item"))
            problems.append(
                ContentProblem(
                    loaded.display,
                    line,
                    col,
                    f"「原本から取得できなかった部分」の項目の位置「{entry['item']}」が様式の項目を指していません。"
                    "例: basic_info.systems、files[0].overview.basic.kind",
                    _path_text(("unavailable", i, "item")),
                )
            )
    return problems
