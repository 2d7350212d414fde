//! `macro_rules!` macros of the checked crate, expanded where that is simple: the first arm
//! whose pattern is fragments (`$x:expr`, `$name:ident`, ..) separated by plain tokens, with
//! no repetition, and that matches the call's tokens, is substituted and parsed as an
//! expression or a block. A macro of the file itself comes first; one of another file of the
//! crate arrives as a summary (`facts::macro_defs`) when the file is checked again for having
//! met its name. Anything else is read as any other macro (`facts::macros`).

use std::collections::HashMap;

use proc_macro2::{Delimiter, Group, Span, TokenStream, TokenTree};
use syn::Item;

use crate::facts::macro_defs::rule_arms;
use crate::facts::summary::Summary;

/// The arms of a file's `macro_rules!` macros, by name. Kept as text: a file's context is
/// shared between threads, which token streams cannot be.
#[derive(Default)]
pub struct FileMacros {
    arms: HashMap<String, Vec<(String, String)>>,
}

impl FileMacros {
    /// Adds the `macro_rules!` of these items (inline modules included).
    pub fn add(&mut self, items: &[Item]) {
        for item in items {
            match item {
                Item::Macro(m) if m.mac.path.is_ident("macro_rules") => {
                    if let Some(name) = &m.ident {
                        let arms = rule_arms(m.mac.tokens.clone());
                        if !arms.is_empty() {
                            self.arms.insert(name.to_string(), arms);
                        }
                    }
                }
                Item::Mod(m) => {
                    if let Some((_, items)) = &m.content {
                        self.add(items);
                    }
                }
                _ => {}
            }
        }
    }

    pub fn join(&mut self, later: FileMacros) {
        self.arms.extend(later.arms);
    }

    pub fn is_empty(&self) -> bool {
        self.arms.is_empty()
    }

    /// The expansion of a call of a macro of the file or of its crate, where that is simple.
    /// `path`: the macro's path as the file's `use` declarations resolve it. `crate_macros`:
    /// the summaries of the macros of that name of the crate's other files. A bare name, or a
    /// path from `crate`/`self`/`super`, is the file's own macro if it has one, else the one
    /// its crate defines under that name (none where the crate's definitions differ); a path
    /// `first::..::name!` is a macro of the crate's files whose key starts with `first` (their
    /// module, or for a binary its own library's name).
    pub fn expand(
        &self,
        mac: &syn::Macro,
        path: &[String],
        crate_macros: &[&Summary],
    ) -> Option<syn::Expr> {
        let (name, prefix) = path.split_last()?;
        let in_scope =
            prefix.is_empty() || matches!(prefix[0].as_str(), "crate" | "self" | "super");
        let own = if in_scope { self.arms.get(name) } else { None };
        let crate_arms;
        let arms = match own {
            Some(arms) => arms,
            None => {
                let mut defs = crate_macros
                    .iter()
                    .filter(|s| in_scope || s.key.first() == prefix.first())
                    .filter_map(|s| s.macro_rules.as_ref());
                let first = defs.next()?;
                if defs.any(|other| other.rules != first.rules) {
                    return None;
                }
                crate_arms = first.arms();
                &crate_arms
            }
        };
        let call_site = mac.path.segments.first()?.ident.span();
        for (pattern, body) in arms {
            let pattern: TokenStream = pattern.parse().ok()?;
            let Some(bindings) = match_pattern(pattern, mac.tokens.clone()) else {
                continue;
            };
            let body: TokenStream = body.parse().ok()?;
            let expanded = substitute(body, &bindings, call_site);
            return parse_expansion(expanded);
        }
        None
    }
}

enum Element {
    /// `$name:fragment`.
    Fragment(String, String),
    /// A token the call must repeat as written.
    Token(String),
}

