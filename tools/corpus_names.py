"""Name pools for tools/corpus.py: organisations (with 全国地方公共団体コード), businesses, companies, departments.

The names are synthetic but shaped like real ones (北見市 / 北見市長 / 012084), so the pages, the
entity index and the prefecture pages of a generated corpus look like a national one.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

PREFECTURES = [
    ("北海道", "hokkaido"),
    ("青森県", "aomori"),
    ("岩手県", "iwate"),
    ("宮城県", "miyagi"),
    ("秋田県", "akita"),
    ("山形県", "yamagata"),
    ("福島県", "fukushima"),
    ("茨城県", "ibaraki"),
    ("栃木県", "tochigi"),
    ("群馬県", "gunma"),
    ("埼玉県", "saitama"),
    ("千葉県", "chiba"),
    ("東京都", "tokyo"),
    ("神奈川県", "kanagawa"),
    ("新潟県", "niigata"),
    ("富山県", "toyama"),
    ("石川県", "ishikawa"),
    ("福井県", "fukui"),
    ("山梨県", "yamanashi"),
    ("長野県", "nagano"),
    ("岐阜県", "gifu"),
    ("静岡県", "shizuoka"),
    ("愛知県", "aichi"),
    ("三重県", "mie"),
    ("滋賀県", "shiga"),
    ("京都府", "kyoto"),
    ("大阪府", "osaka"),
    ("兵庫県", "hyogo"),
    ("奈良県", "nara"),
    ("和歌山県", "wakayama"),
    ("鳥取県", "tottori"),
    ("島根県", "shimane"),
    ("岡山県", "okayama"),
    ("広島県", "hiroshima"),
    ("山口県", "yamaguchi"),
    ("徳島県", "tokushima"),
    ("香川県", "kagawa"),
    ("愛媛県", "ehime"),
    ("高知県", "kochi"),
    ("福岡県", "fukuoka"),
    ("佐賀県", "saga"),
    ("長崎県", "nagasaki"),
    ("熊本県", "kumamoto"),
    ("大分県", "oita"),
    ("宮崎県", "miyazaki"),
    ("鹿児島県", "kagoshima"),
    ("沖縄県", "okinawa"),
]

# (評価実施機関名, 団体名, slug) of national bodies; kind 国の行政機関, no code, no prefecture
NATIONAL = [
    ("厚生労働大臣", "厚生労働省", "mhlw"),
    ("総務大臣", "総務省", "soumu"),
    ("法務大臣", "法務省", "moj"),
    ("国税庁長官", "国税庁", "nta"),
    ("財務大臣", "財務省", "mof"),
    ("文部科学大臣", "文部科学省", "mext"),
    ("国土交通大臣", "国土交通省", "mlit"),
    ("内閣総理大臣", "内閣府", "cao"),
    ("外務大臣", "外務省", "mofa"),
    ("経済産業大臣", "経済産業省", "meti"),
    ("農林水産大臣", "農林水産省", "maff"),
    ("環境大臣", "環境省", "env"),
    ("防衛大臣", "防衛省", "mod"),
    ("警察庁長官", "警察庁", "npa"),
    ("金融庁長官", "金融庁", "fsa"),
    ("デジタル大臣", "デジタル庁", "digital"),
    ("こども家庭庁長官", "こども家庭庁", "cfa"),
    ("公安調査庁長官", "公安調査庁", "psia"),
    ("特許庁長官", "特許庁", "jpo"),
]

_HEAD = [
    ("北", "kita"),
    ("南", "minami"),
    ("東", "higashi"),
    ("西", "nishi"),
    ("上", "kami"),
    ("下", "shimo"),
    ("大", "o"),
    ("小", "ko"),
    ("新", "shin"),
    ("高", "taka"),
    ("中", "naka"),
    ("本", "moto"),
    ("長", "naga"),
    ("白", "shira"),
    ("黒", "kuro"),
    ("青", "ao"),
    ("赤", "aka"),
    ("松", "matsu"),
    ("桜", "sakura"),
    ("若", "waka"),
    ("富", "tomi"),
    ("宮", "miya"),
    ("石", "ishi"),
    ("岩", "iwa"),
    ("鶴", "tsuru"),
]
_TAIL = [
    ("山", "yama"),
    ("川", "kawa"),
    ("田", "ta"),
    ("野", "no"),
    ("沢", "sawa"),
    ("原", "hara"),
    ("島", "shima"),
    ("崎", "saki"),
    ("浜", "hama"),
    ("森", "mori"),
    ("岡", "oka"),
    ("井", "i"),
    ("津", "tsu"),
    ("坂", "saka"),
    ("瀬", "se"),
    ("谷", "tani"),
    ("見", "mi"),
    ("里", "sato"),
    ("戸", "to"),
    ("根", "ne"),
]
_KIND = [("市", "city", "2"), ("町", "town", "3"), ("村", "village", "3"), ("区", "ward", "1")]

# (事務の名称, slug): the procedures municipalities assess most often
BUSINESSES = [
    ("住民基本台帳事務", "juki"),
    ("住民基本台帳ネットワークに係る本人確認情報の管理及び提供等に関する事務", "juki-net"),
    ("個人住民税の賦課に関する事務", "juminzei"),
    ("固定資産税の賦課に関する事務", "koteishisanzei"),
    ("軽自動車税の賦課に関する事務", "keijidoshazei"),
    ("収納及び滞納整理に関する事務", "shuno"),
    ("国民健康保険に関する事務", "kokuho"),
    ("介護保険に関する事務", "kaigo"),
    ("後期高齢者医療に関する事務", "kouki"),
    ("国民年金に関する事務", "nenkin"),
    ("児童手当に関する事務", "jidoteate"),
    ("児童扶養手当に関する事務", "jidofuyo"),
    ("生活保護に関する事務", "seikatsuhogo"),
    ("障害者福祉に関する事務", "shogai"),
    ("予防接種に関する事務", "yobosesshu"),
    ("母子保健に関する事務", "boshihoken"),
    ("子ども・子育て支援に関する事務", "kosodate"),
    ("健康増進事業に関する事務", "kenko"),
    ("就学援助に関する事務", "shugaku"),
    ("公営住宅の管理に関する事務", "jutaku"),
    ("戸籍に関する事務", "koseki"),
    ("災害救助に関する事務", "saigai"),
    ("ひとり親家庭等医療費助成に関する事務", "hitorioya"),
    ("特別児童扶養手当に関する事務", "tokubetsujido"),
]

_COMPANY_BIG = [
    "日本電気株式会社",
    "富士通Japan株式会社",
    "株式会社日立システムズ",
    "株式会社TKC",
    "株式会社RKKCS",
    "株式会社両備システムズ",
    "株式会社ジーシーシー",
    "株式会社電算",
    "NTTデータ株式会社",
    "株式会社アイネス",
]
_COMPANY_A = ["北", "東", "中央", "日本", "総合", "地域", "共同", "第一", "新", "西", "南", "三", "大和", "協和"]
_COMPANY_B = ["情報", "電算", "システム", "データ", "計算", "ソフト", "ネット", "通信", "技研", "情報処理"]
_COMPANY_C = ["サービス", "センター", "開発", "工業", "ソリューションズ", "テクノ", "", "エンジニアリング"]
_BRANCHES = ["", "", "", " 本社", " 支店", " 営業所", " 事業所"]

_DEPARTMENTS = [
    "市民課",
    "住民課",
    "戸籍住民課",
    "市民生活課",
    "税務課",
    "課税課",
    "収納課",
    "保険年金課",
    "国保年金課",
    "介護保険課",
    "高齢福祉課",
    "子育て支援課",
    "こども家庭課",
    "福祉課",
    "社会福祉課",
    "障害福祉課",
    "健康推進課",
    "保健センター",
    "学校教育課",
    "住宅課",
    "情報政策課",
    "総務課",
    "防災課",
]
_DIVISIONS = [
    "市民部",
    "市民環境部",
    "総務部",
    "財務部",
    "福祉部",
    "保健福祉部",
    "健康福祉部",
    "こども未来部",
    "教育委員会事務局",
]


@dataclass
class Org:
    """A generated 評価実施機関 and the weight of its share of assessments."""

    slug: str
    organization: str
    name: str
    kind: str
    prefecture: str | None
    code: str | None
    weight: float


def code_with_check_digit(first5: str) -> str:
    """Append the 全国地方公共団体コード check digit to five digits."""
    total = sum(int(d) * w for d, w in zip(first5, (6, 5, 4, 3, 2), strict=True))
    return first5 + str((11 - total % 11) % 10)


def make_orgs(rng: random.Random, count: int) -> list[Org]:
    """Return `count` organisations: a few national bodies, some prefectures, mostly municipalities."""
    national = min(len(NATIONAL), max(1, round(count * 0.02))) if count >= 3 else 0
    prefs = min(47, max(1, round(count * 0.06))) if count >= 2 else 0
    munis = count - national - prefs
    orgs = [Org(slug, org, name, "国の行政機関", None, None, 4.0) for name, org, slug in rng.sample(NATIONAL, national)]
    for i in sorted(rng.sample(range(47), prefs)):
        pref, roman = PREFECTURES[i]
        orgs.append(
            Org(f"{roman}-pref", pref, f"{pref}知事", "都道府県", pref, code_with_check_digit(f"{i + 1:02d}000"), 3.0)
        )
    seen: set[str] = set()
    used_codes: set[str] = set()
    while munis > 0:
        (h, hr), (t, tr) = rng.choice(_HEAD), rng.choice(_TAIL)
        kind, kind_slug, code_head = rng.choices(_KIND, weights=(55, 35, 8, 2))[0]
        pref_i = rng.randrange(47)
        organization = f"{h}{t}{kind}"
        if organization in seen:  # the same name exists in several prefectures; keep the slug unique
            organization = f"{PREFECTURES[pref_i][0][:-1] if pref_i != 0 else '北海道'}{organization}"
            if organization in seen:
                continue
        seen.add(organization)
        code = ""
        while not code or code in used_codes:
            code = code_with_check_digit(f"{pref_i + 1:02d}{code_head}{rng.randrange(1, 100):02d}")
        used_codes.add(code)
        slug = f"{hr}{tr}-{kind_slug}-{code[:5]}"
        head = {"市": "市長", "町": "町長", "村": "村長", "区": "区長"}[kind]
        weight = rng.lognormvariate(0, 0.7) * (1.5 if kind == "市" else 1.0)
        orgs.append(Org(slug, organization, organization[:-1] + head, "市区町村", PREFECTURES[pref_i][0], code, weight))
        munis -= 1
    return orgs


def company_pool(rng: random.Random, size: int) -> list[str]:
    """Return `size` contractor names: the big vendors first (most used), then local firms."""
    pool = list(_COMPANY_BIG)
    while len(pool) < size:
        core = rng.choice(_COMPANY_A) + rng.choice(_COMPANY_B) + rng.choice(_COMPANY_C)
        name = f"株式会社{core}" if rng.random() < 0.6 else f"{core}株式会社"
        if name not in pool:
            pool.append(name)
    return pool


def company(rng: random.Random, pool: list[str]) -> str:
    """Pick a contractor, big vendors far more often, sometimes with a branch."""
    i = min(int(rng.paretovariate(1.2)) - 1, len(pool) - 1)
    return pool[i] + rng.choice(_BRANCHES)


def department(rng: random.Random, org_kind: str) -> tuple[str, str]:
    """Return a (部署, 所属長の役職名) pair."""
    dept = rng.choice(_DEPARTMENTS)
    if org_kind == "市区町村" and rng.random() < 0.5:
        return f"{rng.choice(_DIVISIONS)} {dept}", f"{dept}長"
    return dept, f"{dept}長"
