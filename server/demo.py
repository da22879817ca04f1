"""The demo bank: 阳泉农商银行 as the 2023 article describes it, with a few days of activity.

`seed_demo(db)` fills an empty database: branches, the 21 grids, "1+N" teams, ~60 employees
(each with a shop link), the 3×3 product matrix plus the special and small-business products,
then a few days of visits, bookings and status changes played through the service layer in
time order, so that the per-day rollups come out exactly as live traffic would leave them.
"""
import heapq
import itertools
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import NamedTuple

from flask import current_app
from sqlmodel import Session, select

from server import demo_en as en
from server.bookings.service import book, change_status, rules
from server.bookings.slots import open_slots
from server.clock import TZ, local, to_utc
from server.db import begin_write
from server.models import (Booking, BookingCreate, Branch, Employee, Grid, Product, ShopLink,
                           StaffBookingCreate, Team, utcnow)
from server.shops.service import new_shop_code, record_visit
from server.staff.service import hash_password

SEED = 20230210  # the article's date: the same `now` always gives the same demo bank
DEMO_PASSWORD = "demo1234"
DEMO_ADMIN_NO = "YQ0001"
DEMO_MANAGER_NO = "YQ0002"
DEMO_STAFF_NO = "YQ0003"
DAYS_BACK = 4  # days of history before today
ROLE_LABELS = {"staff": "员工 staff", "grid_leader": "网格长 grid leader",
               "branch_manager": "支行长 manager", "admin": "管理员 admin"}

# --- organisation ---------------------------------------------------------------------------

# name, kind, address, phone
BRANCHES = [
    ("城区支行", "city", "阳泉市城区德胜东街56号", "0353-2021156"),
    ("南山路支行", "city", "阳泉市城区南山路中段118号", "0353-2036218"),
    ("桃北支行", "city", "阳泉市矿区桃北中街32号", "0353-2155032"),
    ("平定支行", "rural", "平定县冠山镇东大街21号", "0353-6021821"),
    ("盂县支行", "rural", "盂县秀水镇文化街9号", "0353-8052209"),
    ("荫营支行", "rural", "阳泉市郊区荫营镇荫营街66号", "0353-5061366"),
]

# The 21 grid service areas, each with the villages / communities its service board covers.
# grid (网格), branch, areas
GRIDS = [
    ("德胜网格", "城区支行", "德胜东街社区、德胜西街社区、东关社区、南庄社区、杨家庄社区"),
    ("上站网格", "城区支行", "上站社区、小阳泉社区、桥头社区、燕龛社区"),
    ("北大街网格", "城区支行", "北大街社区、三都社区、漾泉大道社区、城东社区"),
    ("南山路网格", "南山路支行", "南山路社区、林里社区、南山社区、东岭社区"),
    ("义井网格", "南山路支行", "义井村、白羊墅村、小河村、大阳泉村"),
    ("下站网格", "南山路支行", "下站社区、下站村、新华社区、西峪社区"),
    ("桃北网格", "桃北支行", "桃北东街社区、桃北中街社区、桃北西街社区、桃林沟社区"),
    ("赛鱼网格", "桃北支行", "赛鱼社区、沙坪社区、蔡洼社区、贵石沟社区"),
    ("平潭网格", "桃北支行", "平潭街社区、北坡社区、红岭社区、二矿社区"),
    ("冠山网格", "平定支行", "冠山村、上城村、下城村、西关村、宋家庄村"),
    ("娘子关网格", "平定支行", "娘子关村、河滩村、坡底村、新关村、磛石村"),
    ("巨城网格", "平定支行", "巨城村、西郊村、东回村、南庄村、许家庄村"),
    ("锁簧网格", "平定支行", "锁簧村、甘河村、理家庄村、石窑村"),
    ("秀水网格", "盂县支行", "东关村、西关村、北关村、南关村、秀水社区"),
    ("孙家庄网格", "盂县支行", "孙家庄村、乌玉村、上王村、梁家寨村"),
    ("路家村网格", "盂县支行", "路家村、上曹村、后沟村、北庄村"),
    ("西烟网格", "盂县支行", "西烟村、上庄村、兴道村、南娄村、仙人村"),
    ("荫营网格", "荫营支行", "荫营村、三郊村、辛兴村、南庄村"),
    ("河底网格", "荫营支行", "河底村、上章召村、下章召村、固庄村"),
    ("平坦网格", "荫营支行", "平坦村、官沟村、南天成村、北天成村"),
    ("西南舁网格", "荫营支行", "西南舁村、咀子上村、东村、赛鱼村"),
]

# Two "1+N" 尖刀队 per branch: a customer manager plus tellers and back-office helpers.
TEAM_NUMERALS = ("一", "二")

