"""Find, load and validate the content tree; return the site's data model."""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..urls import SITE_FOLDERS
from .errors import ContentProblem
from .glossary import GLOSSARY_FILE, Glossary, load_glossary
from .loader import LoadedFile, load_yaml
from .mynumber import find_numbers, locate, numbers_outside_values, strings
from .schema import Schemas, _path_text, validate_file
from .text import unsafe_links

log = logging.getLogger(__name__)

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
VERSION_NAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})\.yaml$")
ORG_FILE = "organization.yaml"
# names of the same entity that the normalisation rule cannot merge (see entities.py)
ALIASES_FILE = "aliases.yaml"
# Files an organisation folder may hold besides organization.yaml and assessment folders.
ALLOWED_NOTES = {"CORRECTIONS.md", "README.md"}


@dataclass
class Organization:
    """An 評価実施機関: content/<slug>/organization.yaml."""

    slug: str
    data: dict[str, Any]
    source: str
    assessments: list[Assessment] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.data["name"]


@dataclass
class Version:
    """One published version of an assessment: content/<org>/<assessment>/<YYYY-MM-DD>.yaml."""

    date: dt.date
    data: dict[str, Any]
    source: str
    loaded: LoadedFile

    @property
    def iso(self) -> str:
        return self.date.isoformat()

    @property
    def date_printed(self) -> bool:
        """Whether the file's date is the 公表日 the original prints (not derived: date_note, reconstructed)."""
        return not self.data.get("date_note") and not self.data.get("reconstructed")


@dataclass
class Assessment:
    """An assessment: a folder of versions; the newest is the current one."""

    org: Organization
    slug: str
    versions: list[Version] = field(default_factory=list)
    # a hash of what the site-wide pages show of it (render.public_summary), when the build knows it
    key: str = ""

    @property
    def latest(self) -> Version:
        return self.versions[-1]


@dataclass
class Site:
    """Everything the renderer needs: organisations with their assessments, and the schemas."""

    organizations: list[Organization]
    schemas: Schemas
    # content/aliases.yaml: alias → name as the editor wrote them (see entities.py)
    aliases: dict[str, str] = field(default_factory=dict)
    # content/glossary.yaml (see glossary.py)
    glossary: Glossary = field(default_factory=Glossary)

    @property
    def assessments(self) -> list[Assessment]:
        return [a for org in self.organizations for a in org.assessments]


def local_government_code_ok(code: str) -> bool:
    """Check the check digit of a 6-digit 全国地方公共団体コード."""
    if not re.fullmatch(r"\d{6}", code):
        return False
    total = sum(int(d) * w for d, w in zip(code[:5], (6, 5, 4, 3, 2), strict=True))
    return (11 - total % 11) % 10 == int(code[5])


def display_path(p: Path) -> str:
    """The path shown to editors: relative to the current folder, as they typed it."""
    try:
        return os.path.relpath(p, Path.cwd())
    except ValueError:
        return str(p)


@dataclass
class Scanned:
    """The content tree walked but not yet loaded: organisations with their assessment folders."""

    root: Path
    organizations: list[tuple[Organization, list[Path]]]
    aliases: dict[str, str]
    aliases_file: Path | None = None
    glossary: Glossary = field(default_factory=Glossary)
    glossary_file: Path | None = None
    # organisations whose organization.yaml is missing or has errors: their versions are only checked
    broken: set[str] = field(default_factory=set)


def load_site(content_dir: Path, schemas: Schemas | None = None) -> tuple[Site, list[ContentProblem]]:
    """Load and validate every file under `content_dir`; return the model and all problems."""
    schemas = schemas or Schemas()
    scanned, problems = scan(content_dir, schemas)
    organizations = []
    for org, folders in scanned.organizations:
        for folder in folders:
            assessment = load_assessment(org, folder, scanned.root, schemas, problems)
            if assessment is not None:
                org.assessments.append(assessment)
        if org.slug not in scanned.broken:
            organizations.append(org)
    return Site(organizations, schemas, aliases=scanned.aliases, glossary=scanned.glossary), problems


