//! Search keys derived from names and addresses: pinyin initials and full pinyin for names, and
//! the character-pair form the full-text index uses (so that two-character Chinese names and any
//! address fragment match).

use std::collections::HashMap;
use std::sync::LazyLock;

use pinyin::ToPinyin;

/// Surnames and their readings as surnames, from `assets/surnames.tsv` (the surnames of 《百家姓》
/// and others, read as 《现代汉语词典》 reads them as surnames; its header names the sources). The
/// pinyin crate gives a character's common reading (单 → dan, 曾 → ceng), which is wrong for a
/// surname in first position.
static SURNAMES: LazyLock<HashMap<&'static str, Vec<&'static str>>> = LazyLock::new(|| {
    include_str!("../../../../assets/surnames.tsv")
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let (surname, reading) = line.split_once('\t').expect("surnames.tsv: surname, tab, reading");
            (surname, reading.split(' ').collect())
        })
        .collect()
});

/// Full pinyin without tones, one syllable per Chinese character: 曾小明 → `zeng xiao ming`
/// joined without spaces. Latin letters and digits pass through lower-cased; other characters are
/// dropped. ü and v are written u (see [`keyboard_form`]).
pub fn full_pinyin(name: &str) -> String {
    keyboard_form(&syllables(name).concat())
}

/// Pinyin initials: 张三 → `zs`, 曾小明 → `zxm`, 欧阳修 → `oyx`.
pub fn initials(name: &str) -> String {
    keyboard_form(&syllables(name).iter().filter_map(|s| s.chars().next()).collect::<String>())
}

/// A key or a typed query as it is compared: ü, and v, which keyboards type for it (吕 lv), are
/// both u, so that 吕 is found by `lv` and by `lu`. Pinyin has no syllable with a v of its own,
/// so only a Latin v in a name is folded with it, on both sides alike.
pub fn keyboard_form(text: &str) -> String {
    text.chars().map(|c| if matches!(c, 'ü' | 'v') { 'u' } else { c }).collect()
}

/// The surname at the start of a name and its syllables: a compound surname (two characters)
/// before a single one.
fn surname(name: &str) -> Option<(usize, &'static [&'static str])> {
    let mut ends = name.char_indices().map(|(i, c)| i + c.len_utf8());
    let first = ends.next()?;
    if let Some(second) = ends.next()
        && let Some(reading) = SURNAMES.get(&name[..second])
    {
        return Some((second, reading));
    }
    SURNAMES.get(&name[..first]).map(|reading| (first, reading.as_slice()))
}

fn syllables(name: &str) -> Vec<String> {
    let (rest, mut out) = match surname(name) {
        Some((end, reading)) => (&name[end..], reading.iter().map(|s| (*s).to_owned()).collect()),
        None => (name, Vec::new()),
    };
    out.extend(rest.chars().filter_map(|c| match c.to_pinyin() {
        Some(p) => Some(p.plain().to_owned()),
        None => c.is_ascii_alphanumeric().then(|| c.to_ascii_lowercase().to_string()),
    }));
    out
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

    /// Readings from 《现代汉语词典》's entries for these surnames, by hand.
    #[test]
    fn surnames_are_read_as_surnames() {
        for (name, pinyin, initials_) in [
            ("欧阳修", "ouyangxiu", "oyx"),
            ("万俟卨", "moqixie", "mqx"),
            ("尉迟恭", "yuchigong", "ycg"),
            ("单于明", "chanyuming", "cym"),
            ("长孙无忌", "zhangsunwuji", "zswj"),
            ("澹台灭明", "tantaimieming", "ttmm"),
            ("尉明", "weiming", "wm"),
            ("区明", "ouming", "om"),
            ("繁明", "poming", "pm"),
            ("蕃明", "piming", "pm"),
            ("句明", "gouming", "gm"),
            ("盖明", "geming", "gm"),
            ("吕明", "luming", "lm"),
            ("闾丘明", "luqiuming", "lqm"),
            ("明单", "mingdan", "md"),
        ] {
            assert_eq!((full_pinyin(name).as_str(), initials(name).as_str()), (pinyin, initials_), "{name}");
        }
        assert_eq!(keyboard_form("lvxiaoming"), "luxiaoming");
    }

    #[test]
    fn every_table_line_reads_one_syllable_per_character() {
        for (surname, reading) in SURNAMES.iter() {
            assert_eq!(surname.chars().count(), reading.len(), "{surname}");
            assert!(reading.iter().all(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c == 'ü')), "{surname}");
        }
        assert!(SURNAMES.len() > 500);
    }
}