# The roster. Staff numbers follow this order: YQ0001, YQ0002, ...
# name, branch, grid, team (0 = none, 1/2 = the branch's 尖刀一队/二队), title, level, track, role, intro
EMPLOYEES = [
    ("郭建华", "城区支行", "德胜网格", 0, "总行零售业务部 系统管理员", "senior", "none", "admin",
     "负责“一人一店”平台，机关员工也有零售任务，贷款咨询同样欢迎找我。"),
    ("张晓峰", "城区支行", "德胜网格", 1, "支行长", "senior", "corporate", "branch_manager",
     "在城区做了十五年信贷，小微企业融资找我，一企一策。"),
    ("李娜", "城区支行", "德胜网格", 1, "微贷客户经理", "mid", "microloan", "staff",
     "专注个体工商户经营贷，手续简单、放款快，欢迎预约面谈。"),
    ("王磊", "城区支行", "北大街网格", 2, "公司客户经理", "senior", "corporate", "staff",
     "服务城区中小企业八年，税贷通、政采智贷都能帮您算清楚。"),
    ("赵婷", "城区支行", "上站网格", 2, "微贷客户经理", "junior", "microloan", "staff",
     "刚评上初级客户经理，消费贷、车位贷都熟，微信电话都能找到我。"),
    ("刘洋", "城区支行", "北大街网格", 0, "公司客户经理", "trainee", "corporate", "staff",
     "见习客户经理，跟着师傅跑企业，您的需求我第一时间办。"),
    ("陈静", "城区支行", "德胜网格", 1, "综合柜员", "junior", "none", "staff",
     "柜台办业务时顺便问问我，贷款流程我帮您理清楚。"),
    ("杨帆", "城区支行", "上站网格", 2, "柜员", "trainee", "none", "staff",
     "新入行的柜员，也是您的贷款联络人，预约后我帮您对接客户经理。"),
    ("孙丽", "城区支行", "北大街网格", 1, "大堂经理", "mid", "none", "staff",
     "来行办事不用干等，提前预约，我给您安排好。"),
    ("周强", "城区支行", "上站网格", 0, "授信审查专员", "mid", "none", "staff",
     "派驻城区的授信审查专员，材料怎么准备最省事，我给您讲明白。"),
    ("吴海燕", "南山路支行", "南山路网格", 1, "支行长", "senior", "microloan", "branch_manager",
     "南山路的商户和居民，贷款需求我们全程跟进，说到做到。"),
    ("郑浩", "南山路支行", "义井网格", 1, "微贷客户经理", "senior", "microloan", "staff",
     "暖商贷、烟商贷的老手，附近商户我基本都上门拜访过。"),
    ("冯雪", "南山路支行", "南山路网格", 2, "微贷客户经理", "mid", "microloan", "staff",
     "装修、买车、孩子上学要用钱，消费贷、亲情贷来找我。"),
    ("韩志刚", "南山路支行", "下站网格", 0, "公司客户经理", "mid", "corporate", "staff",
     "专做小微企业，助保贷、直保贷、创业担保贷都办过不少。"),
    ("曹敏", "南山路支行", "下站网格", 1, "微贷客户经理", "trainee", "microloan", "staff",
     "见习客户经理，腿勤嘴勤，您约时间我上门。"),
    ("许亮", "南山路支行", "义井网格", 2, "公司客户经理", "junior", "corporate", "staff",
     "科创贷、信保贷找我，帮科技型小企业把专利变成贷款。"),
    ("邓艳", "南山路支行", "南山路网格", 1, "综合柜员", "mid", "none", "staff",
     "在柜台十年了，老客户都认识我，办贷款我帮您跑腿。"),
    ("彭涛", "南山路支行", "义井网格", 2, "柜员", "junior", "none", "staff",
     "柜员兼贷款联络员，有疑问随时打我电话。"),
    ("蒋红", "南山路支行", "南山路网格", 0, "会计主管", "senior", "none", "staff",
     "会计主管，也是您身边的金融顾问，欢迎到网点坐坐。"),
    ("田野", "南山路支行", "下站网格", 2, "柜员", "trainee", "none", "staff",
     "刚入职的柜员，扫码预约后我一定及时回电。"),
    ("马俊", "桃北支行", "桃北网格", 1, "支行长", "senior", "corporate", "branch_manager",
     "桃北支行长，小微企业和个体户的贷款，我们当天响应。"),
    ("胡婷婷", "桃北支行", "桃北网格", 1, "微贷客户经理", "mid", "microloan", "staff",
     "桃北一带的商户我都熟，经营贷、暖商贷来找我。"),
    ("朱军", "桃北支行", "赛鱼网格", 2, "微贷客户经理", "senior", "microloan", "staff",
     "干了十二年微贷，抵押贷、保证贷都能给您出方案。"),
    ("林晓", "桃北支行", "平潭网格", 0, "公司客户经理", "mid", "corporate", "staff",
     "应收账款质押、政采智贷是我的强项，企业回款慢我来想办法。"),
    ("何佳", "桃北支行", "平潭网格", 2, "微贷客户经理", "junior", "microloan", "staff",
     "车位贷、消费贷办得快，下班后也能约。"),
    ("高鹏", "桃北支行", "赛鱼网格", 0, "公司客户经理", "trainee", "corporate", "staff",
     "见习公司客户经理，正在跑遍桃北、赛鱼的小微企业。"),
    ("罗芳", "桃北支行", "桃北网格", 1, "综合柜员", "junior", "none", "staff",
     "柜面上的事我最熟，贷款预约我帮您登记、帮您催。"),
    ("梁斌", "桃北支行", "赛鱼网格", 2, "柜员", "trainee", "none", "staff",
     "新柜员，赛鱼社区是我的网格，有事喊我一声。"),
    ("宋燕", "桃北支行", "平潭网格", 2, "大堂经理", "mid", "none", "staff",
     "大堂经理，老年朋友办业务我全程陪着。"),
    ("唐伟", "桃北支行", "桃北网格", 0, "授信审查专员", "senior", "none", "staff",
     "授信审查专员驻点桃北，审查贴身化，资料一次讲清不折腾。"),
    ("白建军", "平定支行", "冠山网格", 1, "支行长", "senior", "microloan", "branch_manager",
     "平定支行长，整村授信一村一村推进，农户贷款我们上门办。"),
    ("贾晓东", "平定支行", "娘子关网格", 1, "网格长·微贷客户经理", "senior", "microloan",
     "grid_leader", "扎根平定十年，专注农户小额贷款，随叫随到。"),
    ("任丽萍", "平定支行", "冠山网格", 2, "微贷客户经理", "mid", "microloan", "staff",
     "冠山镇的农户、商户贷款都找我，信用贷不用抵押。"),
    ("武晓军", "平定支行", "巨城网格", 1, "微贷客户经理", "junior", "microloan", "staff",
     "养殖、种植要周转，三农信用贷帮您解决。"),
    ("段志伟", "平定支行", "冠山网格", 0, "公司客户经理", "mid", "corporate", "staff",
     "服务平定的小微企业，创业担保贷、科创贷都能办。"),
    ("侯敏", "平定支行", "锁簧网格", 2, "微贷客户经理", "trainee", "microloan", "staff",
     "见习客户经理，锁簧镇是我的网格，打个电话我就到。"),
    ("薛红梅", "平定支行", "娘子关网格", 1, "驻村金融助理", "junior", "none", "staff",
     "驻村金融助理，每周二、周四在村委会，贷款咨询找我。"),
    ("常亮", "平定支行", "冠山网格", 2, "综合柜员", "mid", "none", "staff",
     "在平定柜台八年，街坊邻居办贷款，我帮着约客户经理。"),
    ("闫芳", "平定支行", "巨城网格", 0, "柜员", "junior", "none", "staff",
     "巨城人，给家乡人办业务，放心交给我。"),
    ("乔丽", "平定支行", "锁簧网格", 0, "柜员", "trainee", "none", "staff",
     "新来的柜员，预约后我第一时间回电话。"),
    ("赵永刚", "盂县支行", "秀水网格", 1, "支行长", "senior", "microloan", "branch_manager",
     "盂县支行长，村里的事就是我们的事，贷款需求件件有回音。"),
    ("李翠萍", "盂县支行", "孙家庄网格", 1, "网格长·微贷客户经理", "senior", "microloan",
     "grid_leader", "孙家庄网格长，每个村的服务公示牌上都有我的电话。"),
    ("王建平", "盂县支行", "路家村网格", 2, "微贷客户经理", "mid", "microloan", "staff",
     "跑了六年村，三农保证贷、抵押贷都熟，农忙时也能上门。"),
    ("刘晓燕", "盂县支行", "西烟网格", 1, "微贷客户经理", "junior", "microloan", "staff",
     "西烟镇的姑娘，给乡亲们办贷款，手续我帮您备齐。"),
    ("苗志强", "盂县支行", "秀水网格", 0, "公司客户经理", "senior", "corporate", "staff",
     "盂县的小微企业、村集体经济组织贷款，我来对接。"),
    ("郝佳", "盂县支行", "秀水网格", 2, "微贷客户经理", "trainee", "microloan", "staff",
     "见习客户经理，年轻跑得勤，您约我就来。"),
    ("温小燕", "盂县支行", "路家村网格", 2, "驻村金融助理", "junior", "none", "staff",
     "驻路家村的金融助理，政策、贷款、存款，问我就行。"),
    ("史建国", "盂县支行", "秀水网格", 1, "综合柜员", "senior", "none", "staff",
     "柜台干了二十年，老主顾多，贷款预约我也管。"),
    ("康丽", "盂县支行", "西烟网格", 0, "柜员", "junior", "none", "staff",
     "柜员兼网格员，西烟一带有需要随时联系。"),
    ("阎婷", "盂县支行", "孙家庄网格", 0, "柜员", "trainee", "none", "staff",
     "刚入行，认真负责，您的每个预约我都跟到底。"),
    ("牛宝平", "荫营支行", "荫营网格", 1, "支行长", "senior", "microloan", "branch_manager",
     "荫营支行长，郊区农户、商户的贷款，我们一起想办法。"),
    ("杜文斌", "荫营支行", "河底网格", 1, "微贷客户经理", "senior", "microloan", "staff",
     "河底镇跑了十年，谁家要贷款一个电话，当天上门。"),
    ("耿丽娜", "荫营支行", "荫营网格", 2, "微贷客户经理", "mid", "microloan", "staff",
     "荫营街上的商户贷款找我，暖商贷、烟商贷都办。"),
    ("申晓鹏", "荫营支行", "平坦网格", 1, "微贷客户经理", "junior", "microloan", "staff",
     "平坦镇的农户贷款我负责，种地养殖缺钱别犯愁。"),
    ("崔杰", "荫营支行", "荫营网格", 0, "公司客户经理", "junior", "corporate", "staff",
     "郊区的小微企业，税贷通、助保贷可以了解一下。"),
    ("吕佳", "荫营支行", "西南舁网格", 2, "微贷客户经理", "trainee", "microloan", "staff",
     "见习客户经理，西南舁乡的乡亲们有事尽管找我。"),
    ("尹红", "荫营支行", "平坦网格", 1, "驻村金融助理", "mid", "none", "staff",
     "驻村金融助理，每周到村里坐班，帮大家对接贷款。"),
    ("霍振华", "荫营支行", "荫营网格", 2, "综合柜员", "mid", "none", "staff",
     "综合柜员，来网点办事顺便把贷款问清楚。"),
    ("石慧", "荫营支行", "河底网格", 0, "柜员", "junior", "none", "staff",
     "河底网点柜员，乡里乡亲，有事您说话。"),
    ("贺敏", "荫营支行", "西南舁网格", 0, "大堂经理", "junior", "none", "staff",
     "大堂经理，预约好时间，到了网点直接找我。"),
]

