"""The demo bank's English text: products, branches, grids, job titles and a few bios.

Kept beside server/demo.py (keyed by the Chinese name or the product code) so the Chinese
roster stays readable; anything without English here falls back to the Chinese in the shop.
"""

ID_DOCS = "ID card、household register、marriage certificate or proof of single status"

# branch -> (name_en, address_en)
BRANCHES = {
    "城区支行": ("Chengqu Branch", "56 Deshengdong Street, Chengqu District, Yangquan"),
    "南山路支行": ("Nanshan Road Branch", "118 Nanshan Road (middle section), Chengqu District, Yangquan"),
    "桃北支行": ("Taobei Branch", "32 Taobeizhong Street, Kuangqu District, Yangquan"),
    "平定支行": ("Pingding Branch", "21 Dongda Street, Guanshan Town, Pingding County"),
    "盂县支行": ("Yu County Branch", "9 Wenhua Street, Xiushui Town, Yu County"),
    "荫营支行": ("Yinying Branch", "66 Yinying Street, Yinying Town, Jiaoqu District, Yangquan"),
}

GRIDS = {
    "德胜网格": "Desheng grid", "上站网格": "Shangzhan grid", "北大街网格": "Beidajie grid",
    "南山路网格": "Nanshan Road grid", "义井网格": "Yijing grid", "下站网格": "Xiazhan grid",
    "桃北网格": "Taobei grid", "赛鱼网格": "Saiyu grid", "平潭网格": "Pingtan grid",
    "冠山网格": "Guanshan grid", "娘子关网格": "Niangziguan grid", "巨城网格": "Jucheng grid",
    "锁簧网格": "Suohuang grid", "秀水网格": "Xiushui grid", "孙家庄网格": "Sunjiazhuang grid",
    "路家村网格": "Lujiacun grid", "西烟网格": "Xiyan grid", "荫营网格": "Yinying grid",
    "河底网格": "Hedi grid", "平坦网格": "Pingtan (Jiaoqu) grid", "西南舁网格": "Xinanyu grid",
}

TITLES = {
    "总行零售业务部 系统管理员": "Retail Banking Dept., platform administrator", "支行长": "Branch manager",
    "微贷客户经理": "Micro-loan account manager", "公司客户经理": "Corporate account manager",
    "综合柜员": "Senior teller", "柜员": "Teller", "大堂经理": "Lobby manager",
    "授信审查专员": "Credit reviewer", "会计主管": "Chief accountant",
    "网格长·微贷客户经理": "Grid leader · micro-loan account manager", "驻村金融助理": "Village finance assistant",
}

# employee name -> bio
BIOS = {
    "张晓峰": "Fifteen years of lending in the city: small-business finance, one plan per firm.",
    "李娜": "I help shopkeepers with business loans: simple paperwork, quick decisions. Book a chat.",
    "王磊": "Eight years with the city's small firms; I can work out tax-credit and procurement loans with you.",
    "赵婷": "Newly rated junior manager; consumer and parking-space loans are my daily work.",
    "郑浩": "An old hand at merchant loans; I have visited most of the shops around here.",
    "冯雪": "Renovating, buying a car or paying school fees? Consumer and family loans, ask me.",
    "田野": "A new teller here: book through this page and I will call you back promptly.",
    "贾晓东": "Ten years in Pingding, helping farmers with small loans; I come when you call.",
    "李翠萍": "Grid leader of Sunjiazhuang: my number is on every village's service board.",
}

