//! How deep the parser and the analysis would recurse on a file, bounded before parsing by a
//! byte scan (comments, strings and character literals skipped; the token tree is not walked:
//! iterating a proc-macro2 group copies it).
//!
//! Brackets are not the only nesting. syn recurses once per prefix operator (`!!!!x`,
//! `&&&&x`, `|| || ||`, `return return`), per level of a type (`Vec<Vec<..>>`, `fn() -> fn()
//! -> ..`), and builds left-nested trees from chains (`a.b().c()..`, `1 + 1 + ..`, `x????`)
//! whose drop and visit recurse (also `if .. {} else if .. {}` and `{..} + {..}`). Each of these
//! is a run of tokens with no `;` or `,` and no `{ }` block that ends a statement or an item in
//! between, so the scan bounds the sum, over the enclosing brackets, of the length of such runs:
//! the `weight`. On the 256 MiB analysis stack of a debug build the
//! cheapest overflow measured is at a weight between 60,000 and 80,000 (`&&&&x` patterns,
//! `&&&&T` types); the heaviest file of the 13,494-file corpus weighs 4,135
//! (`cargo run --release --example nesting_weights -- PATH`).

use crate::lex::{block_comment_end, char_len, raw_string_end};

/// Bracket nesting the parser is trusted with.
pub const MAX_NESTING: usize = 1_000;
/// Weight (see the module comment) the parser is trusted with.
pub const MAX_WEIGHT: usize = 20_000;

#[derive(Debug, PartialEq, Eq)]
pub enum TooDeep {
    Brackets(usize),
    Chain(usize),
}

/// Token runs of the enclosing brackets; the outermost is the file. The innermost run is a
/// field of its own: it changes at every token, and this loop is the whole cost of the scan.
struct Runs {
    enclosing: Vec<usize>,
    current: usize,
    weight: usize,
    max_weight: usize,
}

impl Runs {
    #[inline]
    fn token(&mut self) {
        self.current += 1;
        self.weight += 1;
        self.max_weight = self.max_weight.max(self.weight);
    }

    #[inline]
    fn open(&mut self) {
        // The group is a token of the enclosing run, and a level of its own.
        self.token();
        self.enclosing.push(self.current);
        self.current = 0;
        self.weight += 1;
        self.max_weight = self.max_weight.max(self.weight);
    }

    #[inline]
    fn close(&mut self) {
        if let Some(outer) = self.enclosing.pop() {
            self.weight -= self.current + 1;
            self.current = outer;
        }
    }

    #[inline]
    fn end_run(&mut self) {
        self.weight -= self.current;
        self.current = 0;
    }

    #[inline]
    fn check(&self) -> Option<TooDeep> {
        let depth = self.enclosing.len();
        if depth > MAX_NESTING {
            Some(TooDeep::Brackets(depth))
        } else if self.weight > MAX_WEIGHT {
            Some(TooDeep::Chain(self.weight))
        } else {
            None
        }
    }
}

/// The first place where the nesting passes a limit, and its byte offset.
pub fn too_deep(code: &[u8]) -> Option<(TooDeep, usize)> {
    scan(code).err()
}

/// The largest weight of a file that passes both limits.
pub fn max_weight(code: &[u8]) -> Result<usize, (TooDeep, usize)> {
    scan(code)
}

fn scan(code: &[u8]) -> Result<usize, (TooDeep, usize)> {
    let mut runs = Runs {
        enclosing: Vec::new(),
        current: 0,
        weight: 0,
        max_weight: 0,
    };
    let n = code.len();
    let mut i = 0;
    // A `}` just closed a group: the run ends there unless the next token continues it.
    let mut after_block = false;
    while i < n {
        let start = i;
        let b = code[i];
        i += 1;
        if after_block && !matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'/') {
            after_block = false;
            if !continues_expression(code, start) {
                runs.end_run();
            }
        }
        match b {
            b' ' | b'\t' | b'\n' | b'\r' => continue,
            b'(' | b'[' | b'{' => runs.open(),
            b')' | b']' => runs.close(),
            b'}' => {
                runs.close();
                after_block = true;
            }
            b';' | b',' => runs.end_run(),
            b'/' if code.get(i) == Some(&b'/') => {
                i = memchr::memchr(b'\n', &code[i..]).map_or(n, |j| i + j);
                continue;
            }
            b'/' if code.get(i) == Some(&b'*') => {
                i = block_comment_end(code, i + 1);
                continue;
            }
            b'"' => {
                runs.token();
                i = string_end(code, i);
            }
            b'\'' => {
                runs.token();
                // A character literal ('x', '\n', '\u{..}'), not a lifetime ('a).
                if code.get(i) == Some(&b'\\') {
                    let rest = code.get(i + 2..).unwrap_or_default();
                    i = memchr::memchr(b'\'', rest).map_or(n, |j| i + 2 + j + 1);
                } else if let Some(len) = char_len(&code[i..]) {
                    if code.get(i + len) == Some(&b'\'') {
                        i += len + 1;
                    }
                }
            }
            _ if is_ident_byte(b) => {
                runs.token();
                i = ident_end(code, i);
                if matches!(&code[start..i], b"r" | b"br" | b"cr") {
                    i = raw_string_end(code, i).unwrap_or(i);
                }
            }
            _ => runs.token(),
        }
        if let Some(too_deep) = runs.check() {
            return Err((too_deep, start));
        }
    }
    Ok(runs.max_weight)
}

