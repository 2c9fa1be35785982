"""The document of one version: its sections in the form's order, the ids on its page, and the links
laid over its text, ready for templates and lookups."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..model.content import Site, Version
from ..model.schema import Schemas
from ..model.text import wareki
from .tree import Node, TreeBuilder, file_label


@dataclass(frozen=True)
class Document:
    """A version's page content. Built once; links are laid over it as a new Document (with_links)."""

    sections: list[Node]
    ids: frozenset[str]
    # node id → [(start, end, site path)] within the node's text (markdown_links keeps them in order)
    links: Mapping[str, list[tuple[int, int, str]]] = field(default_factory=dict)
    # node id → site path the node's heading links to (an entry titled by a name: 提供先1: 岩手県)
    heading_links: Mapping[str, str] = field(default_factory=dict)

    def with_links(self, links: Mapping[str, list], heading_links: Mapping[str, str]) -> Document:
        """Return the same document with these links over its text and headings."""
        return Document(self.sections, self.ids, links, heading_links)


def build_document(schemas: Schemas, version: Version, org_name: str = "") -> Document:
    """Build the document of a version (its sections and their ids)."""
    sections = _build_sections(schemas, version, org_name)
    return Document(sections, frozenset(n.id for section in sections for n in section.walk()))


class Documents:
    """The documents of the versions one build step works on, each built once, on first use.

    History, extracts and pages all read the same versions' documents; this keeps them for as long
    as the step runs, without storing anything on the versions themselves.
    """

    def __init__(self, schemas: Schemas):
        self.schemas = schemas
        self._built: dict[int, tuple[Version, Document]] = {}

    def of(self, version: Version, org_name: str = "") -> Document:
        """Return the document of a version."""
        known = self._built.get(id(version))
        if known is None:
            # the version is kept with its document, so its id cannot be reused while this lives
            known = self._built[id(version)] = (version, build_document(self.schemas, version, org_name))
        return known[1]


def document_sections(site: Site, version: Version, org_name: str = "") -> list[Node]:
    """Return the top-level sections of a version in the form's order (built anew: use Documents to share)."""
    return _build_sections(site.schemas, version, org_name)


def _build_sections(schemas: Schemas, version: Version, org_name: str) -> list[Node]:
    builder = TreeBuilder(schemas.assessment, version.data)
    data = version.data
    form = data["form"]
    cover = builder.section(("cover",), 2, node_id="cover")
    # the cover also prints the body and the date, which the data takes from organization.yaml and the file name
    after_title = next((i + 1 for i, c in enumerate(cover.children) if c.key == "title"), 0)
    cover.children[after_title:after_title] = [
        Node("item", "cover-organization", "評価実施機関名", 3, value=org_name),
        _published(version),
    ]
    sections = [cover]

    def per_file(key: str, node_id: str, name_item: bool = True) -> Node:
        files = data.get("files") or []
        sch = builder.prop_schema(("files", 0, key))
        parent = Node("section", node_id, sch.get("title", key), 2)
        if sch.get("x-title-note"):
            parent.title_note = sch["x-title-note"]
        name_title = builder.prop_schema(("files", 0, "name")).get("title", "")
        for i, f in enumerate(files):
            child = _as_section(builder.section(("files", i, key), 3, label=file_label(i, f)))
            child.title_note = None  # printed once, on the Ⅲ heading
            if name_item:
                # the form prints 「1. 特定個人情報ファイル名」 at the head of each file's part
                name = Node("item", f"{child.id}-file-name", name_title, 4, value=f.get("name"))
                name.key = "name"
                name.path = ("files", i, "name")
                child.children.insert(0, name)
            parent.children.append(child)
        return parent

    if form in ("全項目評価書", "重点項目評価書"):
        sections.append(builder.section(("basic_info",), 2))
        if form == "全項目評価書":
            sections.append(builder.section(("business_attachment",), 2))
        sections.append(per_file("overview", "overview"))
        sections.append(per_file("record_items", "record-items", name_item=False))
        sections.append(per_file("risk_measures", "risk-measures"))
        if form == "全項目評価書":
            sections.append(builder.section(("other_measures",), 2))
        sections.append(builder.section(("disclosure",), 2))
        sections.append(builder.section(("procedures",), 2))
        sections.append(builder.section(("change_log",), 2))
        # record items and change log are single items: wrap them as sections with a heading
    elif form == "基礎項目評価書":
        for key in ("related_info", "threshold_items", "threshold_result", "change_log"):
            sections.append(builder.section((key,), 2))
    else:
        # A 概要 is rendered straight from its data (templates/_summary.html); these nodes feed the TOC.
        return _summary_outline(data)
    sections = [_as_section(s) for s in sections]
    # the cover page of the form lists the parts of the document (項目一覧)
    contents = Node("item", "cover-contents", "項目一覧", 3, value_kind="links",
                    value=[(s.label, f"#{s.id}") for s in sections[1:]])
    contents.key = "contents"
    cover.children.append(contents)
    return sections


def _published(version: Version) -> Node:
    """The cover's 公表日: the version's date when the original prints it; otherwise 記載なし, with the date and why."""
    data = version.data
    node = Node("item", "cover-published", "公表日", 3, value_kind="date", value=version.iso)
    if not version.date_printed:
        node.value = None
        node.transcription_note = (f"公表日の記載はありません。このサイトでは、この版の日付を{wareki(version.iso)}"
                                   f"(推定)としています。{data.get('date_note') or ''}")
    return node


def choice_sets(sections: list[Node], schema_doc: dict) -> list[dict]:
    """Return each option list used by the choice items of a page, in order of first use."""
    seen: dict[str, dict] = {}
    for section in sections:
        for node in section.walk():
            key = node.choice_set
            if key and key not in seen:
                title = schema_doc["$defs"].get(key.replace("-", "_"), {}).get("title") or node.label
                seen[key] = {"id": key, "label": title, "options": node.options}
    return list(seen.values())


def _summary_outline(data: dict) -> list[Node]:
    """Return the chapters and sub-headings of a 概要 as TOC nodes with the ids the template uses."""
    def title(entry: dict) -> str:
        text = " ".join(str(entry.get(k) or "") for k in ("number", "title")).strip()
        return f"{text}【{entry['page_ref']}】" if entry.get("page_ref") else text

    outline = []
    for i, sec in enumerate(data.get("sections") or [], start=1):
        node = Node("section", f"s{i}", title(sec), 2)
        node.children = [
            Node("section", f"s{i}-{j}", title(sub), 3)
            for j, sub in enumerate(sec.get("subsections") or [], start=1)
            if sub.get("number") or sub.get("title")
        ]
        outline.append(node)
    return outline


def _as_section(node: Node) -> Node:
    """Wrap a top-level item (e.g. 変更箇所) in a section so it gets a heading."""
    if node.kind == "section":
        return node
    wrapper = Node("section", node.id, node.label, node.level, unavailable=node.unavailable)
    node.id = f"{node.id}-content"
    node.in_own_section = True
    wrapper.children.append(node)
    return wrapper
