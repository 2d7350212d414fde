//! The receiver kind of every method of a file (`self`, `&self`, `&mut self`), read from its
//! text, so that a call to a method of another file or crate borrows its receiver when the
//! method does, instead of counting as a move.
//!
//! Read from the text of every file, parsed or not (as `mod` declarations are), so the index
//! does not depend on which files the byte scan lets through. The impl a method belongs to is
//! the nearest `impl` line above it.

/// One method: the type of its impl (last path segment), its name, and whether it takes
/// `self` by value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MethodSig {
    pub ty: Box<str>,
    pub name: Box<str>,
    pub takes_self: bool,
}

/// The methods of a file with a `self` receiver.
pub fn methods(text: &str) -> Vec<MethodSig> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut ty: Option<Box<str>> = None;
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let at = line_start;
        line_start += line.len();
        let trimmed = line.trim_start();
        if let Some(t) = impl_type(trimmed) {
            ty = Some(t.into());
            continue;
        }
        let Some(fn_at) = fn_keyword(trimmed) else {
            continue;
        };
        let Some(ty) = &ty else {
            continue;
        };
        let offset = at + (line.len() - trimmed.len()) + fn_at;
        if let Some((name, takes_self)) = signature(bytes, offset) {
            out.push(MethodSig {
                ty: ty.clone(),
                name: name.into(),
                takes_self,
            });
        }
    }
    out
}

/// The methods of the file at `path` with a `self` receiver; none when it cannot be read
/// (its error is reported by the pass that checks it).
pub fn of_file(path: &std::path::Path) -> Vec<MethodSig> {
    match std::fs::read(path) {
        Ok(bytes) if memchr::memmem::find(&bytes, b"self").is_some() => {
            methods(&String::from_utf8_lossy(&bytes))
        }
        _ => Vec::new(),
    }
}

/// Where `fn ` starts in a trimmed line that declares a function (after `pub`, `async`,
/// `const`, `unsafe`, `extern "C"`, `pub(crate)` ...).
fn fn_keyword(line: &str) -> Option<usize> {
    let mut rest = line;
    loop {
        if rest.starts_with("fn ") {
            return Some(line.len() - rest.len());
        }
        let word_end = rest.find([' ', '(']).unwrap_or(rest.len());
        let word = &rest[..word_end];
        match word {
            "pub" | "async" | "const" | "unsafe" | "extern" | "default" => {
                rest = rest[word_end..].trim_start();
                if rest.starts_with('(') {
                    rest = rest[rest.find(')')? + 1..].trim_start();
                }
                if rest.starts_with('"') {
                    rest = rest[1..].split_once('"')?.1.trim_start();
                }
            }
            _ => return None,
        }
    }
}

/// The type an `impl` line names: `impl<T> Foo<T> {`, `impl Trait for a::Foo {`.
fn impl_type(line: &str) -> Option<String> {
    let rest = line
        .strip_prefix("impl")
        .or_else(|| line.strip_prefix("unsafe impl"))?;
    if !rest.starts_with([' ', '<']) {
        return None;
    }
    let rest = skip_generics(rest.trim_start());
    let rest = match rest.find(" for ") {
        Some(i) => &rest[i + 5..],
        None => rest,
    };
    let head = rest
        .trim_start()
        .split(|c: char| c == '<' || c == '{' || c.is_whitespace())
        .next()?;
    let last = head.trim_start_matches('&').rsplit("::").next()?;
    (!last.is_empty() && last.chars().all(|c| c.is_alphanumeric() || c == '_'))
        .then(|| last.to_string())
}

/// A leading `<..>`, balanced.
fn skip_generics(s: &str) -> &str {
    if !s.starts_with('<') {
        return s;
    }
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        match c {
            '<' => depth += 1,
            '>' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return &s[i + 1..];
                }
            }
            _ => {}
        }
    }
    ""
}