/// After the opening `"` (at `i`), the index past the closing one: escapes are the only bytes
/// besides the quote that matter, and memchr finds both faster than a byte loop.
fn string_end(code: &[u8], mut i: usize) -> usize {
    let n = code.len();
    while i < n {
        match memchr::memchr2(b'"', b'\\', &code[i..]) {
            None => return n + 1,
            Some(j) if code[i + j] == b'"' => return i + j + 1,
            Some(j) => i += j + 2,
        }
    }
    i + 1
}

/// Whether the token at `at`, right after a `}`, continues an expression (`{..} + x`,
/// `{..}.f()`, `} else if`) rather than starting a statement or an item. Operators that may
/// also start a statement (`*x = 1;`, `-1`, `|x| ..`) count as continuing: the run then ends
/// at the next `;` instead.
fn continues_expression(code: &[u8], at: usize) -> bool {
    let word = &code[at..ident_end(code, at)];
    matches!(
        code[at],
        b'.' | b'?'
            | b'+'
            | b'-'
            | b'*'
            | b'/'
            | b'%'
            | b'^'
            | b'&'
            | b'|'
            | b'<'
            | b'>'
            | b'='
            | b'!'
    ) || word == b"else"
        || word == b"as"
}

/// Identifier bytes (non-ASCII ones included: any of them continues an identifier here), as a
/// table: identifiers are half of the bytes of code, and one load per byte beats three tests.
const IDENT_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        table[b] = byte.is_ascii_alphanumeric() || byte == b'_' || byte >= 0x80;
        b += 1;
    }
    table
};

fn is_ident_byte(b: u8) -> bool {
    IDENT_BYTES[b as usize]
}

fn ident_end(code: &[u8], i: usize) -> usize {
    code[i..]
        .iter()
        .position(|&b| !is_ident_byte(b))
        .map_or(code.len(), |j| i + j)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_items_and_lists_do_not_add_up() {
        let item = "fn f(a: u8, b: u8) -> u8 { let c = a + b * 2; if c > 3 { c } else { a } }\n";
        let list = format!("const L: [u8; 30000] = [{}];\n", "1 + 1, ".repeat(30_000));
        let code = format!("{}{list}", item.repeat(10_000));
        let weight = max_weight(code.as_bytes()).unwrap();
        assert!(weight < 30, "{weight}");
    }

    #[test]
    fn operator_and_call_chains_are_refused_where_they_pass_the_limit() {
        for (prefix, unit) in [("let x = ", "!"), ("let x = a", ".b()"), ("type T = ", "&")] {
            let code = format!("fn main() {{ {prefix}{} }}", unit.repeat(MAX_WEIGHT));
            let Some((TooDeep::Chain(weight), offset)) = too_deep(code.as_bytes()) else {
                panic!("{unit} accepted");
            };
            assert!(
                (MAX_WEIGHT + 1..=MAX_WEIGHT + 2).contains(&weight),
                "{weight}"
            );
            assert!(offset < code.len(), "{unit}");
        }
    }

    #[test]
    fn blocks_that_continue_an_expression_do_not_end_the_run() {
        for (prefix, unit) in [
            ("if a {} ", "else if a {} "),
            ("let x = ", "{1} + "),
            ("let x = S {}", ".a(|| {}) /* c */ .b()"),
        ] {
            let code = format!("fn main() {{ {prefix}{} }}", unit.repeat(MAX_WEIGHT));
            assert!(
                matches!(too_deep(code.as_bytes()), Some((TooDeep::Chain(_), _))),
                "{unit}"
            );
        }
    }

    #[test]
    fn a_chain_under_the_limit_is_accepted() {
        let code = format!(
            "fn main() {{ let x = 1{}; }}",
            " + 1".repeat(MAX_WEIGHT / 3)
        );
        assert!(too_deep(code.as_bytes()).is_none());
    }

    #[test]
    fn literals_are_one_token_whatever_they_contain() {
        let code = |inside: &str| {
            format!("fn f() {{ g(\"{inside}\", br#\"{inside}\\\"#, '\\'', '\"', 'é', '(') }}")
        };
        let many = "+(".repeat(MAX_WEIGHT * 2);
        let weight = max_weight(code(&many).as_bytes()).unwrap();
        assert_eq!(weight, max_weight(code("").as_bytes()).unwrap());
        assert!(weight < 20, "{weight}");
    }

    #[test]
    fn brackets_past_the_nesting_limit_are_refused() {
        let code = format!(
            "{}{}",
            "(".repeat(MAX_NESTING + 1),
            ")".repeat(MAX_NESTING + 1)
        );
        assert_eq!(
            too_deep(code.as_bytes()),
            Some((TooDeep::Brackets(MAX_NESTING + 1), MAX_NESTING))
        );
    }
}