def scan(content_dir: Path, schemas: Schemas) -> tuple[Scanned, list[ContentProblem]]:
    """Walk the content tree: check its folders, load organization.yaml files and aliases.yaml."""
    problems: list[ContentProblem] = []
    content_dir = Path(content_dir)
    root = content_dir.resolve()
    scanned = Scanned(root, [], {})
    rel = display_path

    def add(p: Path, msg: str, line: int = 0, col: int = 0) -> None:
        problems.append(ContentProblem(rel(p), line, col, msg))

    if not content_dir.is_dir():
        add(content_dir, "コンテンツのフォルダが見つかりません。--content で正しいフォルダを指定してください。")
        return scanned, problems

    for org_dir in sorted(content_dir.iterdir()):
        if org_dir.name.startswith("."):
            continue
        if not _inside(org_dir, root):
            add(org_dir, "content/ の外を指すシンボリックリンクは使えません。実体のフォルダやファイルを置いてください。")
            continue
        if not org_dir.is_dir():
            if org_dir.name == ALIASES_FILE:
                scanned.aliases = _load_aliases(org_dir, rel(org_dir), problems)
                scanned.aliases_file = org_dir
            elif org_dir.name == GLOSSARY_FILE:
                scanned.glossary = load_glossary(org_dir, rel(org_dir), schemas.glossary, problems)
                scanned.glossary_file = org_dir
            elif org_dir.name not in ALLOWED_NOTES:
                add(org_dir, f"content/ の直下には団体のフォルダ(と {ALIASES_FILE}、{GLOSSARY_FILE})"
                         "だけを置いてください。")
            continue
        if not SLUG.match(org_dir.name):
            add(org_dir, f"フォルダ名「{org_dir.name}」は使えません。半角英小文字・数字・ハイフンで付けてください(例: miyagi-pref)。")
            continue
        if org_dir.name in SITE_FOLDERS or org_dir.name.startswith("pagefind"):
            add(org_dir, f"フォルダ名「{org_dir.name}」はサイトの共通のページの場所と重なるため、団体のフォルダには"
                         "使えません。別の名前にしてください(例: miyagi-pref)。")
            continue
        org_file = org_dir / ORG_FILE
        org = None
        if not org_file.is_file():
            add(org_dir, f"{ORG_FILE} がありません。団体のフォルダには評価実施機関の情報を書いた {ORG_FILE} が必要です。")
        else:
            org = _load_org(org_file, rel(org_file), schemas, problems, root)
        if org is None:  # its versions are still checked, so that one run shows every error
            scanned.broken.add(org_dir.name)
        org = org or Organization("", {}, rel(org_file))
        org.slug = org_dir.name
        folders = []
        for a_dir in sorted(org_dir.iterdir()):
            if a_dir.name.startswith(".") or a_dir.name == ORG_FILE or a_dir.name in ALLOWED_NOTES:
                continue
            if not _inside(a_dir, root):
                add(a_dir, "content/ の外を指すシンボリックリンクは使えません。実体のフォルダやファイルを置いてください。")
                continue
            if not a_dir.is_dir():
                add(a_dir, f"団体のフォルダには {ORG_FILE}、CORRECTIONS.md と評価書のフォルダだけを置いてください。")
                continue
            if not SLUG.match(a_dir.name):
                add(a_dir, f"フォルダ名「{a_dir.name}」は使えません。半角英小文字・数字・ハイフンで付けてください(例: 07-juki-net)。")
                continue
            folders.append(a_dir)
        scanned.organizations.append((org, folders))
    return scanned, problems


def version_files(a_dir: Path) -> list[Path]:
    """Return the files of an assessment folder that are its versions (hidden files aside)."""
    return [p for p in sorted(a_dir.iterdir()) if not p.name.startswith(".")]