# --- products -------------------------------------------------------------------------------

RETAIL_TRACKS = "microloan,none"
SMALLBIZ_TRACKS = "corporate,microloan"
ID_DOCS = "身份证、户口本、结婚证或单身证明"

PRODUCT_FIELDS = ("code", "name", "line", "method", "kind", "summary", "audience", "amount", "term",
                  "documents")
PRODUCTS = [
    ("consumer-credit", "消费信用贷", "consumer", "credit", "matrix",
     "凭个人信用即可申请，装修、购车、教育、旅游等消费都能用。", "有稳定收入的城乡居民",
     "最高30万元", "1-3年", f"{ID_DOCS}、收入证明、银行流水"),
    ("consumer-guarantee", "消费保证贷", "consumer", "guarantee", "matrix",
     "有保证人担保，额度更高，用于大额家庭消费。", "有消费需求、能提供保证人的个人",
     "最高50万元", "1-3年", f"{ID_DOCS}、收入证明、保证人身份证及收入证明"),
    ("consumer-mortgage", "消费抵押贷", "consumer", "mortgage", "matrix",
     "以住房抵押，额度高、利率低、期限长。", "有本地房产的个人", "最高300万元", "1-10年",
     f"{ID_DOCS}、房产证、收入证明、消费用途证明"),
    ("business-credit", "经营信用贷", "business", "credit", "matrix",
     "个体工商户、小微企业主凭经营流水和信用申请，随借随还。", "经营一年以上的个体工商户和小微企业主",
     "最高50万元", "1-3年", f"{ID_DOCS}、营业执照、经营流水、经营场所租赁合同"),
    ("business-guarantee", "经营保证贷", "business", "guarantee", "matrix",
     "保证人或担保公司担保，解决进货、扩店的资金周转。", "有经营实体、能提供保证的经营者",
     "最高100万元", "1-3年", f"{ID_DOCS}、营业执照、经营流水、保证人资料"),
    ("business-mortgage", "经营抵押贷", "business", "mortgage", "matrix",
     "以房产、商铺抵押，额度高，支持循环使用。", "有房产或商铺的经营者", "最高500万元", "1-5年",
     f"{ID_DOCS}、营业执照、房产证、经营流水"),
    ("agri-credit", "三农信用贷", "agri", "credit", "matrix",
     "整村授信，农户凭信用即可贷款，无需抵押担保，一次授信循环使用。", "已纳入整村授信的农户",
     "最高20万元", "1-3年", f"{ID_DOCS}、土地承包经营权证明（如有）"),
    ("agri-guarantee", "三农保证贷", "agri", "guarantee", "matrix",
     "种植、养殖、农产品加工周转，可由保证人或联保小组担保。", "种养殖户、家庭农场、农民专业合作社成员",
     "最高50万元", "1-3年", f"{ID_DOCS}、种养殖规模证明、保证人资料"),
    ("agri-mortgage", "三农抵押贷", "agri", "mortgage", "matrix",
     "以农房、土地经营权、农机具等抵押，支持规模化经营。", "家庭农场、种养大户、农业企业",
     "最高300万元", "1-5年", f"{ID_DOCS}、抵押物权属证明、经营情况说明"),
    ("nuanshang", "暖商贷", "business", "credit", "special",
     "晋享e付收单商户专属，凭收单流水线上申请，最快当天放款。", "使用晋享e付收款的商户",
     "最高30万元", "1年", f"{ID_DOCS}、营业执照、晋享e付收单记录"),
    ("kangyi-zhushang", "抗疫助商贷", "business", "credit", "special",
     "帮助受疫情影响的商户恢复经营，利率优惠、可延期还款。", "受疫情影响的个体工商户和小微企业主",
     "最高50万元", "1-2年", f"{ID_DOCS}、营业执照、经营流水"),
    ("chewei", "车位贷", "consumer", "mortgage", "special",
     "买车位首付之外的钱我们来出，以车位抵押。", "在本地购买产权车位的个人", "车位价款的70%",
     "1-10年", f"{ID_DOCS}、车位购买合同、首付款凭证"),
    ("qinqing", "亲情贷", "consumer", "guarantee", "special",
     "家人互为担保，子女上学、老人看病、成家立业都能用。", "有直系亲属愿意担保的个人",
     "最高20万元", "1-3年", f"{ID_DOCS}、亲属关系证明、担保亲属身份证"),
    ("yanshang", "烟商贷", "business", "credit", "special",
     "持烟草专卖零售许可证即可申请，按进货量核定额度。", "持证烟草零售商户", "最高30万元", "1年",
     f"{ID_DOCS}、烟草专卖零售许可证、进货记录"),
    ("shuidaitong", "税贷通", "corporate", "credit", "smallbiz",
     "按企业纳税记录核定额度，纳税信用好就能贷，无需抵押。", "纳税信用等级B级以上的小微企业",
     "最高300万元", "1年", "营业执照、法定代表人身份证、近两年纳税证明、财务报表"),
    ("kechuang", "科创贷", "corporate", "credit", "smallbiz",
     "支持科技型中小企业研发和成果转化，可用知识产权增信。", "科技型中小企业、高新技术企业",
     "最高1000万元", "1-3年", "营业执照、法定代表人身份证、高新技术企业证书、知识产权证书、财务报表"),
    ("xinbao", "信保贷", "corporate", "guarantee", "smallbiz",
     "政府风险补偿基金加保险保证，轻资产小微企业也能贷。", "纳入政府风险补偿名单的小微企业",
     "最高500万元", "1年", "营业执照、法定代表人身份证、财务报表、保证保险投保资料"),
    ("zhubao", "助保贷", "corporate", "guarantee", "smallbiz",
     "政府助保金池增信，企业缴纳少量助保金即可获得贷款。", "进入政府助保贷企业池的小微企业",
     "最高500万元", "1年", "营业执照、法定代表人身份证、财务报表、助保金缴纳凭证"),
    ("zhibao", "直保贷", "corporate", "guarantee", "smallbiz",
     "政府性融资担保公司直接担保，审批快、费率低。", "符合政府性融资担保条件的小微企业",
     "最高1000万元", "1-3年", "营业执照、法定代表人身份证、财务报表、担保公司担保意向书"),
    ("chuangye-danbao", "创业担保贷", "corporate", "guarantee", "smallbiz",
     "政府贴息的创业担保贷款，支持个人创业和小微企业吸纳就业。", "创业个人、吸纳就业的小微企业",
     "个人最高30万元，企业最高400万元", "1-3年", "身份证、营业执照、创业担保贷款申请表、就业人员名册"),
    ("zhengcai", "政采智贷", "corporate", "credit", "smallbiz",
     "凭政府采购中标合同线上申请，合同回款还款。", "中标政府采购项目的中小企业", "合同金额的70%",
     "1年", "营业执照、法定代表人身份证、政府采购中标通知书、采购合同"),
    ("receivables-pledge", "应收账款质押", "corporate", "", "smallbiz",
     "以核心企业的应收账款质押融资，盘活账上的钱。", "有稳定下游客户的小微企业",
     "应收账款的80%", "1年", "营业执照、法定代表人身份证、购销合同、应收账款确认书、发票"),
]

