//! The demo's customers: Chinese names, Zhejiang addresses, customer classes in their real
//! proportions, valid ID numbers and meters, deterministic for a seed.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::model::customer::*;
use crate::model::ids::{resident_id_check_char, uscc_check_char};

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗", "郑", "梁",
    "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程",
    "苏", "魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金", "石", "廖", "贾", "夏", "韦", "方",
    "白", "邹", "孟", "熊", "秦", "邱", "江", "尹", "薛", "段", "雷", "侯", "龙", "史", "陶", "黎", "贺", "顾", "毛", "郝", "龚", "邵",
    "万", "钱", "严", "覃", "武", "戴", "莫", "孔", "汤", "单", "欧阳", "诸葛",
];
const GIVEN: &[&str] = &[
    "三", "伟", "芳", "娜", "秀", "英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "兰", "霞",
    "平", "刚", "桂", "华", "玉", "萍", "红", "玲", "芬", "燕", "彬", "鑫", "斌", "宇", "浩", "凯", "健", "俊", "帆", "帅", "旭", "宁",
    "龙", "林", "欢", "佳", "阳", "建", "国", "志", "海", "晓", "东", "雪", "梅", "琳", "婷", "慧", "丹", "文", "博", "辉", "亮", "春",
    "秋", "成", "荣", "德", "福", "祥", "瑞", "嘉", "欣", "怡", "思", "雨", "晨", "睿", "泽",
];
const DISTRICTS: &[(&str, &str, &str)] = &[
    ("杭州市", "西湖区", "330106"),
    ("杭州市", "上城区", "330102"),
    ("杭州市", "拱墅区", "330105"),
    ("杭州市", "滨江区", "330108"),
    ("杭州市", "萧山区", "330109"),
    ("杭州市", "余杭区", "330110"),
    ("宁波市", "海曙区", "330203"),
    ("宁波市", "鄞州区", "330212"),
    ("温州市", "鹿城区", "330302"),
    ("嘉兴市", "南湖区", "330402"),
    ("湖州市", "吴兴区", "330502"),
    ("绍兴市", "越城区", "330602"),
    ("金华市", "婺城区", "330702"),
    ("衢州市", "柯城区", "330802"),
    ("台州市", "椒江区", "331002"),
    ("丽水市", "莲都区", "331102"),
];
const STREETS: &[&str] = &[
    "文一路",
    "文二路",
    "天目山路",
    "解放路",
    "中山北路",
    "人民路",
    "建设路",
    "环城北路",
    "学院路",
    "教工路",
    "莫干山路",
    "古墩路",
    "延安路",
    "湖墅南路",
    "江南大道",
    "滨盛路",
    "钱江路",
    "秋涛路",
    "凤起路",
    "体育场路",
    "之江路",
    "留和路",
    "紫金港路",
    "余杭塘路",
];
const COMMUNITIES: &[&str] = &[
    "翠苑一区",
    "古荡新村",
    "和睦新村",
    "朝晖小区",
    "紫荆花园",
    "金色家园",
    "阳光花苑",
    "绿园小区",
    "桂花城",
    "嘉绿苑",
    "德加公寓",
    "蓝庭花园",
    "星洲花园",
    "南都花园",
    "三墩新苑",
    "西溪诚园",
    "东方郡",
    "锦绣江南",
    "碧水豪园",
    "望江家园",
];
const TOWNS: &[&str] = &["三墩镇", "双浦镇", "良渚街道", "瓶窑镇", "塘栖镇", "径山镇", "黄湖镇", "鸬鸟镇", "河桥镇", "湍口镇"];
const VILLAGES: &[&str] = &["周浦", "兰里", "灵山", "铜鉴湖", "大陆", "新联", "杨家", "王家桥", "上泗", "东风", "光明", "红旗"];
const FIRM_WORDS: &[&str] =
    &["恒达", "宏远", "金诚", "华丰", "新能", "永盛", "天成", "信诚", "汇通", "嘉禾", "鼎盛", "瑞丰", "中恒", "顺发"];