def load_assessment(
    org: Organization, a_dir: Path, root: Path, schemas: Schemas, problems: list[ContentProblem]
) -> Assessment | None:
    """Load and validate the versions in one assessment folder; None when none loads."""
    assessment = Assessment(org, a_dir.name)
    found: list[ContentProblem] = []
    for v_file in version_files(a_dir):
        if not _inside(v_file, root):
            found.append(ContentProblem(display_path(v_file), 0, 0,
                                        "content/ の外を指すシンボリックリンクは使えません。実体のファイルを置いてください。"))
            continue
        version = _load_version(v_file, display_path(v_file), schemas, found)
        if version is not None:
            assessment.versions.append(version)
    problems.extend(found)
    if assessment.versions:
        assessment.versions.sort(key=lambda v: v.date)
        return assessment
    if not found:
        problems.append(ContentProblem(display_path(a_dir), 0, 0, "評価書のフォルダに版のファイル(YYYY-MM-DD.yaml)がありません。"))
    return None


def _load_aliases(path: Path, display: str, problems: list) -> dict[str, str]:
    """Read content/aliases.yaml: `aliases:` mapping each other way of writing a name to the name to use."""
    loaded, found = load_yaml(path, display)
    problems.extend(found)
    if loaded is None:
        return {}
    problems.extend(guard_my_numbers(loaded, allowed=None))
    problems.extend(guard_links(loaded))
    data = loaded.data
    aliases = data.get("aliases") if isinstance(data, dict) else None
    if not isinstance(aliases, dict) or set(data) != {"aliases"}:
        problems.append(ContentProblem(display, 1, 1, "aliases.yaml には「aliases:」の下に「別の書き方: 使う名前」の組だけを書いてください。"))
        return {}
    out = {}
    for key, value in aliases.items():
        if not isinstance(value, str) or not isinstance(key, str) or not key.strip() or not value.strip():
            line, col = loaded.position(("aliases", key))
            problems.append(ContentProblem(display, line, col, f"「{key}」の名前は文字列で書いてください。"))
            continue
        out[key] = value
    return out


def _inside(path: Path, root: Path) -> bool:
    """Return whether `path`, following symlinks, stays inside `root`."""
    try:
        path.resolve().relative_to(root)
        return True
    except (ValueError, OSError):
        return False


def _load_org(path: Path, display: str, schemas: Schemas, problems: list, root: Path) -> Organization | None:
    if not _inside(path, root):
        problems.append(ContentProblem(display, 0, 0, "content/ の外を指すシンボリックリンクは使えません。実体のファイルを置いてください。"))
        return None
    loaded, found = load_yaml(path, display)
    problems.extend(found)
    if loaded is None:
        return None
    errors = validate_file(schemas.organization, loaded) if isinstance(loaded.data, dict) else [
        ContentProblem(display, 1, 1, "organization.yaml は「項目名: 値」の形で書いてください。")
    ]
    code = loaded.data.get("local_government_code") if isinstance(loaded.data, dict) else None
    if isinstance(code, str) and re.fullmatch(r"\d{6}", code) and not local_government_code_ok(code):
        line, col = loaded.position(("local_government_code",))
        errors.append(
            ContentProblem(display, line, col, f"全国地方公共団体コード「{code}」の検査数字(6桁目)が正しくありません。", "local_government_code")
        )
    errors.extend(guard_my_numbers(loaded, allowed=None))
    errors.extend(guard_links(loaded))
    problems.extend(errors)
    if errors:
        return None
    return Organization("", loaded.data, display)


def _load_version(path: Path, display: str, schemas: Schemas, problems: list) -> Version | None:
    m = VERSION_NAME.match(path.name)
    if not m or not path.is_file():
        problems.append(
            ContentProblem(display, 0, 0, "版のファイル名は公表日の YYYY-MM-DD.yaml にしてください(例: 2023-11-27.yaml)。")
        )
        return None
    try:
        date = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        problems.append(ContentProblem(display, 0, 0, f"ファイル名の日付「{path.stem}」は実在しない日付です。"))
        return None
    loaded, found = load_yaml(path, display)
    problems.extend(found)
    if loaded is None:
        return None
    if not isinstance(loaded.data, dict):
        problems.append(ContentProblem(display, 1, 1, "版のファイルは「項目名: 値」の形で書いてください。"))
        return None
    errors = validate_file(schemas.assessment, loaded)
    entries = loaded.data.get("allowed_numbers")
    allowed = {a["number"]: a.get("reason") for a in entries if isinstance(a, dict) and isinstance(a.get("number"), str)} \
        if isinstance(entries, list) else {}
    errors.extend(guard_my_numbers(loaded, allowed))
    errors.extend(guard_links(loaded))
    if not errors:
        problems.extend(
            ContentProblem(display, *loaded.position(("allowed_numbers",)),
                           f"12桁の数字「{number}」は個人番号ではないとして許可されています(理由: {reason})。",
                           "allowed_numbers", severity="warning")
            for number, reason in allowed.items()
        )
        problems.extend(check_file_count(schemas, loaded))
    problems.extend(errors)
    if errors:
        return None
    return Version(date, loaded.data, display, loaded)