# --- activity -------------------------------------------------------------------------------

# Bookings a day per kind of employee (weekdays); visits are a few times that.
BOOKING_RATE = {"microloan": 1.3, "corporate": 0.5, "none": 0.35, "admin": 0.2}
DAY_FACTOR = {5: 0.6, 6: 0.3}  # Saturday, Sunday
CITY_CHANNELS = ["", "", "", "朋友圈", "微信群", "网点柜台", "社区活动", "商户走访"]
RURAL_CHANNELS = ["", "", "", "村口海报", "服务公示牌", "网点柜台", "赶集宣传", "微信群"]
SURNAMES = ("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋"
            "蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟"
            "龙万段钱汤尹黎易常武乔贺赖龚文")
GIVEN = ("建国 秀英 丽华 志强 海燕 桂兰 俊杰 晓燕 玉梅 红霞 建军 春花 文斌 国庆 小平 美玲 永刚 淑珍 "
         "卫东 丽娟 鹏飞 雪梅 宏伟 金凤 晓东 翠萍 振华 秀兰 爱国 彩霞 明亮 桂芳 志刚 美华 小军 玉兰 "
         "海波 晓丽 国强 艳 伟 敏 静 磊 洋 娟 涛 霞 刚 芳 勇 军 杰 鑫 强 燕 亮 婷").split()
