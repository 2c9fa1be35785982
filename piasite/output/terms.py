"""The site's own terms (words this site uses, not the organisations'), keyed by their glossary slugs.

Templates show them through the `site_term` macro in templates/_components.html: a link to the term's entry
in the glossary (content/glossary.yaml, /glossary/) when the glossary has it; otherwise the term followed by
the short plain explanation here (a content tree without a glossary, or a term the glossary lacks).
"""

from __future__ import annotations

SITE_TERMS: dict[str, str] = {
    "shinkyu-taishohyo": "評価書の「変更箇所」の各行の変更前と変更後を並べ、違う部分に印を付けたこのサイトの表",
    "han-no-hikaku": "公表された 2 つの版を、このサイトが項目ごとに機械的に比べた結果",
    "fukugen": "原本が手元にない過去の版を、後の版の変更箇所に書かれた「変更前の記載」を当てはめて作り直したもの",
    "kisai-no-aru-henko": "版の比較で見つかった変更が、評価書の変更箇所のどれかの行に書かれていること",
    "kisai-no-nai-henko": "版の比較で見つかった変更のうち、評価書の変更箇所のどの行にも書かれていないもの",
    "henko-no-nai-gyo": "変更箇所に書かれているのに、版の比較ではその項目に違いが見つからない行",
    "komoku-tokutei-fuka": "変更箇所の「項目」の書き方から、評価書のどの項目のことかをこのサイトが特定できなかった行",
    "jizen-jigo": "重要な変更として、変更の前に評価をやり直して提出したもの",
}