def check_file_count(schemas: Schemas, loaded: LoadedFile) -> list[ContentProblem]:
    """Warn when the list of 特定個人情報ファイル名 and the files described (Ⅱ) differ in number."""
    data = loaded.data
    names = (data.get("basic_info") or {}).get("file_names") if isinstance(data.get("basic_info"), dict) else None
    files = data.get("files")
    if not isinstance(names, list) or not isinstance(files, list) or len(names) == len(files):
        return []
    root = schemas.assessment.root_for(data)
    listed = (schemas.assessment.labels(root, ("basic_info", "file_names")) or ["file_names"])[-1]
    described = (schemas.assessment.labels(root, ("files",)) or ["files"])[-1]
    return [ContentProblem(
        loaded.display, *loaded.position(("basic_info", "file_names"), key=True),
        f"「{listed}」(file_names)には {len(names)} 件、「{described}」(files)には {len(files)} 件が書かれていて、"
        "数が合いません。原本のとおりか確かめてください(ファイル名の書き漏れや、ファイルの書き漏れがないか)。",
        "basic_info.file_names", severity="warning",
    )]


def guard_links(loaded: LoadedFile) -> list[ContentProblem]:
    """Refuse link targets other than http(s), mailto and relative ones (javascript:, data: …)."""
    problems = []
    raw: str | None = None
    for path, text in strings(loaded.data):
        for target in unsafe_links(text):
            raw = raw if raw is not None else loaded.path.read_text(encoding="utf-8")
            line, col = locate(raw, target, *loaded.position(path))
            problems.append(ContentProblem(
                loaded.display, line, col,
                f"リンク先「{target}」は使えません。リンク先は http:// か https:// で始まる URL、mailto:、"
                "またはサイト内の相対パスにしてください。",
                _path_text(path),
            ))
    return problems


def guard_my_numbers(loaded: LoadedFile, allowed: dict[str, str] | None) -> list[ContentProblem]:
    """Refuse any text holding a 12-digit number that passes the 個人番号 check digit, unless allowed.

    Values and keys are checked, and comments too: they are not shown, but the file is published in
    the repository. `allowed` is None for files that cannot allow numbers (organization.yaml, aliases.yaml).
    """
    problems = []
    raw = loaded.path.read_text(encoding="utf-8")
    seen = set(allowed or {})
    what = "12桁の数字「{}」"
    if allowed is None:
        todo = f"このファイル({loaded.path.name})には個人番号ではない数字を許可する allowed_numbers は書けないので、削除してください。"
    else:
        todo = "削除してください。個人番号ではない数字(法人番号など)なら、allowed_numbers に番号と理由を書いてください。"

    def report(line: int, col: int, written: str, item: str, where: str = "") -> None:
        shown = written.replace("\n", "↵")
        problems.append(ContentProblem(
            loaded.display, line, col,
            f"{where}個人番号(マイナンバー)の可能性がある{what.format(shown)}があります。実在の個人番号は掲載できません。{todo}",
            item,
        ))

    for path, text in strings(loaded.data):
        if path and path[0] == "allowed_numbers":
            continue
        for found in find_numbers(text):
            seen.add(found.digits)
            if allowed is None or found.digits not in allowed:
                report(*locate(raw, found.written, *loaded.position(path)), found.written, _path_text(path))
    for line, col, found in numbers_outside_values(raw, seen):
        report(line, col, found.written, "", "コメントの中に、")
    return problems
