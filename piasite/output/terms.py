"""The site's own terms (words this site uses, not the organisations'), each with a short plain explanation.

Templates show them through the `site_term` macro in templates/_components.html. When the glossary page
(/glossary/) exists, that macro links each term to its entry there, keyed by the same slug.
"""

from __future__ import annotations

SITE_TERMS: dict[str, str] = {
    "changes-table": "評価書の「変更箇所」の各行の変更前と変更後を並べ、違う部分に印を付けたこのサイトの表",
    "version-diff": "公表された 2 つの版を、項目ごとに機械的に比べた結果",
    "reconstructed": "原本が手元にない過去の版を、後の版の変更箇所に書かれた「変更前の記載」を当てはめて作り直したもの",
    "declared": "版の比較で見つかった変更が、評価書の変更箇所のどれかの行に書かれていること",
    "undeclared": "版の比較で見つかった変更のうち、評価書の変更箇所のどの行にも書かれていないもの",
    "unmatched-row": "変更箇所に書かれているのに、版の比較ではその項目に違いが見つからない行",
    "unresolved-row": "変更箇所の「項目」の書き方から、評価書のどの項目のことかをこのサイトが特定できなかった行",
    "prior": "提出時期が「事前」の行。重要な変更として、変更の前に評価を行い提出したもの",
}