NOTES = ["", "", "", "想了解一下能贷多少", "家里开小超市，想周转一下", "下午再打电话，上午在地里",
         "想问问利率", "准备装修房子", "进货用钱，比较急", "孩子上大学学费", "想买个车位",
         "合作社扩大养殖规模"]
RETURNING_NOTES = ["", "老客户了，续贷", "上次办得挺顺利，再问问别的产品"]


class Staff(NamedTuple):
    """What the simulation needs of an employee (plain values: ORM objects expire on commit)."""

    id: int
    branch_id: int
    track: str
    role: str


class Offer(NamedTuple):
    code: str
    line: str
    tracks: tuple[str, ...]


@dataclass
class World:
    """What the activity simulation needs to know, and what it has done so far."""

    rng: random.Random
    now: datetime
    staff: dict[int, Staff]
    links: dict[int, int]  # employee id -> id of their own shop link
    rural: dict[int, bool]  # branch id -> is rural
    offers: list[Offer]
    # phone -> (name, dedicated manager's id, busy until: no new booking before then)
    customers: dict[str, tuple[str, int, datetime]] = field(default_factory=dict)
    channel_links: dict[tuple[int, str], int] = field(default_factory=dict)  # (employee, channel) -> code id
    queue: list = field(default_factory=list)
    seq: itertools.count = field(default_factory=itertools.count)
    counts: dict[str, int] = field(
        default_factory=lambda: {"visits": 0, "bookings": 0, "status_changes": 0})

    def at(self, when: datetime, action, *args) -> None:
        """Schedule `action(db, world, when, *args)` at `when`, unless that is after `now`."""
        if when <= self.now:
            heapq.heappush(self.queue, (when, next(self.seq), action, args))

    def count(self, key: str) -> None:
        self.counts[key] += 1