/// From `fn name<..>(receiver ...`: the name and whether the receiver is by value; `None`
/// for a function without a `self` receiver. Generics and the receiver may span lines.
fn signature(bytes: &[u8], fn_at: usize) -> Option<(String, bool)> {
    let mut i = fn_at + 3;
    let start = i;
    while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
        i += 1;
    }
    let name = std::str::from_utf8(&bytes[start..i]).ok()?.to_string();
    if name.is_empty() {
        return None;
    }
    let mut depth = 0usize;
    // Generics, bounded in length.
    while i < bytes.len() && i < fn_at + 4096 {
        match bytes[i] {
            b'<' => depth += 1,
            b'>' => depth = depth.saturating_sub(1),
            b'(' if depth == 0 => break,
            _ => {}
        }
        i += 1;
    }
    if bytes.get(i) != Some(&b'(') {
        return None;
    }
    let rest = std::str::from_utf8(&bytes[i + 1..bytes.len().min(i + 200)]).unwrap_or_else(|e| {
        std::str::from_utf8(&bytes[i + 1..i + 1 + e.valid_up_to()]).unwrap_or("")
    });
    let rest = rest.trim_start();
    let by_ref = rest.starts_with('&');
    let rest = rest.trim_start_matches('&').trim_start();
    // A lifetime: `&'a self`.
    let rest = match rest.strip_prefix('\'') {
        Some(r) => r
            .trim_start_matches(|c: char| c.is_alphanumeric() || c == '_')
            .trim_start(),
        None => rest,
    };
    let rest = rest.strip_prefix("mut ").map_or(rest, str::trim_start);
    let after = rest.strip_prefix("self")?;
    if after.starts_with(|c: char| c.is_alphanumeric() || c == '_') {
        return None;
    }
    // `self: &Self` / `self: Arc<Self>`.
    let typed_ref = after
        .trim_start()
        .strip_prefix(':')
        .is_some_and(|t| t.trim_start().starts_with('&'));
    Some((name, !(by_ref || typed_ref)))
}

/// The names a text calls as methods (`.name(` or `.name::<`).
pub fn called_methods(bytes: &[u8]) -> std::collections::HashSet<&str> {
    let mut out = std::collections::HashSet::new();
    for dot in memchr::memchr_iter(b'.', bytes) {
        let start = dot + 1;
        let mut end = start;
        while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_') {
            end += 1;
        }
        if end == start || bytes[start].is_ascii_digit() {
            continue;
        }
        if matches!(bytes.get(end), Some(b'(') | Some(b':')) {
            if let Ok(name) = std::str::from_utf8(&bytes[start..end]) {
                out.insert(name);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_receiver_kinds_under_their_impl() {
        let text = "struct Host;\nimpl Host {\n    pub fn new() -> Self { Host }\n    pub fn register(&self, r: &Req) {}\n    pub fn send_request<R: Request>(\n        &mut self,\n        x: u8,\n    ) {}\n    fn finish(self) {}\n    pub(crate) async fn run(mut self) {}\n    fn shared(self: Arc<Self>) {}\n    fn lent(self: &Self) {}\n    fn life<'a>(&'a self) {}\n}\nimpl<T: Clone> fmt::Debug for crate::a::Wrap<T> {\n    fn fmt(&self, f: &mut Formatter) {}\n}\n";
        let got: Vec<(String, String, bool)> = methods(text)
            .into_iter()
            .map(|m| (m.ty.to_string(), m.name.to_string(), m.takes_self))
            .collect();
        let want = [
            ("Host", "register", false),
            ("Host", "send_request", false),
            ("Host", "finish", true),
            ("Host", "run", true),
            ("Host", "shared", true),
            ("Host", "lent", false),
            ("Host", "life", false),
            ("Wrap", "fmt", false),
        ];
        let want: Vec<(String, String, bool)> = want
            .iter()
            .map(|(t, n, s)| (t.to_string(), n.to_string(), *s))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn odd_text_does_not_panic() {
        for text in [
            "impl",
            "impl X {\nfn",
            "impl X {\nfn f<",
            "impl X {\nfn f(",
            "impl<<\n",
            "impl X {\n fn é(&self",
        ] {
            methods(text);
        }
    }
}
