//! What changed between two versions of a draft, word by word: the longest common subsequence of
//! their words, the rest marked deleted or inserted. Pure.

/// One run of words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// In both versions.
    Same(String),
    /// Only in the old one.
    Deleted(String),
    /// Only in the new one.
    Inserted(String),
}

/// Longest texts compared word by word; beyond, the whole text is shown replaced (the table is
/// quadratic).
const MAX_WORDS: usize = 1500;

/// The changes that turn `old` into `new`, adjacent words of one kind joined by single spaces.
pub fn words(old: &str, new: &str) -> Vec<Change> {
    let (a, b): (Vec<&str>, Vec<&str>) = (old.split_whitespace().collect(), new.split_whitespace().collect());
    if a.len() > MAX_WORDS || b.len() > MAX_WORDS {
        return [Change::Deleted(a.join(" ")), Change::Inserted(b.join(" "))]
            .into_iter()
            .filter(|c| !matches!(c, Change::Deleted(t) | Change::Inserted(t) if t.is_empty()))
            .collect();
    }
    // common[i][j]: length of the longest common subsequence of a[i..] and b[j..].
    let mut common = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            common[i][j] = if a[i] == b[j] { common[i + 1][j + 1] + 1 } else { common[i + 1][j].max(common[i][j + 1]) };
        }
    }
    let mut out: Vec<Change> = Vec::new();
    let mut push = |change: Change| {
        let joined = match (out.last_mut(), &change) {
            (Some(Change::Same(t)), Change::Same(w))
            | (Some(Change::Deleted(t)), Change::Deleted(w))
            | (Some(Change::Inserted(t)), Change::Inserted(w)) => {
                t.push(' ');
                t.push_str(w);
                true
            }
            _ => false,
        };
        if !joined {
            out.push(change);
        }
    };
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            push(Change::Same(a[i].to_owned()));
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || common[i][j + 1] >= common[i + 1][j]) {
            push(Change::Inserted(b[j].to_owned()));
            j += 1;
        } else {
            push(Change::Deleted(a[i].to_owned()));
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(t: &str) -> Change {
        Change::Same(t.into())
    }

    #[test]
    fn marks_the_words_that_changed_and_keeps_the_rest() {
        let changes = words("deploy two battalions to the border", "deploy one battalion to the northern border");
        assert_eq!(
            changes,
            [
                same("deploy"),
                Change::Inserted("one battalion".into()),
                Change::Deleted("two battalions".into()),
                same("to the"),
                Change::Inserted("northern".into()),
                same("border"),
            ]
        );
    }

    #[test]
    fn equal_texts_are_one_run_and_whitespace_does_not_count() {
        assert_eq!(words("a  b\nc", "a b c"), [same("a b c")]);
        assert_eq!(words("", "new text"), [Change::Inserted("new text".into())]);
        assert_eq!(words("old", ""), [Change::Deleted("old".into())]);
        assert!(words("", "").is_empty());
    }

    #[test]
    fn rebuilding_either_side_from_the_changes_gives_it_back() {
        let (old, new) = ("a b c d e f g", "a x c d y f g z");
        let changes = words(old, new);
        let side = |keep_deleted: bool| {
            changes
                .iter()
                .filter_map(|c| match c {
                    Change::Same(t) => Some(t.as_str()),
                    Change::Deleted(t) if keep_deleted => Some(t.as_str()),
                    Change::Inserted(t) if !keep_deleted => Some(t.as_str()),
                    _ => None,
                })
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert_eq!(side(true), old);
        assert_eq!(side(false), new);
    }
}