const TRADES: &[&str] =
    &["机械制造", "纺织", "食品", "电子科技", "化工", "建材", "物流", "商贸", "超市", "餐饮", "酒店管理", "印染", "塑料制品"];
const FARMS: &[&str] = &["水稻种植专业合作社", "茶叶专业合作社", "蔬菜基地", "家庭农场", "水产养殖场", "苗木专业合作社"];
const MANAGERS: &[&str] = &["周立群", "吴海燕", "孙建平", "郑晓峰", "冯丽娟"];
const TAGS: &[&str] = &["低保户", "独居老人", "充电桩", "光伏并网", "重要客户", "电采暖", "临时用电"];
const MOBILE_PREFIXES: &[&str] = &[
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155", "156", "157", "158", "159", "170",
    "176", "177", "180", "181", "182", "183", "185", "186", "187", "188", "189", "198", "199",
];
const USCC_ORG_CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// The demo generator: call [`Generator::customer`] with consecutive indexes.
pub struct Generator {
    rng: StdRng,
}

impl Generator {
    pub fn new(seed: u64) -> Self {
        Generator { rng: StdRng::seed_from_u64(seed) }
    }

    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[self.rng.gen_range(0..list.len())]
    }

    pub fn person_name(&mut self) -> String {
        let mut name = self.pick(SURNAMES).to_owned();
        let given = if self.rng.gen_bool(0.3) { 1 } else { 2 };
        for _ in 0..given {
            name.push_str(self.pick(GIVEN));
        }
        name
    }

    fn mobile(&mut self) -> String {
        format!("{}{:08}", self.pick(MOBILE_PREFIXES), self.rng.gen_range(0..100_000_000u32))
    }

    fn resident_id(&mut self, region: &str) -> String {
        let year = self.rng.gen_range(1940..=2004);
        let month = self.rng.gen_range(1..=12);
        let day = self.rng.gen_range(1..=28);
        let first17 = format!("{region}{year:04}{month:02}{day:02}{:03}", self.rng.gen_range(0..1000));
        format!("{first17}{}", resident_id_check_char(&first17) as char)
    }

    fn uscc(&mut self, region: &str) -> String {
        let org: String = (0..9).map(|_| USCC_ORG_CHARS[self.rng.gen_range(0..USCC_ORG_CHARS.len())] as char).collect();
        let first17 = format!("91{region}{org}");
        format!("{first17}{}", uscc_check_char(&first17))
    }

    /// The demo customer number `index` (0-based); its account is `33` followed by `index + 1`.
    pub fn customer(&mut self, index: u64) -> CustomerDraft {
        let (city, district, region) = DISTRICTS[self.rng.gen_range(0..DISTRICTS.len())];
        let roll: f64 = self.rng.r#gen();
        let class = match roll {
            r if r < 0.86 => CustomerClass::Residential,
            r if r < 0.945 => CustomerClass::GeneralCommercial,
            r if r < 0.955 => CustomerClass::LargeIndustrial,
            r if r < 0.985 => CustomerClass::Agricultural,
            _ => CustomerClass::NonResidentialLighting,
        };
        let rural = self.rng.gen_bool(0.3);
        let community = self.pick(COMMUNITIES);
        let address = if rural {
            format!(
                "浙江省{city}{district}{}{}村{}组{}号",
                self.pick(TOWNS),
                self.pick(VILLAGES),
                self.rng.gen_range(1..=12),
                self.rng.gen_range(1..=80)
            )
        } else {
            format!(
                "浙江省{city}{district}{}{}号{community}{}幢{}单元{}室",
                self.pick(STREETS),
                self.rng.gen_range(1..=500),
                self.rng.gen_range(1..=40),
                self.rng.gen_range(1..=4),
                self.rng.gen_range(1..=28) * 100 + self.rng.gen_range(1..=4)
            )
        };
        let supply_area = format!("{district}供电所/{}{}号台区", if rural { "农村" } else { community }, self.rng.gen_range(1..=9));
        let person = class == CustomerClass::Residential || (class == CustomerClass::Agricultural && self.rng.gen_bool(0.5));
        let name = match class {
            _ if person => self.person_name(),
            CustomerClass::Agricultural => format!("{district}{}{}", self.pick(VILLAGES), self.pick(FARMS)),
            _ => format!("{}{}{}有限公司", &city[..city.len() - 3], self.pick(FIRM_WORDS), self.pick(TRADES)),
        };
        let (id_kind, id_number) = if person { (IdKind::ResidentId, self.resident_id(region)) } else { (IdKind::Uscc, self.uscc(region)) };
        let (voltage, capacity_kva, tariff_code) = match class {
            CustomerClass::Residential => {
                (if self.rng.gen_bool(0.9) { Voltage::V220 } else { Voltage::V380 }, self.rng.gen_range(4..=16), "ZJ-RES-TIER")
            }
            CustomerClass::GeneralCommercial => {
                if self.rng.gen_bool(0.8) {
                    (Voltage::V380, self.rng.gen_range(20..=200), "ZJ-GC")
                } else {
                    (Voltage::Kv10, self.rng.gen_range(250..=1250), "ZJ-GC-TOU")
                }
            }
            CustomerClass::LargeIndustrial => {
                let voltage = [Voltage::Kv10, Voltage::Kv10, Voltage::Kv20, Voltage::Kv35, Voltage::Kv110][self.rng.gen_range(0..5)];
                (voltage, self.rng.gen_range(315..=20_000), "ZJ-LI-2P")
            }
            CustomerClass::Agricultural => (Voltage::V380, self.rng.gen_range(10..=100), "ZJ-AGR"),
            CustomerClass::NonResidentialLighting => (Voltage::V220, self.rng.gen_range(5..=50), "ZJ-NRL"),
        };
        let big_customer = class == CustomerClass::LargeIndustrial || capacity_kva >= 1000;
        let mut phones = vec![self.mobile()];
        if self.rng.gen_bool(0.1) {
            phones.push(format!("0571-{}", self.rng.gen_range(80_000_000..89_999_999)));
        }
        let meter_kind = match class {
            CustomerClass::LargeIndustrial => MeterKind::ThreePhaseCt,
            _ if voltage == Voltage::V220 => MeterKind::SinglePhase,
            _ if capacity_kva > 100 => MeterKind::ThreePhaseCt,
            _ => MeterKind::ThreePhase,
        };
        let multiplier = if meter_kind == MeterKind::ThreePhaseCt { [30, 50, 100, 200][self.rng.gen_range(0..4)] } else { 1 };
        let tags = if self.rng.gen_bool(0.05) { vec![self.pick(TAGS).to_owned()] } else { Vec::new() };
        CustomerDraft {
            account: format!("33{:08}", index + 1),
            name,
            class,
            id_kind,
            id_number,
            phones,
            address,
            supply_area,
            voltage,
            capacity_kva,
            tariff_code: tariff_code.to_owned(),
            payment_method: [
                PaymentMethod::Counter,
                PaymentMethod::Counter,
                PaymentMethod::BankDebit,
                PaymentMethod::Online,
                PaymentMethod::Prepaid,
            ][self.rng.gen_range(0..5)],
            credit_rating: match self.rng.gen_range(0..100) {
                0..80 => CreditRating::A,
                80..92 => CreditRating::B,
                92..98 => CreditRating::C,
                _ => CreditRating::D,
            },
            big_customer,
            account_manager: big_customer.then(|| self.pick(MANAGERS).to_owned()),
            tags,
            notes: String::new(),
            meters: vec![Meter { number: format!("33{:011}", index + 1), kind: meter_kind, multiplier }],
        }
    }
}
