//! Search keys derived from names and addresses: pinyin initials and full pinyin for names, and
//! the character-pair form the full-text index uses (so that two-character Chinese names and any
//! address fragment match).

use pinyin::ToPinyin;

/// Surnames whose reading differs from the character's most common reading. The pinyin crate
/// gives the common one (曾 → ceng), which is wrong for a surname in first position.
const SURNAME_READINGS: &[(char, &str)] = &[
    ('曾', "zeng"),
    ('单', "shan"),
    ('解', "xie"),
    ('仇', "qiu"),
    ('朴', "piao"),
    ('查', "zha"),
    ('区', "ou"),
    ('乐', "yue"),
    ('覃', "qin"),
    ('盖', "ge"),
    ('缪', "miao"),
    ('翟', "zhai"),
    ('曲', "qu"),
    ('繁', "po"),
    ('秘', "bi"),
    ('员', "yun"),
    ('召', "shao"),
    ('种', "chong"),
    ('纪', "ji"),
    ('尉', "yu"),
    ('燕', "yan"),
    ('任', "ren"),
    ('沈', "shen"),
    ('贾', "jia"),
    ('柏', "bai"),
    ('藏', "zang"),
    ('长', "chang"),
    ('都', "du"),
    ('折', "she"),
    ('宓', "mi"),
];

/// Full pinyin without tones, one syllable per Chinese character: 曾小明 → `zeng xiao ming`
/// joined without spaces. Latin letters and digits pass through lower-cased; other characters are
/// dropped.
pub fn full_pinyin(name: &str) -> String {
    syllables(name).concat()
}

/// Pinyin initials: 张三 → `zs`, 曾小明 → `zxm`.
pub fn initials(name: &str) -> String {
    syllables(name).iter().filter_map(|s| s.chars().next()).collect()
}

fn syllables(name: &str) -> Vec<String> {
    name.chars()
        .enumerate()
        .filter_map(|(i, c)| {
            if i == 0
                && let Some((_, reading)) = SURNAME_READINGS.iter().find(|(s, _)| *s == c)
            {
                return Some((*reading).to_owned());
            }
            if let Some(p) = c.to_pinyin() {
                return Some(p.plain().to_owned());
            }
            c.is_ascii_alphanumeric().then(|| c.to_ascii_lowercase().to_string())
        })
        .collect()
}

/// Text for the full-text index: the overlapping pairs of letters and digits (`杭州市1号` →
/// `杭州 州市 市1 1号`). A fragment of two or more characters is then a phrase of its own pairs, and
/// each pair's posting list is short: one-character tokens would make every query walk the lists
/// of characters such as 省 or 王 that occur in a large part of all records. A one-character text
/// is indexed as itself.
pub fn text_tokens(text: &str) -> String {
    let chars: Vec<char> = text.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect();
    if chars.len() == 1 {
        return chars[0].to_string();
    }
    let mut out = String::with_capacity(text.len() * 2);
    for pair in chars.windows(2) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push(pair[0]);
        out.push(pair[1]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        assert_eq!(initials("张三"), "zs");
        assert_eq!(full_pinyin("张三"), "zhangsan");
        assert_eq!(initials("曾小明"), "zxm");
        assert_eq!(full_pinyin("单田芳"), "shantianfang");
        assert_eq!(initials("A座王五"), "azww");
        assert_eq!(text_tokens("杭州市1号-A"), "杭州 州市 市1 1号 号a");
        assert_eq!(text_tokens("王"), "王");
        assert_eq!(text_tokens("-"), "");
    }
}
