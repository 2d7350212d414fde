//! The byte scan: which files the analysis must read. A file whose code names no channel
//! constructor (nor a module a constructor lives in) cannot create a channel, so no rule can
//! report anything in it; the later rounds (`rounds`) read the files it skipped that another
//! file's findings depend on.
//!
//! "Names" means a whole identifier in code: `channel` in a comment, a string, `ChannelId` or
//! `self.channels` makes no channel, and most files that contain the word do so that way.

use std::ops::ControlFlow;

use crate::catalogue::Catalogue;

/// Whether the file's code names a constructor of the catalogue (built-in or configured), or a
/// module segment of a channel library (`mpsc`, `crossbeam_channel`): a file that imports a
/// channel's types passes too, so that what it does with a channel it is handed is known.
pub fn may_create_channel(bytes: &[u8], catalogue: &Catalogue) -> bool {
    let words = catalogue.gate_words();
    // One pass for every word at once (a file is read once per run, and most contain none).
    let mut offsets: Vec<usize> = words
        .finder
        .find_iter(bytes)
        .filter(|m| is_whole_identifier(bytes, m.start(), m.end()))
        .map(|m| m.start())
        .collect();
    if offsets.is_empty() {
        return false;
    }
    offsets.sort_unstable();
    offsets.dedup();
    any_in_code(bytes, &offsets)
}

/// The words of a catalogue (`Catalogue::constructor_words`), ready to be found in one pass.
#[derive(Clone, Debug)]
pub struct Words {
    finder: aho_corasick::AhoCorasick,
}

impl Words {
    /// Leftmost-longest, non-overlapping matches find every whole-identifier occurrence (and
    /// let the automaton skip ahead with its prefilter, which an overlapping search cannot):
    /// the words are identifiers, so a match that starts before a whole identifier would span
    /// the non-identifier byte before it, and a longer match at its start would span the one
    /// after it.
    pub fn of(catalogue: &Catalogue) -> Words {
        // A configured path whose last segment is not an identifier names nothing in code.
        let words: Vec<&str> = catalogue
            .constructor_words()
            .into_iter()
            .filter(|w| !w.is_empty() && w.bytes().all(crate::lex::is_ident_byte))
            .collect();
        Words {
            finder: aho_corasick::AhoCorasick::builder()
                .match_kind(aho_corasick::MatchKind::LeftmostLongest)
                .build(words)
                .expect("a few short words build an automaton"),
        }
    }
}

/// Whether `bytes[start..end]` is a whole identifier (not part of a longer one).
fn is_whole_identifier(bytes: &[u8], start: usize, end: usize) -> bool {
    let before = start.checked_sub(1).map(|j| bytes[j]);
    let after = bytes.get(end).copied();
    !before.is_some_and(crate::lex::is_ident_byte) && !after.is_some_and(crate::lex::is_ident_byte)
}

/// Whether one of the sorted `offsets` is in code, outside comments and literals.
fn any_in_code(bytes: &[u8], offsets: &[usize]) -> bool {
    let mut any = false;
    crate::lex::offsets_in_code(bytes, offsets, |_| {
        any = true;
        ControlFlow::Break(())
    });
    any
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::BUILTIN;

    fn passes(code: &str) -> bool {
        may_create_channel(code.as_bytes(), &BUILTIN)
    }

    #[test]
    fn a_constructor_call_in_code_passes() {
        assert!(passes(
            "fn main() { let (tx, rx) = std::sync::mpsc::channel::<u8>(); }"
        ));
        assert!(passes(
            "use crossbeam_channel::bounded as make;\nfn f() { make(1); }"
        ));
        assert!(passes(
            "use tokio::sync::mpsc;\nfn f(tx: mpsc::Sender<u8>) {}"
        ));
        assert!(passes("fn f() { let (a, b) = flume::unbounded::<u8>(); }"));
        assert!(passes(
            "use tokio::sync::watch::Sender;\nfn f() { let tx = Sender::new(0u8); }"
        ));
        assert!(passes(
            "fn f() { let (s, r) = async_broadcast::broadcast::<u8>(4); }"
        ));
    }

    #[test]
    fn the_word_in_comments_strings_and_longer_identifiers_does_not() {
        assert!(!passes("// a channel\nfn f() {}"));
        assert!(!passes("/* bounded /* nested */ channel */ fn f() {}"));
        assert!(!passes(
            "fn f() { let s = \"channel()\"; let r = r#\"bounded\"#; }"
        ));
        assert!(!passes(
            "struct ChannelId; fn f(x: u8) { let channel_id = x; let unboundedly = 1; }"
        ));
        assert!(!passes("/// let (tx, rx) = channel();\nfn f() {}"));
    }

    #[test]
    fn a_name_after_a_comment_that_mentions_it_still_passes() {
        assert!(passes(
            "// channel\nfn f() { let p = std::sync::mpsc::channel::<u8>(); }"
        ));
        assert!(passes("fn f() { let s = \"x\"; let p = channel::<u8>(); }"));
    }
}