/// The fragments a call binds, if the arm's pattern is simple and matches.
fn match_pattern(pattern: TokenStream, input: TokenStream) -> Option<HashMap<String, TokenStream>> {
    let mut elements = Vec::new();
    let mut iter = pattern.into_iter().peekable();
    while let Some(tt) = iter.next() {
        match tt {
            TokenTree::Punct(p) if p.as_char() == '$' => match iter.next()? {
                TokenTree::Ident(name) => {
                    let colon = iter.next()?;
                    if !matches!(&colon, TokenTree::Punct(c) if c.as_char() == ':') {
                        return None;
                    }
                    let TokenTree::Ident(fragment) = iter.next()? else {
                        return None;
                    };
                    elements.push(Element::Fragment(name.to_string(), fragment.to_string()));
                }
                // `$( .. )*`: a repetition is not simple.
                _ => return None,
            },
            // Groups in the pattern would need matching inside them: not simple.
            TokenTree::Group(_) => return None,
            other => elements.push(Element::Token(other.to_string())),
        }
    }
    let input: Vec<TokenTree> = input.into_iter().collect();
    let mut at = 0;
    let mut bindings = HashMap::new();
    for (i, element) in elements.iter().enumerate() {
        match element {
            Element::Token(text) => {
                if input.get(at)?.to_string() != *text {
                    return None;
                }
                at += 1;
            }
            Element::Fragment(name, fragment) => {
                let single = matches!(fragment.as_str(), "ident" | "tt" | "literal" | "lifetime");
                // An `expr`, `ty`, `path` or `pat` never spans a `,` or `;` outside a group:
                // `try_lock!(x, else return)` is no match of `($lock:expr)`, and taking it for
                // one would expand the macro into itself until the depth limit.
                let separator = input[at..]
                    .iter()
                    .position(
                        |t| matches!(t, TokenTree::Punct(p) if matches!(p.as_char(), ',' | ';')),
                    )
                    .map_or(input.len(), |p| at + p);
                let end = if single {
                    at + 1
                } else {
                    let end = match elements.get(i + 1) {
                        Some(Element::Token(next)) => {
                            at + input[at..].iter().position(|t| t.to_string() == *next)?
                        }
                        Some(Element::Fragment(..)) => return None,
                        None => input.len(),
                    };
                    if end > separator {
                        return None;
                    }
                    end
                };
                if end <= at || end > input.len() {
                    return None;
                }
                let tokens: TokenStream = input[at..end].iter().cloned().collect();
                let tokens = if single {
                    tokens
                } else {
                    // An `expr` fragment stays one operand wherever it is substituted.
                    TokenStream::from(TokenTree::Group(Group::new(Delimiter::None, tokens)))
                };
                bindings.insert(name.clone(), tokens);
                at = end;
            }
        }
    }
    (at == input.len()).then_some(bindings)
}

/// The body with every `$name` replaced by what the call bound to it; the body's own tokens
/// are placed at the call.
fn substitute(
    body: TokenStream,
    bindings: &HashMap<String, TokenStream>,
    call_site: Span,
) -> TokenStream {
    let mut out = Vec::new();
    let mut iter = body.into_iter().peekable();
    while let Some(tt) = iter.next() {
        match tt {
            TokenTree::Punct(p) if p.as_char() == '$' => {
                if let Some(TokenTree::Ident(name)) = iter.peek() {
                    if let Some(bound) = bindings.get(&name.to_string()) {
                        out.extend(bound.clone());
                        iter.next();
                        continue;
                    }
                    if name == "crate" {
                        iter.next();
                        out.push(TokenTree::Ident(proc_macro2::Ident::new(
                            "crate", call_site,
                        )));
                        continue;
                    }
                }
                let mut p = p;
                p.set_span(call_site);
                out.push(TokenTree::Punct(p));
            }
            TokenTree::Group(g) => {
                let mut group =
                    Group::new(g.delimiter(), substitute(g.stream(), bindings, call_site));
                group.set_span(call_site);
                out.push(TokenTree::Group(group));
            }
            mut other => {
                other.set_span(call_site);
                out.push(other);
            }
        }
    }
    out.into_iter().collect()
}