# --- public entry points --------------------------------------------------------------------


def is_empty(db: Session) -> bool:
    """True when the bank has no branches, employees or products yet."""
    return all(db.exec(select(model.id).limit(1)).first() is None
               for model in (Branch, Employee, Product))


def seed_demo(db: Session, *, now: datetime | None = None, progress=None) -> dict:
    """Fill an empty database with the demo bank and a few days of activity up to `now` (UTC).

    Runs inside an app context: the booking service reads slot rules and the consent version
    from the app's config. `progress(message)` hears about each stage.
    """
    now = as_utc(now or utcnow())
    say = progress or (lambda message: None)
    if not is_empty(db):
        raise RuntimeError("seed_demo needs an empty database")
    counts = seed_org(db)
    say(f"org: {counts['branches']} branches, {counts['grids']} grids, {counts['teams']} teams")
    counts["employees"] = seed_employees(db)
    say(f"employees: {counts['employees']}, each with a shop link")
    counts["products"] = seed_products(db)
    say(f"products: {counts['products']}")
    counts.update(seed_activity(db, now=now))
    say(f"activity: {counts['visits']} visits, {counts['bookings']} bookings, "
        f"{counts['status_changes']} status changes")
    demo = logins(db)
    return {"counts": counts, "logins": demo, "shop_code": demo[0]["shop_code"]}


def as_utc(moment: datetime) -> datetime:
    """An aware UTC time; a naive one is taken to be UTC already."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


def logins(db: Session) -> list[dict]:
    """The accounts to try the demo with: a plain staff member, a branch manager, the admin."""
    rows = []
    for staff_no in (DEMO_STAFF_NO, DEMO_MANAGER_NO, DEMO_ADMIN_NO):
        e = db.exec(select(Employee).where(Employee.staff_no == staff_no)).one()
        code = db.exec(select(ShopLink.code).where(ShopLink.employee_id == e.id,
                                                   ShopLink.channel == "")).one()
        rows.append({"staff_no": staff_no, "password": DEMO_PASSWORD, "role": e.role,
                     "role_label": ROLE_LABELS[e.role], "name": e.name, "shop_code": code})
    return rows


# --- organisation, people, products ---------------------------------------------------------


def seed_org(db: Session) -> dict[str, int]:
    """Branches, their grids and their 尖刀队."""
    branches = [Branch(name=name, kind=kind, address=address, phone=phone, name_en=en.BRANCHES[name][0],
                       address_en=en.BRANCHES[name][1]) for name, kind, address, phone in BRANCHES]
    db.add_all(branches)
    db.flush()
    branch_id = {b.name: b.id for b in branches}
    grids = [Grid(name=name, branch_id=branch_id[branch], areas=areas, name_en=en.GRIDS.get(name, ""))
             for name, branch, areas in GRIDS]
    teams = [Team(name=team_name(branch, n), branch_id=b_id)
             for branch, b_id in branch_id.items() for n in (1, 2)]
    db.add_all([*grids, *teams])
    db.commit()
    return {"branches": len(branches), "grids": len(grids), "teams": len(teams)}


def team_name(branch: str, n: int) -> str:
    return f"{branch.removesuffix('支行')}尖刀{TEAM_NUMERALS[n - 1]}队"


def seed_employees(db: Session) -> int:
    """The roster, one shared scrypt hash for the demo password, and a shop link each."""
    password_hash = hash_password(DEMO_PASSWORD)
    branch_id = ids_by_name(db, Branch)
    grid_id = ids_by_name(db, Grid)
    team_id = ids_by_name(db, Team)
    employees = []
    for i, (name, branch, grid, team, title, level, track, role, intro) in enumerate(EMPLOYEES, 1):
        employees.append(Employee(
            staff_no=f"YQ{i:04d}", name=name, phone=work_phone(i), level=level, track=track,
            role=role, title=title, intro=intro, branch_id=branch_id[branch],
            title_en=en.TITLES.get(title, ""), intro_en=en.BIOS.get(name, ""),
            grid_id=grid_id[grid], team_id=team_id[team_name(branch, team)] if team else None,
            password_hash=password_hash))
    db.add_all(employees)
    db.flush()
    codes = set()
    while len(codes) < len(employees):
        codes.add(new_shop_code())
    db.add_all(ShopLink(code=code, employee_id=e.id, channel="")
               for code, e in zip(sorted(codes), employees))
    db.commit()
    return len(employees)


def ids_by_name(db: Session, model) -> dict[str, int]:
    return dict(db.exec(select(model.name, model.id)).all())


def work_phone(i: int) -> str:
    """A fake but well-formed mobile number: 13x/15x/18x, then 0353 (Yangquan), then the index."""
    return f"{('139', '135', '150', '187', '158')[i % 5]}0353{i:04d}"


def seed_products(db: Session) -> int:
    """The product shelf, in the order shops show it; small-business loans for corporate desks."""
    products = []
    for sort, row in enumerate(PRODUCTS, 1):
        fields = dict(zip(PRODUCT_FIELDS, row))
        tracks = SMALLBIZ_TRACKS if fields["kind"] == "smallbiz" else RETAIL_TRACKS
        products.append(Product(**fields, **en.product(fields["code"]), tracks=tracks, sort=sort * 10))
    db.add_all(products)
    db.commit()
    return len(products)


# --- activity: a few days of visits, bookings and status changes ----------------------------


def seed_activity(db: Session, *, now: datetime) -> dict[str, int]:
    """Play DAYS_BACK days and today (until `now`) of shop traffic through the services."""
    world = make_world(db, now)
    plan_days(world)
    while world.queue:
        when, _, action, args = heapq.heappop(world.queue)
        action(db, world, when, *args)
    return world.counts


def make_world(db: Session, now: datetime) -> World:
    employees = db.exec(select(Employee).order_by(Employee.id)).all()
    products = db.exec(select(Product).order_by(Product.sort)).all()
    links = db.exec(select(ShopLink.employee_id, ShopLink.id).where(ShopLink.channel == "")).all()
    return World(
        rng=random.Random(SEED), now=now,
        staff={e.id: Staff(e.id, e.branch_id, e.track, e.role) for e in employees},
        links=dict(links),
        rural={b.id: b.kind == "rural" for b in db.exec(select(Branch)).all()},
        offers=[Offer(p.code, p.line, tuple(p.tracks.split(","))) for p in products])


def plan_days(world: World) -> None:
    """Schedule each employee's shop arrivals (some book, most just look) day by day."""
    rng, today = world.rng, local(world.now).date()
    for back in range(DAYS_BACK, -1, -1):
        day = today - timedelta(days=back)
        factor = DAY_FACTOR.get(day.weekday(), 1.0)
        for e in world.staff.values():
            rate = BOOKING_RATE["admin" if e.role == "admin" else e.track] * factor
            bookings = int(rate) + (rng.random() < rate % 1)
            for _ in range(bookings):
                source = "staff" if rng.random() < 0.1 else "shop"
                world.at(time_on(rng, day), arrive, e.id, source)
            for _ in range(round(rate * 1.5) + rng.randint(0, 1)):
                world.at(time_on(rng, day), visit, e.id, channel_for(world, e))


