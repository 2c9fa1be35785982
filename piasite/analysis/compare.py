"""The comparison view: every self-assessed item of every assessment, question by question.

The comparison page lists the questions with the count of each answer; each question has a page of
its own with every answer (a national site has thousands of answers to each question).

A self-assessed item is a choice whose option list is one of the form's self-ratings (リスクへの対策は
十分か, 重大事故の発生, 監査, 従業者に対する教育・啓発, the 十分に行っている / 定めている items of Ⅲ7 …).
Questions are grouped by their labels along the form (the file they belong to is part of the answer,
not of the question), so the same question of different assessments lines up.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from .. import urls
from ..document.tree import Node, get_path
from ..model.content import Assessment

# option lists (schema $defs, as choice_set ids) whose answers are the organisation's own assessment
SELF_ASSESSED = {
    "rating",
    "incident",
    "effort",
    "doing",
    "defining",
    "recording",
    "limiting",
    "maintaining",
    "informing",
    "nisc",
    "subcontract-assurance",
}
INCIDENT = "incident"
NOT_STATED = "記載なし"
UNAVAILABLE = "この版では掲載できません"


@dataclass
class Answer:
    """One assessment's answer to a question (for one file, when the question is asked per file)."""

    assessment: Assessment
    file: str  # 「(1) 住民基本台帳ファイル」 or ""
    value: str
    anchor: str
    detail: str = ""  # for 重大事故: その内容


@dataclass
class Question:
    """A self-assessed item as the form asks it, with every answer."""

    key: tuple[str, ...]
    form: str
    answers: list[Answer] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.key[-1]

    @property
    def context(self) -> str:
        return " › ".join(self.key[:-1])

    @property
    def path(self) -> str:
        """The question's page, named by its form and labels so the address stays as answers come and go."""
        name = "\x1f".join((self.form, *self.key))
        return urls.question(hashlib.sha1(name.encode("utf-8")).hexdigest()[:10])

    def organizations(self) -> list:
        """The organisations that answer, in site order."""
        return list({id(a.assessment.org): a.assessment.org for a in self.answers}.values())

    def by_value(self) -> list[tuple[str, list[Answer]]]:
        """The answers grouped by value, in the order of counts()."""
        return [(value, [a for a in self.answers if a.value == value]) for value, _ in self.counts()]

    def counts(self) -> list[tuple[str, int]]:
        out: dict[str, int] = {}
        for a in self.answers:
            out[a.value] = out.get(a.value, 0) + 1
        return sorted(out.items(), key=lambda kv: (kv[0] in (NOT_STATED, UNAVAILABLE), -kv[1], kv[0]))


@dataclass
class Comparison:
    """All questions in form order, and the assessments that report a 重大事故."""

    questions: list[Question]
    incidents: list[Answer]


def assessment_answers(assessment: Assessment, sections: list[Node]) -> list[tuple]:
    """Return (form, question key, file, value, anchor, incident detail or None) for each self-assessed item
    of an assessment's latest version, whose document `sections` are given."""
    out: list[tuple] = []
    form = assessment.latest.data["form"]
    for section in sections:
        _walk(section, [], "", assessment, form, out)
    return out


def merge_answers(per_assessment: list[tuple[Assessment, list[tuple]]]) -> Comparison:
    """Merge each assessment's answers (in site order) into questions in form order."""
    questions: dict[tuple, Question] = {}
    incidents: list[Answer] = []
    for assessment, answers in per_assessment:
        for form, key, file, value, anchor, detail in answers:
            question = questions.setdefault((form, key), Question(key, form))
            answer = Answer(assessment, file, value, anchor)
            question.answers.append(answer)
            if detail is not None:
                answer.detail = detail
                incidents.append(answer)
    return Comparison(list(questions.values()), incidents)


def _walk(node: Node, labels: list[str], file: str, assessment: Assessment, form: str, out: list[tuple]) -> None:
    path = node.path or ()
    is_file = len(path) == 3 and path[0] == "files" and node.kind == "section"
    if is_file:
        file = node.label
    elif node.label:
        labels = labels + [node.label]
    if node.kind == "item" and node.value_kind == "choice" and node.choice_set in SELF_ASSESSED:
        value = (
            node.value
            if node.value not in (None, "")
            else (UNAVAILABLE if node.unavailable is not None else NOT_STATED)
        )
        incident = node.choice_set == INCIDENT and value == "発生あり"
        out.append((form, tuple(labels), file, str(value), node.id, _incident_detail(node, assessment) if incident else None))
    for child in node.children:
        _walk(child, labels, file, assessment, form, out)


def _incident_detail(node: Node, assessment: Assessment) -> str:
    """Return the 「その内容」 written beside a 重大事故 answer, if the data has it."""
    parent = get_path(assessment.latest.data, (node.path or ())[:-1])
    if isinstance(parent, dict):
        for key in ("incident_content", "incident_detail", "content"):
            if parent.get(key):
                return str(parent[key])
    return ""