/// An expansion as an expression, or as the statements of a block.
fn parse_expansion(tokens: TokenStream) -> Option<syn::Expr> {
    if let Ok(expr) = syn::parse2::<syn::Expr>(tokens.clone()) {
        return Some(expr);
    }
    let block = TokenStream::from(TokenTree::Group(Group::new(Delimiter::Brace, tokens)));
    syn::parse2::<syn::Block>(block).ok().map(|block| {
        syn::Expr::Block(syn::ExprBlock {
            attrs: Vec::new(),
            label: None,
            block,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn macros(code: &str) -> FileMacros {
        let file: syn::File = syn::parse_str(code).expect("parses");
        let mut out = FileMacros::default();
        out.add(&file.items);
        out
    }

    /// A call, with its path as written (no `use` to resolve).
    fn expand(m: &FileMacros, call: &str, crate_macros: &[&Summary]) -> Option<syn::Expr> {
        let call: syn::Macro = syn::parse_str(call).expect("a call");
        let path: Vec<String> = call
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        m.expand(&call, &path, crate_macros)
    }

    /// The summaries of another file's macros, placed at `module`.
    fn other_file(code: &str, module: &str) -> Vec<Summary> {
        let mut out = crate::facts::macro_defs::of_text(code.as_bytes());
        for s in &mut out {
            s.key = vec![module.to_string()];
        }
        out
    }

    #[test]
    fn a_simple_arm_is_substituted() {
        let m = macros(
            "macro_rules! ret { ($r:expr) => { match $r { Ok(v) => v, Err(_) => return } }; }",
        );
        let expr = expand(&m, "ret!(tx.lock())", &[]).expect("expands");
        assert!(matches!(expr, syn::Expr::Match(_)));
    }

    #[test]
    fn repetitions_are_not_simple() {
        let m = macros("macro_rules! all { ($($x:expr),*) => { $(drop($x);)* }; }");
        assert!(expand(&m, "all!(a, b)", &[]).is_none());
    }

    #[test]
    fn an_expr_fragment_does_not_swallow_a_comma() {
        let m = macros(
            "macro_rules! try_lock {\n    ($lock:expr) => { try_lock!($lock, else return) };\n    ($lock:expr, else $els:expr) => { match $lock { Ok(l) => l, Err(_) => $els } };\n}\n",
        );
        let expanded = expand(&m, "try_lock!(inner.read(), else return Err(gone()))", &[]);
        // The second arm: a `match`, not the first arm's call of the macro again.
        assert!(matches!(expanded, Some(syn::Expr::Match(_))));
    }

    #[test]
    fn the_first_matching_arm_wins() {
        let m = macros(
            "macro_rules! two { (one $a:expr) => { f($a) }; ($a:expr, $b:expr) => { g($a, $b) }; }",
        );
        let Some(syn::Expr::Call(c)) = expand(&m, "two!(x, y)", &[]) else {
            panic!("not expanded")
        };
        assert_eq!(c.args.len(), 2);
    }

    #[test]
    fn a_macro_of_another_file_is_expanded_by_name_or_crate_path() {
        let defs = other_file(
            "macro_rules! locked { ($m:expr) => { $m.lock().unwrap() } }",
            "macros",
        );
        let defs: Vec<&Summary> = defs.iter().collect();
        let own = FileMacros::default();
        for call in ["locked!(m)", "crate::locked!(m)", "macros::locked!(m)"] {
            assert!(
                matches!(expand(&own, call, &defs), Some(syn::Expr::MethodCall(_))),
                "{call}"
            );
        }
        assert!(expand(&own, "other::locked!(m)", &defs).is_none());
    }

    #[test]
    fn the_file_own_macro_wins_and_differing_crate_macros_expand_neither() {
        let a = other_file("macro_rules! m { ($x:expr) => { f($x) } }", "a");
        let b = other_file("macro_rules! m { ($x:expr) => { g($x) } }", "b");
        let both: Vec<&Summary> = a.iter().chain(&b).collect();
        assert!(expand(&FileMacros::default(), "m!(x)", &both).is_none());
        assert!(expand(&FileMacros::default(), "b::m!(x)", &both).is_some());
        let own = macros("macro_rules! m { ($x:expr) => { [$x] } }");
        assert!(matches!(
            expand(&own, "m!(x)", &both),
            Some(syn::Expr::Array(_))
        ));
    }
}