def time_on(rng: random.Random, day) -> datetime:
    """A time on `day` (Asia/Shanghai) when people look at their phones, in UTC."""
    hour = rng.choices(range(7, 23), weights=[2, 4, 5, 5, 5, 4, 5, 4, 4, 4, 3, 4, 5, 5, 4, 2])[0]
    local_time = datetime(day.year, day.month, day.day, hour, rng.randrange(60), tzinfo=TZ)
    return to_utc(local_time)


def channel_for(world: World, e: Staff) -> str:
    return world.rng.choice(RURAL_CHANNELS if world.rural[e.branch_id] else CITY_CHANNELS)


def channel_link(db: Session, world: World, employee_id: int, channel: str) -> ShopLink:
    """The employee's code printed for `channel` (their own link for ""), made on first use:
    a visit or booking takes its channel from the code it came through, never from the page."""
    if not channel:
        return db.get(ShopLink, world.links[employee_id])
    key = (employee_id, channel)
    if key not in world.channel_links:
        link = ShopLink(code=new_shop_code(), employee_id=employee_id, channel=channel)
        begin_write(db)
        db.add(link)
        db.commit()
        world.channel_links[key] = link.id
    return db.get(ShopLink, world.channel_links[key])


def visit(db: Session, world: World, when: datetime, employee_id: int, channel: str) -> None:
    record_visit(db, link=channel_link(db, world, employee_id, channel), now=when)
    world.count("visits")


def arrive(db: Session, world: World, when: datetime, employee_id: int, source: str) -> None:
    """A customer reaches `employee_id`'s shop (or desk) and books; returning ones keep
    their dedicated manager."""
    rng, owner = world.rng, world.staff[employee_id]
    phone, name, manager = pick_customer(world, owner, when)
    channel = "" if source == "staff" else channel_for(world, owner)
    if source == "shop":
        visit(db, world, when - timedelta(minutes=rng.randint(1, 6)), employee_id, channel)
    slot = pick_slot(db, world, manager, when)
    note = rng.choice(RETURNING_NOTES if phone in world.customers else NOTES)
    fields = dict(name=name, phone=phone, product=pick_offer(world, manager).code, slot=slot,
                  callback=slot is None, note=note, consent=True,
                  consent_version=current_app.config["CONSENT_VERSION"])
    data = StaffBookingCreate(**fields, channel="walk-in") if source == "staff" else BookingCreate(**fields)
    link = channel_link(db, world, employee_id, channel)
    # Returning customers of the demo have proven their number (a one-time code) on their phone.
    booking = book(db, link=link, data=data, now=when, source=source, proven=phone in world.customers).booking
    world.count("bookings")
    busy_until = booking.slot_start or when + timedelta(days=1)
    world.customers[phone] = (name, booking.employee_id, busy_until)
    for at, status in outcome(rng, when, booking.slot_start):
        world.at(at, move, booking.id, status)


