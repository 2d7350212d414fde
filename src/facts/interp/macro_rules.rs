//! `macro_rules!` macros of the checked file, expanded where that is simple: the first arm
//! whose pattern is fragments (`$x:expr`, `$name:ident`, ..) separated by plain tokens, with
//! no repetition, and that matches the call's tokens, is substituted and parsed as an
//! expression or a block. Anything else is read as any other macro (`facts::macros`).

use std::collections::HashMap;

use proc_macro2::{Delimiter, Group, Span, TokenStream, TokenTree};
use syn::Item;

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

    /// The expansion of a call of one of the file's macros, where that is simple.
    pub fn expand(&self, mac: &syn::Macro) -> Option<syn::Expr> {
        let name = mac.path.get_ident()?.to_string();
        let arms = self.arms.get(&name)?;
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

/// `(pattern) => { body };` pairs of a `macro_rules!` body.
fn rule_arms(tokens: TokenStream) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut iter = tokens.into_iter().peekable();
    while let Some(tt) = iter.next() {
        let TokenTree::Group(pattern) = tt else {
            continue;
        };
        // `=>`
        let (Some(TokenTree::Punct(eq)), Some(TokenTree::Punct(gt))) = (iter.next(), iter.next())
        else {
            break;
        };
        if eq.as_char() != '=' || gt.as_char() != '>' {
            break;
        }
        let Some(TokenTree::Group(body)) = iter.next() else {
            break;
        };
        out.push((pattern.stream().to_string(), body.stream().to_string()));
        if matches!(iter.peek(), Some(TokenTree::Punct(p)) if p.as_char() == ';') {
            iter.next();
        }
    }
    out
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
                let end = if single {
                    at + 1
                } else {
                    match elements.get(i + 1) {
                        Some(Element::Token(next)) => {
                            at + input[at..].iter().position(|t| t.to_string() == *next)?
                        }
                        Some(Element::Fragment(..)) => return None,
                        None => input.len(),
                    }
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

    #[test]
    fn a_simple_arm_is_substituted() {
        let m = macros(
            "macro_rules! ret { ($r:expr) => { match $r { Ok(v) => v, Err(_) => return } }; }",
        );
        let call: syn::Macro = syn::parse_str("ret!(tx.lock())").expect("a call");
        let expr = m.expand(&call).expect("expands");
        assert!(matches!(expr, syn::Expr::Match(_)));
    }

    #[test]
    fn repetitions_are_not_simple() {
        let m = macros("macro_rules! all { ($($x:expr),*) => { $(drop($x);)* }; }");
        let call: syn::Macro = syn::parse_str("all!(a, b)").expect("a call");
        assert!(m.expand(&call).is_none());
    }

    #[test]
    fn the_first_matching_arm_wins() {
        let m = macros(
            "macro_rules! two { (one $a:expr) => { f($a) }; ($a:expr, $b:expr) => { g($a, $b) }; }",
        );
        let call: syn::Macro = syn::parse_str("two!(x, y)").expect("a call");
        let Some(syn::Expr::Call(c)) = m.expand(&call) else {
            panic!("not expanded")
        };
        assert_eq!(c.args.len(), 2);
    }
}