PRODUCTS = {
    "consumer-credit": ("Consumer credit loan", "On your personal credit alone: renovation, a car, education, travel.",
                        "Town and village residents with a steady income", "Up to ¥300,000", "1–3 years",
                        f"{ID_DOCS}、proof of income、bank statements"),
    "consumer-guarantee": ("Consumer guaranteed loan", "With a guarantor, for a larger household purchase.",
                           "People with a guarantor and a spending need", "Up to ¥500,000", "1–3 years",
                           f"{ID_DOCS}、proof of income、guarantor's ID and proof of income"),
    "consumer-mortgage": ("Consumer mortgage loan", "Secured on your home: a higher amount, lower rate, longer term.",
                          "People who own a home locally", "Up to ¥3 million", "1–10 years",
                          f"{ID_DOCS}、property certificate、proof of income、proof of purpose"),
    "business-credit": ("Business credit loan", "For sole traders and small-business owners, on turnover and credit; "
                        "borrow and repay as you go.", "Traders in business for a year or more", "Up to ¥500,000",
                        "1–3 years", f"{ID_DOCS}、business licence、business statements、lease of premises"),
    "business-guarantee": ("Business guaranteed loan", "Backed by a guarantor or a guarantee company: stock and expansion.",
                           "Traders who can offer a guarantee", "Up to ¥1 million", "1–3 years",
                           f"{ID_DOCS}、business licence、business statements、guarantor's documents"),
    "business-mortgage": ("Business mortgage loan", "Secured on a home or shop: a high, revolving amount.",
                          "Traders who own a home or a shop", "Up to ¥5 million", "1–5 years",
                          f"{ID_DOCS}、business licence、property certificate、business statements"),
    "agri-credit": ("Farm credit loan", "Whole-village credit: farmers borrow on their credit, no collateral, "
                    "one approval for repeated use.", "Farm households in a whole-village credit scheme",
                    "Up to ¥200,000", "1–3 years", f"{ID_DOCS}、land contract certificate (if any)"),
    "agri-guarantee": ("Farm guaranteed loan", "Working capital for crops, livestock and processing, with a "
                       "guarantor or a joint-liability group.", "Growers, breeders, family farms, co-op members",
                       "Up to ¥500,000", "1–3 years", f"{ID_DOCS}、proof of farm size、guarantor's documents"),
    "agri-mortgage": ("Farm mortgage loan", "Secured on a farmhouse, land-use rights or machinery, for larger farms.",
                      "Family farms, large growers, agricultural firms", "Up to ¥3 million", "1–5 years",
                      f"{ID_DOCS}、proof of ownership of the collateral、description of the farm"),
    "nuanshang": ("Warm Merchant Loan", "For merchants taking payments with Jinxiang e-Pay: apply online, "
                  "funds as soon as the same day.", "Merchants using Jinxiang e-Pay", "Up to ¥300,000", "1 year",
                  f"{ID_DOCS}、business licence、Jinxiang e-Pay records"),
    "kangyi-zhushang": ("Merchant Recovery Loan", "Helps merchants hit by the epidemic reopen: lower rates, "
                        "repayment can be deferred.", "Traders and small firms hit by the epidemic",
                        "Up to ¥500,000", "1–2 years", f"{ID_DOCS}、business licence、business statements"),
    "chewei": ("Parking Space Loan", "We lend what the down payment does not cover, secured on the space.",
               "People buying a titled parking space locally", "70% of the price", "1–10 years",
               f"{ID_DOCS}、purchase contract、proof of down payment"),
    "qinqing": ("Family Loan", "Family members guarantee each other: school, medical bills, starting a home.",
                "People with a close relative willing to guarantee", "Up to ¥200,000", "1–3 years",
                f"{ID_DOCS}、proof of relationship、guarantor's ID card"),
    "yanshang": ("Tobacco Retailer Loan", "With a tobacco retail licence; the amount follows your purchases.",
                 "Licensed tobacco retailers", "Up to ¥300,000", "1 year",
                 f"{ID_DOCS}、tobacco retail licence、purchase records"),
    "shuidaitong": ("Tax Credit Loan", "An amount set from the firm's tax record: good tax credit, no collateral.",
                    "Small firms with tax credit rating B or better", "Up to ¥3 million", "1 year",
                    "business licence、legal representative's ID、two years' tax certificates、financial statements"),
    "kechuang": ("Tech Innovation Loan", "For R&D and commercialisation at tech firms; intellectual property counts.",
                 "Tech-based SMEs and high-tech enterprises", "Up to ¥10 million", "1–3 years",
                 "business licence、legal representative's ID、high-tech certificate、IP certificates、financial statements"),
    "xinbao": ("Credit Insurance Loan", "A government risk fund plus guarantee insurance: for asset-light small firms.",
               "Small firms on the government risk-compensation list", "Up to ¥5 million", "1 year",
               "business licence、legal representative's ID、financial statements、insurance application"),
    "zhubao": ("Guarantee Pool Loan", "A government guarantee pool backs the loan for a small contribution.",
               "Small firms in the government guarantee pool", "Up to ¥5 million", "1 year",
               "business licence、legal representative's ID、financial statements、proof of contribution"),
    "zhibao": ("Direct Guarantee Loan", "Guaranteed directly by a government financing guarantor: fast, low fees.",
               "Small firms eligible for government guarantees", "Up to ¥10 million", "1–3 years",
               "business licence、legal representative's ID、financial statements、guarantor's letter of intent"),
    "chuangye-danbao": ("Start-up Guaranteed Loan", "Government-subsidised loans for founders and firms that hire.",
                        "Founders, small firms creating jobs", "Up to ¥300,000 (people), ¥4 million (firms)",
                        "1–3 years", "ID card、business licence、application form、list of employees"),
    "zhengcai": ("Public Procurement Loan", "Apply online with a government procurement contract; repaid from it.",
                 "SMEs that won a government procurement bid", "70% of the contract", "1 year",
                 "business licence、legal representative's ID、award notice、procurement contract"),
    "receivables-pledge": ("Receivables Pledge Loan", "Borrow against what a core customer owes you.",
                           "Small firms with steady buyers", "80% of the receivables", "1 year",
                           "business licence、legal representative's ID、sales contracts、receivables confirmation、invoices"),
}
PRODUCT_FIELDS = ("name_en", "summary_en", "audience_en", "amount_en", "term_en", "documents_en")


def product(code: str) -> dict:
    """A demo product's English columns (none if it has no English)."""
    return dict(zip(PRODUCT_FIELDS, PRODUCTS.get(code, ())))
