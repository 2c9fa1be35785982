"""Load YAML content files into plain data, remembering where every value came from."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import ContentProblem

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_NODES = 200_000
# Deepest nesting of lists and mappings accepted (the real content needs about 10). libyaml's composer
# recurses in C and crashes the process somewhere past 20,000 levels, so deeper files are measured
# with the (iterative) scanner before they are composed.
MAX_DEPTH = 64
_SAFE_TO_COMPOSE = 10_000

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader that keeps dates as strings: the schema, not YAML, decides what a date is."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

Path_ = tuple[str | int, ...]


@dataclass
class LoadedFile:
    """A parsed YAML file: its data and the line/column of each value and mapping key."""

    path: Path
    display: str
    data: Any = None
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def position(self, path: Path_, key: bool = False) -> tuple[int, int]:
        """Return the 1-based (line, column) of the value at `path`, or of its nearest ancestor."""
        table = self.key_positions if key else self.positions
        p = tuple(path)
        while p:
            if p in table:
                return table[p]
            if p in self.positions:
                return self.positions[p]
            p = p[:-1]
        return self.positions.get((), (1, 1))


# What YAML does not accept in a file: C0/C1 controls other than tab and line breaks, surrogates, non-characters.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
_OPENER_CONTEXTS = ("while parsing a flow", "while scanning a quoted scalar")


class _TooLarge(Exception):
    pass


class _AliasUsed(Exception):
    pass


class _TooDeep(Exception):
    pass


_INDENT = re.compile(r"^ *", re.M)
_INDICATORS = re.compile(r"(?:[-?:][ \t]+)+")


def _depth_bound(text: str) -> int:
    """Return a cheap upper bound of the file's nesting depth, from the characters that can open a level.

    A flow level needs a bracket; a block level a deeper indentation (two levels per column at most)
    or an indicator ("- ", "? ", ": ") earlier on its line.
    """
    flow = text.count("[") + text.count("{")
    indent = max(map(len, _INDENT.findall(text)), default=0)
    inline = max((len(m.split()) for m in _INDICATORS.findall(text)), default=0)
    return flow + 2 * (indent + 1) + 2 * inline


def _too_deep(text: str) -> yaml.Mark | None:
    """Return where the nesting first goes deeper than MAX_DEPTH, scanning tokens without composing."""
    depth = 0
    opening = (yaml.BlockMappingStartToken, yaml.BlockSequenceStartToken, yaml.FlowMappingStartToken,
               yaml.FlowSequenceStartToken)
    closing = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)
    try:
        for token in yaml.scan(text, Loader=_BaseLoader):
            if isinstance(token, opening):
                depth += 1
                if depth > MAX_DEPTH:
                    return token.start_mark
            elif isinstance(token, closing):
                depth -= 1
    except yaml.YAMLError:
        pass  # reported by the composer, which stops at the same place
    return None


def load_yaml(path: Path, display: str) -> tuple[LoadedFile | None, list[ContentProblem]]:
    """Parse one YAML file; return the loaded file, or None and the problems found."""
    problems: list[ContentProblem] = []

    def problem(msg: str, line: int = 0, col: int = 0) -> tuple[None, list[ContentProblem]]:
        problems.append(ContentProblem(display, line, col, msg))
        return None, problems

    try:
        size = path.stat().st_size
    except OSError as exc:
        return problem(f"ファイルを読めません({exc.strerror})。")
    if size > MAX_FILE_BYTES:
        return problem(
            f"ファイルが大きすぎます({size:,} バイト)。上限は {MAX_FILE_BYTES:,} バイトです。"
            "内容を分けるか、誤って大きなデータを貼り付けていないか確認してください。"
        )
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        return problem("ファイルの先頭に BOM があります。BOM なしの UTF-8 で保存し直してください。", 1, 1)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return problem(
            "UTF-8 ではない文字があります。文字コードを UTF-8 にして保存し直してください"
            "(Shift_JIS などで保存されている可能性があります)。",
            line,
            col,
        )
    if _depth_bound(text) > _SAFE_TO_COMPOSE:
        mark = _too_deep(text)
        if mark is not None:
            return problem(_DEPTH_MESSAGE, mark.line + 1, mark.column + 1)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.reader.ReaderError as exc:
        # The C reader counts bytes, not characters: find the character itself instead.
        found = _CONTROL.search(text)
        at = found.start() if found else 0
        line = text.count("\n", 0, at) + 1
        col = at - (text.rfind("\n", 0, at) + 1) + 1
        return problem(
            f"使えない制御文字(U+{ord(found.group()) if found else exc.character:04X})が含まれています。削除してください。",
            line,
            col,
        )
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark and (exc.context or "").startswith(_OPENER_CONTEXTS):
            mark = exc.context_mark  # an unclosed bracket or quote: point at where it was opened
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        named = _fullwidth_culprit(text, mark) or _symbol_start(exc, text)
        if named is not None:
            return problem(*named)
        opened = _unclosed_quote(text, mark)
        if opened is not None:
            return problem(
                f"YAML の書き方に誤りがあります: 引用符({opened.style})が閉じられていないため、"
                f"{line} 行目までが 1 つの値として読まれています。この値の終わりに {opened.style} を書いてください。",
                opened.start_mark.line + 1,
                opened.start_mark.column + 1,
            )
        return problem(_explain_yaml_error(exc, text), line, col)
    except yaml.YAMLError as exc:
        return problem(f"YAML として読めません: {exc}")
    finally:
        loader.dispose()
    if node is None:
        return problem("ファイルが空です(コメントしかない場合も含みます)。必要な項目を書いてください。", 1, 1)
    loaded = LoadedFile(path, display)
    try:
        loaded.data = _build(node, (), loaded, problems, set(), [0])
    except _TooLarge:
        return problem("YAML の構造が大きすぎます(アンカーとエイリアスの展開を含む)。", 1, 1)
    except _TooDeep as exc:
        return problem(_DEPTH_MESSAGE, *exc.args)
    except _AliasUsed:
        return None, [*problems, *_alias_problems(text, display)]
    if any(p.severity == "error" for p in problems):
        return None, problems
    return loaded, problems


_DEPTH_MESSAGE = (f"リストや「項目名: 値」の入れ子が深すぎます(上限 {MAX_DEPTH} 段)。"
                  "「[」「{」の閉じ忘れや字下げの誤りがないか確認してください。")


def _build(node, path, loaded, problems, seen, count):
    """Turn a composed YAML node into Python data, recording positions and rejecting aliases."""
    count[0] += 1
    if count[0] > MAX_NODES:
        raise _TooLarge
    line, col = node.start_mark.line + 1, node.start_mark.column + 1
    if len(path) > MAX_DEPTH:
        raise _TooDeep(line, col)
    loaded.positions[path] = (line, col)
    if id(node) in seen:
        raise _AliasUsed
    # Only an alias makes the composer hand out the same node twice, so any node seen again is one.
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(
                    ContentProblem(
                        loaded.display,
                        key_node.start_mark.line + 1,
                        key_node.start_mark.column + 1,
                        "項目名(キー)は文字列で書いてください。",
                    )
                )
                continue
            key = str(key_node.value)
            kpos = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            _check_control(key, *kpos, loaded, problems)
            if _FULLWIDTH_SPACE in key or _FULLWIDTH_COLON in key:
                char = _FULLWIDTH_SPACE if _FULLWIDTH_SPACE in key else _FULLWIDTH_COLON
                at = key.index(char)
                problems.append(ContentProblem(loaded.display, kpos[0], kpos[1] + at, _FULLWIDTH[char]))
                continue
            if key == "<<":
                problems.append(
                    ContentProblem(loaded.display, *kpos, "マージキー(<<)は使えません。項目を直接書いてください。")
                )
                continue
            if key in result:
                first = loaded.key_positions[path + (key,)]
                problems.append(
                    ContentProblem(
                        loaded.display,
                        *kpos,
                        f"項目「{key}」が同じ階層に2回書かれています(最初は {first[0]} 行目)。"
                        "後の値で前の値が失われるため、どちらかにまとめてください。",
                    )
                )
                continue
            loaded.key_positions[path + (key,)] = kpos
            result[key] = _build(value_node, path + (key,), loaded, problems, seen, count)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(child, path + (i,), loaded, problems, seen, count) for i, child in enumerate(node.value)
        ]
    if node.tag == "tag:yaml.org,2002:null":
        return None
    if node.tag == "tag:yaml.org,2002:bool":
        return node.value.lower() in ("true", "yes", "on")
    if node.tag == "tag:yaml.org,2002:int":
        digits = node.value.replace("_", "")
        for base in (10, 0):
            try:
                return int(digits, base)
            except ValueError:
                pass
        return node.value
    if node.tag == "tag:yaml.org,2002:float":
        try:
            return float(node.value.replace("_", ""))
        except ValueError:
            return node.value
    if node.tag in ("tag:yaml.org,2002:str", "!"):
        _check_control(node.value, line, col, loaded, problems)
        if node.style in (None, "", "'", '"') and node.end_mark.line > node.start_mark.line:
            problems.append(_folded_warning(node, loaded))
        return node.value
    problems.append(
        ContentProblem(loaded.display, line, col, f"このタグ({node.tag})は使えません。値だけを書いてください。")
    )
    return None


def _check_control(value: str, line: int, col: int, loaded: LoadedFile, problems: list[ContentProblem]) -> None:
    """Refuse a control character that an escape (such as "\\x07" or "\\u0000") put into a value."""
    found = _CONTROL.search(value)
    if found:
        problems.append(ContentProblem(
            loaded.display, line, col,
            f"値に使えない制御文字(U+{ord(found.group()):04X})が含まれています"
            "(引用符の中の「\\x」「\\u」などのエスケープによるもの)。削除してください。",
        ))


def _unclosed_quote(text: str, mark: yaml.Mark | None) -> yaml.ScalarToken | None:
    """Return the quoted scalar that ends on the error's line after spanning several lines, if any.

    A quote left open reads on to the next quote of the same kind, often many lines below, and the
    parser then fails there; the editor needs the line where the quote was opened.
    """
    if mark is None:
        return None
    last = None
    try:
        for token in yaml.scan(text, Loader=_BaseLoader):
            if token.start_mark.line > mark.line or (
                token.start_mark.line == mark.line and token.start_mark.column >= mark.column
            ):
                break
            last = token
    except yaml.YAMLError:
        pass
    if (
        isinstance(last, yaml.ScalarToken)
        and last.style in ("'", '"')
        and last.end_mark.line == mark.line
        and last.start_mark.line < mark.line
    ):
        return last
    return None


def _alias_problems(text: str, display: str) -> list[ContentProblem]:
    """Report every alias (*name) in the text; the composed nodes only know where the anchor was."""
    message = "アンカー(&)とエイリアス(*)は使えません。同じ内容でもそれぞれの場所に書いてください。"
    return [
        ContentProblem(display, token.start_mark.line + 1, token.start_mark.column + 1, message)
        for token in yaml.scan(text, Loader=_BaseLoader)
        if isinstance(token, yaml.AliasToken)
    ]


def _explain_yaml_error(exc: yaml.MarkedYAMLError, text: str = "") -> str:
    """Translate a PyYAML syntax error into Japanese with a hint."""
    msg = f"{exc.context or ''} {exc.problem or ''}".strip()
    mark = exc.problem_mark
    lines = text.split("\n")
    # `key: value: more` (a colon inside the value) rather than a line read as the previous value's continuation
    same_line = bool(mark and mark.line < len(lines) and ": " in lines[mark.line][: mark.column])
    hints = {
        "could not find expected ':'": "「項目名: 値」の「:」が見つかりません。",
        "mapping values are not allowed": "ここに「:」は書けません。値に「: 」を含む場合は値を引用符で囲むか、| を使って複数行で書いてください。"
        if same_line else "ここに「:」は書けません。前の行の値の続きとして読まれています。同じ階層の項目は同じ数のスペースで字下げしてください。",
        "found character '\\t' that cannot start any token": "タブ文字は字下げに使えません。半角スペースで字下げしてください。",
        "found a tab character": "タブ文字は字下げに使えません。半角スペースで字下げしてください。",
        "did not find expected node content": "値が書かれていないか、「[」「{」が閉じられていません。",
        "expected a single document in the stream": "「---」の行があります。1 つのファイルには 1 つの版だけを書き、「---」の行は削除してください。",
        "expected <block end>, but found": "字下げがそろっていません。同じ階層の項目は同じ数のスペースで字下げしてください。",
        "found unacceptable character": "使えない制御文字が含まれています。削除してください。",
        "special characters are not allowed": "使えない制御文字が含まれています。削除してください。",
        "found undefined alias": "未定義のエイリアス(*)があります。アンカーとエイリアスは使えません。",
        "while scanning a quoted scalar": "引用符が閉じられていません。",
        "did not find expected ',' or ']'": "「[」に対応する「]」がないか、「,」が抜けています。",
        "did not find expected ',' or '}'": "「{」に対応する「}」がないか、「,」が抜けています。",
        "did not find expected key": "字下げがそろっていないか、「- 」の位置がずれています。",
        "did not find expected '-' indicator": "リストの「- 」の字下げがずれています。",
    }
    for needle, hint in hints.items():
        if needle in msg:
            return f"YAML の書き方に誤りがあります: {hint}"
    return f"YAML の書き方に誤りがあります({msg})。"


_FULLWIDTH_SPACE, _FULLWIDTH_COLON = "\u3000", "\uff1a"
_FULLWIDTH = {
    _FULLWIDTH_SPACE: "全角スペース(U+3000)が字下げか項目名に使われています。"
    "字下げと「:」の後は半角スペースで書いてください。",
    _FULLWIDTH_COLON: "項目名の後の「：」が全角のコロン(U+FF1A)です。"
    "半角の「:」と半角スペースで「項目名: 値」と書いてください。",
}
_KEYLIKE = r"(?:-[ \u3000]+)?[A-Za-z_][A-Za-z0-9_]*"
# on one line: a full-width space in the indentation of an item; a full-width colon after an item's name;
# a full-width space after the colon (YAML reads `key:　value` as text, not as an item)
_FULLWIDTH_LINE = [
    (re.compile(rf"^ *(\u3000)[ \u3000]*(?:-[ \u3000]|{_KEYLIKE}[ \u3000]*[:：])"), _FULLWIDTH_SPACE),
    (re.compile(rf"^[ \u3000]*{_KEYLIKE}[ \u3000]*(：)"), _FULLWIDTH_COLON),
    (re.compile(rf"^[ \u3000]*{_KEYLIKE}:(\u3000)"), "colon-space"),
]
_COLON_SPACE = "「:」の後が全角スペース(U+3000)です。「:」の後は半角スペースにしてください。"


def _fullwidth_culprit(text: str, mark: yaml.Mark | None) -> tuple[str, int, int] | None:
    """Find a full-width space or colon written where YAML needs ASCII, on the error's line or just above it.

    The parser fails only on a later line (the item is read as text continuing there), so the
    character is looked for on the error's line and the two written lines before it.
    """
    if mark is None:
        return None
    lines = text.split("\n")
    in_text = _block_scalar_lines(text)
    checked = 0
    for n in range(min(mark.line, len(lines) - 1), -1, -1):
        stripped = lines[n].strip(" \u3000")
        if not stripped or stripped.startswith("#") or n in in_text:
            continue  # a line of a | text may hold 「ID：…」 or start with a full-width space
        for pattern, char in _FULLWIDTH_LINE:
            m = pattern.match(lines[n])
            if m:
                return (_COLON_SPACE if char == "colon-space" else _FULLWIDTH[char]), n + 1, m.start(1) + 1
        checked += 1
        if checked == 3:
            break
    return None


def _block_scalar_lines(text: str) -> set[int]:
    """Return the 0-based numbers of the lines inside `|` or `>` texts, as far as the scanner reads the file."""
    inside: set[int] = set()
    try:
        for token in yaml.scan(text, Loader=_BaseLoader):
            if isinstance(token, yaml.ScalarToken) and token.style in ("|", ">"):
                # it ends at the start of the next line (column 0), or where the file ends
                inside.update(range(token.start_mark.line + 1, token.end_mark.line + (token.end_mark.column > 0)))
    except yaml.YAMLError:
        pass
    return inside


# what PyYAML says when a value starts with a character YAML reserves
_SYMBOL_ERRORS = ("while scanning an alias", "while scanning an anchor", "while scanning a tag",
                  "while scanning a block scalar", "found character that cannot start any token",
                  "found undefined alias")


def _symbol_start(exc: yaml.MarkedYAMLError, text: str) -> tuple[str, int, int] | None:
    """Explain a value that starts with `*`, `&`, `!`, `|`, `>`, `@`, `%` or a backquote, and show it quoted."""
    said = f"{exc.context or ''} {exc.problem or ''}"
    if not any(s in said for s in _SYMBOL_ERRORS):
        return None
    mark = exc.context_mark if (exc.context or "").startswith("while scanning a") else exc.problem_mark
    lines = text.split("\n")
    if mark is None or mark.line >= len(lines) or exc.problem_mark is None or exc.problem_mark.line != mark.line:
        return None  # the symbol's token ends on a later line: another mistake (a tab in a `|` text …)
    if "block scalar" in said and "expected comment or line break" not in said:
        return None
    line = lines[mark.line]
    symbol = line[mark.column : mark.column + 1]
    if symbol not in "*&!|>@%`" or not symbol:
        return None
    value = line[mark.column :].rstrip()
    quoted = "'" + value.replace("'", "''") + "'"
    example = f"{line[: mark.column].strip()} {quoted}".strip()
    msg = (f"値の先頭の「{symbol}」は YAML の記号として読まれるため、このままでは書けません。"
           f"値全体を「'」で囲んでください(例: {example})。")
    if symbol in "|>":
        msg += f"複数行の文章なら、「{symbol}」の後で改行し、次の行から字下げして書きます。"
    return msg, mark.line + 1, mark.column + 1


def _folded_warning(node: yaml.ScalarNode, loaded: LoadedFile) -> ContentProblem:
    """Warn that a value written on several lines without `|` is read as one line (YAML folds it)."""
    msg = ("この値は複数の行に書かれていますが、「|」を使っていないため、行の区切りは空白になり 1 行につながって"
           "表示されます。行のとおりに表示するには、「項目名: |」と書いて、次の行から字下げして書いてください。")
    if _FULLWIDTH_COLON in node.value:
        msg += "続きの行が「項目名：値」のつもりなら、全角の「：」を半角の「: 」にしてください。"
    return ContentProblem(loaded.display, node.start_mark.line + 1, node.start_mark.column + 1, msg,
                          severity="warning")