def pick_customer(world: World, owner: Staff, when: datetime) -> tuple[str, str, Staff]:
    """A returning customer of this shop (or of a same-track colleague's), else a new one."""
    rng = world.rng
    mine, colleagues = [], []
    for phone, (name, manager_id, busy_until) in world.customers.items():
        manager = world.staff[manager_id]
        same_desk = manager.branch_id == owner.branch_id and manager.track == owner.track
        if busy_until > when or not same_desk:
            continue
        (mine if manager_id == owner.id else colleagues).append((phone, name, manager))
    if mine and rng.random() < 0.2:
        return rng.choice(mine)
    if colleagues and rng.random() < 0.04:
        return rng.choice(colleagues)
    return new_phone(world), customer_name(rng), owner


def new_phone(world: World) -> str:
    """A clearly fake mobile number: 138-0000-xxxx, unused so far."""
    while True:
        phone = f"1380000{world.rng.randrange(10000):04d}"
        if phone not in world.customers:
            return phone


def customer_name(rng: random.Random) -> str:
    surname = rng.choice(SURNAMES)
    if rng.random() < 0.2:
        return surname + rng.choice(("先生", "女士"))
    return surname + rng.choice(GIVEN)


def pick_offer(world: World, manager: Staff) -> Offer:
    """Something the manager's track offers; rural customers mostly want 三农 loans."""
    offered = [p for p in world.offers if manager.track in p.tracks]
    rural = world.rural[manager.branch_id]
    weights = [(4 if rural else 0.5) if p.line == "agri" else 1 for p in offered]
    return world.rng.choices(offered, weights=weights)[0]


def pick_slot(db: Session, world: World, manager: Staff, when: datetime) -> datetime | None:
    """One of the manager's next open slots, or None for "call me back"."""
    if world.rng.random() < 0.15:
        return None
    days = open_slots(db, employee=db.get(Employee, manager.id), rules=rules(), now=when)[:5]
    if not days:
        return None
    day = world.rng.choices(days, weights=[8, 6, 3, 2, 2][:len(days)])[0]
    return world.rng.choice(day["slots"])["start"]


def outcome(rng: random.Random, created: datetime,
            slot: datetime | None) -> list[tuple[datetime, str]]:
    """What happens to a booking next, as (when, status) steps in time order; `World.at` drops
    the steps after `now`, so recent bookings are still new or contacted."""
    def minutes(low: int, high: int) -> timedelta:
        return timedelta(minutes=rng.randint(low, high))

    if slot is None:  # call me back: a call within hours, then maybe a visit the next day
        called = waking(rng, created + minutes(10, 240))
        r = rng.random()
        if r < 0.1:
            return [(called, "cancelled")]
        if r < 0.5:
            return [(called, "contacted")]
        came = called + timedelta(days=1) + minutes(0, 120)
        return [(called, "contacted"), (came, "arrived"), (came + minutes(20, 60), "completed")]
    lead = (slot - created) * rng.uniform(0, 0.6)  # managers call some time before the visit
    contacted = min(waking(rng, created + lead + minutes(5, 60)), slot - timedelta(minutes=5))
    came = slot + minutes(0, 15)  # an arrival is recorded from the appointment's start
    r = rng.random()
    if r < 0.55:
        return [(contacted, "contacted"), (came, "arrived"), (came + minutes(20, 60), "completed")]
    if r < 0.65:
        return [(came, "arrived"), (came + minutes(20, 60), "completed")]
    if r < 0.77:
        return [(contacted, "contacted"), (slot + minutes(45, 90), "no_show")]
    if r < 0.87:
        return [(created + (slot - created) * rng.random(), "cancelled")]
    if r < 0.95:
        return [(contacted, "contacted"), (came, "arrived")]  # still with the manager
    return [(contacted, "contacted")]


def waking(rng: random.Random, moment: datetime) -> datetime:
    """`moment`, or the next morning if it falls when nobody phones a customer (21:00-08:00)."""
    at = local(moment)
    if 8 <= at.hour < 21:
        return moment
    morning = (at if at.hour < 8 else at + timedelta(days=1)).replace(hour=8, minute=0)
    return (morning + timedelta(minutes=rng.randint(0, 90))).astimezone(timezone.utc)


def move(db: Session, world: World, when: datetime, booking_id: int, status: str) -> None:
    """A status change; most customers who booked through a shop check in with their code (a
    verified arrival), the rest, and walk-ins nobody confirmed, stay unverified (0 points)."""
    from server.checkin.service import verify

    booking = db.get(Booking, booking_id)
    actor = db.get(Employee, booking.employee_id)
    if status == "arrived" and booking.source == "shop" and booking_id % 8:
        verify(db, booking=booking, by="code", actor=actor, source="", now=when)
    else:
        change_status(db, booking=booking, actor=actor, status=status, now=when)
    world.count("status_changes")
