//! Synthetic Chinese names. Place names are made from syllable pairs that are deliberately not
//! Liuyang's real township names, so that nobody mistakes a synthetic boundary for a real one.

use rand::Rng;

const PLACE_FIRST: &[&str] = &[
    "东", "西", "南", "北", "龙", "凤", "金", "银", "石", "青", "白", "清", "云", "松", "桃", "梅",
    "柳", "杉", "枫", "竹", "玉", "宝", "长", "永", "安", "平", "兴", "新", "福", "和", "泉", "黄",
    "红", "绿", "马", "鹤", "虎", "狮", "莲", "荷", "桂", "兰", "杨", "茶", "花", "高", "湘", "潭",
];
const PLACE_SECOND: &[&str] = &[
    "山", "岭", "溪", "江", "源", "坪", "桥", "田", "塘", "冲", "湾", "洲", "港", "坊", "湖", "峰",
    "林", "阳", "河", "岗", "垅", "坳", "庄", "铺", "坡", "洞", "家", "园",
];
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "任",
    "沈", "姚", "卢", "钟", "谭", "汪", "廖", "贺", "易", "欧阳", "邹", "熊", "龚", "汤", "黎",
    "文",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀", "霞", "平", "刚", "桂", "英", "华", "建", "国", "文", "红", "玲", "波", "辉", "斌",
    "志", "海", "德", "福", "春", "梅", "兰", "林", "云", "峰", "鹏", "宇", "浩", "凯", "婷", "雪",
];
const ROADS: &[&str] = &[
    "人民", "解放", "建设", "沿河", "金沙", "白沙", "北正", "劳动", "新民", "圭斋", "花园", "天马",
    "道吾", "牛石", "集里", "永安",
];

/// Unique place-name stems, in a seeded order.
pub struct PlaceNames {
    pool: Vec<String>,
}

impl PlaceNames {
    pub fn new(rng: &mut impl Rng) -> PlaceNames {
        let mut pool: Vec<String> = PLACE_FIRST
            .iter()
            .flat_map(|a| PLACE_SECOND.iter().map(move |b| format!("{a}{b}")))
            .collect();
        // Fisher–Yates with our own RNG: deterministic for a seed.
        for i in (1..pool.len()).rev() {
            let j = rng.random_range(0..=i);
            pool.swap(i, j);
        }
        PlaceNames { pool }
    }

    /// The next unused stem; after the pool of 1,344 runs out, stems repeat with a number.
    pub fn next(&mut self, counter: &mut usize) -> String {
        let i = *counter;
        *counter += 1;
        let base = &self.pool[i % self.pool.len()];
        if i < self.pool.len() {
            base.clone()
        } else {
            format!("{base}{}", i / self.pool.len() + 1)
        }
    }
}

pub fn person<R: Rng + ?Sized>(rng: &mut R) -> String {
    let surname = SURNAMES[rng.random_range(0..SURNAMES.len())];
    let first = GIVEN[rng.random_range(0..GIVEN.len())];
    if rng.random_bool(0.7) {
        let second = GIVEN[rng.random_range(0..GIVEN.len())];
        format!("{surname}{first}{second}")
    } else {
        format!("{surname}{first}")
    }
}

pub fn mobile<R: Rng + ?Sized>(rng: &mut R) -> String {
    const PREFIXES: &[&str] = &[
        "130", "133", "135", "136", "138", "139", "150", "151", "158", "173", "177", "180", "186",
        "189", "199",
    ];
    format!(
        "{}{:08}",
        PREFIXES[rng.random_range(0..PREFIXES.len())],
        rng.random_range(0..100_000_000u32)
    )
}

pub fn road<R: Rng + ?Sized>(rng: &mut R) -> &'static str {
    ROADS[rng.random_range(0..ROADS.len())]
}
