//! A byte-level walk over Rust code that sees brackets only where the lexer would: outside
//! comments, string literals (raw or not) and character literals.

use std::ops::ControlFlow;

/// Calls `visit(i)` for every bracket byte `code[i]` in code. `visit` says where to go on
/// (normally `i + 1`) or stops the walk with a value. An unterminated raw string ends the walk.
pub fn for_each_bracket<B>(
    code: &[u8],
    visit: impl FnMut(usize) -> ControlFlow<B, usize>,
) -> Option<B> {
    for_each_code_byte(
        code,
        |b| matches!(b, b'(' | b'[' | b'{' | b')' | b']' | b'}'),
        visit,
    )
}

/// Calls `visit(i)` for every byte `code[i]` in code (outside comments and literals) that
/// `wanted` picks, as `for_each_bracket` does for brackets. `wanted` never sees a byte that
/// may begin a comment or literal (`/`, `"`, `'`), nor the `r` of `r".."` or `r#name`.
pub fn for_each_code_byte<B>(
    code: &[u8],
    wanted: impl Fn(u8) -> bool,
    mut visit: impl FnMut(usize) -> ControlFlow<B, usize>,
) -> Option<B> {
    let mut i = 0;
    let n = code.len();
    while i < n {
        match code[i] {
            b'/' if code.get(i + 1) == Some(&b'/') => {
                i = memchr::memchr(b'\n', &code[i..]).map_or(n, |j| i + j);
            }
            b'/' if code.get(i + 1) == Some(&b'*') => {
                i = block_comment_end(code, i + 2);
                continue;
            }
            b'r' if matches!(code.get(i + 1), Some(b'"' | b'#')) && starts_raw_prefix(code, i) => {
                let hashes = code[i + 1..].iter().take_while(|&&b| b == b'#').count();
                if code.get(i + 1 + hashes) == Some(&b'"') {
                    match raw_string_end(code, i + 1) {
                        None => return None,
                        Some(end) => {
                            i = end;
                            continue;
                        }
                    }
                }
            }
            b'"' => {
                i += 1;
                while i < n && code[i] != b'"' {
                    i += if code[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'\'' => {
                // A character literal ('x', '\n', '\u{..}'), not a lifetime ('a).
                if code.get(i + 1) == Some(&b'\\') {
                    i = memchr::memchr(b'\'', &code[i + 2..]).map_or(n, |j| i + 2 + j);
                } else if let Some(len) = char_len(&code[i + 1..]) {
                    if code.get(i + 1 + len) == Some(&b'\'') {
                        i += 1 + len;
                    }
                }
            }
            b if wanted(b) => match visit(i) {
                ControlFlow::Break(found) => return Some(found),
                ControlFlow::Continue(next) => {
                    i = next;
                    continue;
                }
            },
            _ => {}
        }
        i += 1;
    }
    None
}

/// Calls `found(k)` for each of the sorted `offsets` at which an identifier starts in code
/// (outside comments and literals), in order, until it breaks.
pub fn offsets_in_code(
    code: &[u8],
    offsets: &[usize],
    mut found: impl FnMut(usize) -> ControlFlow<()>,
) {
    let mut next = 0;
    for_each_code_byte::<()>(
        code,
        |b| b.is_ascii_alphabetic() || b == b'_',
        |i| {
            while offsets.get(next).is_some_and(|&at| at < i) {
                next += 1;
            }
            if offsets.get(next) == Some(&i) {
                found(next)?;
                next += 1;
            }
            match offsets.get(next) {
                Some(_) => ControlFlow::Continue(i + 1),
                None => ControlFlow::Break(()),
            }
        },
    );
}

/// Whether the `r` at `i` begins a raw string's prefix: `r`, `br` or `cr` at the start of a
/// token (not the end of an identifier like `var`).
fn starts_raw_prefix(code: &[u8], i: usize) -> bool {
    let start = match i.checked_sub(1).map(|j| code[j]) {
        Some(b'b' | b'c') => i - 1,
        _ => i,
    };
    start == 0 || !is_ident_byte(code[start - 1])
}

pub fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// After `/*` (at `i`), the end of the comment; block comments nest.
pub fn block_comment_end(code: &[u8], mut i: usize) -> usize {
    let n = code.len();
    let mut nested = 1;
    while i < n && nested > 0 {
        if code[i] == b'/' && code.get(i + 1) == Some(&b'*') {
            nested += 1;
            i += 1;
        } else if code[i] == b'*' && code.get(i + 1) == Some(&b'/') {
            nested -= 1;
            i += 1;
        }
        i += 1;
    }
    i
}

/// After the `r` of `r"..."` or `r#"..."#` (at `i`; also `br`, `cr`), the end of the string; `None` if this is
/// not a raw string (a raw identifier `r#name`).
pub fn raw_string_end(code: &[u8], i: usize) -> Option<usize> {
    let n = code.len();
    let hashes = code[i..].iter().take_while(|&&b| b == b'#').count();
    if code.get(i + hashes) != Some(&b'"') {
        return None;
    }
    let mut j = i + hashes + 1;
    loop {
        let k = memchr::memchr(b'"', &code[j.min(n)..])?;
        j += k + 1;
        if code[j..]
            .iter()
            .take(hashes)
            .filter(|&&b| b == b'#')
            .count()
            == hashes
        {
            return Some(j + hashes);
        }
    }
}

/// The length in bytes of the UTF-8 character that starts `bytes`.
pub fn char_len(bytes: &[u8]) -> Option<usize> {
    let first = *bytes.first()?;
    Some(match first {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        _ => 4,
    })
}
