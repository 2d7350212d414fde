//! Macro calls, as `facts::macros` reads them: formatting and logging borrow their
//! arguments, `join!` waits for its futures, `select!` runs one arm, and any other macro's
//! arguments are evaluated as the expressions they parse as. A name passed bare to a macro
//! the analysis does not know may be moved by it; a method call on it inside is a method call.

use super::*;
use crate::facts::macros::{self, Reading};

impl<'a> Interp<'a> {
    pub(super) fn mac(&mut self, mac: &syn::Macro) -> Val {
        let name = macro_name(mac);
        let at = span_loc(
            mac.path
                .segments
                .first()
                .map_or(mac.bang_token.span, |s| s.ident.span()),
        )
        .to(span_loc(mac.delimiter.span().close()));
        if matches!(name.as_str(), "bail" | "ensure") {
            self.note_error_exit(at, None);
        }
        if let Some(expanded) = self.expand_macro_rules(mac) {
            return self.expr(&expanded);
        }
        if name == "vec" {
            if let Ok(args) =
                Punctuated::<Expr, Token![,]>::parse_terminated.parse2(mac.tokens.clone())
            {
                let mut val = Val::default();
                for arg in args.iter() {
                    val.absorb(self.stored(arg));
                }
                return val;
            }
        }
        match macros::read(mac) {
            Reading::Borrowing { args, panics } => {
                for arg in &args {
                    self.expr_borrowed(arg);
                }
                if panics {
                    self.env = None;
                }
                Val::default()
            }
            Reading::Join(args) => {
                for arg in &args {
                    let val = self.expr(arg);
                    self.wait_on_drains(&val.drains, at);
                    self.wait_on_drains(&val.drains_when_run, at);
                }
                Val::default()
            }
            Reading::Select(select) => self.select(&select),
            Reading::Exprs(args) => {
                self.note_open_macro(mac);
                // The macro may run its arguments here, later (`stream! { .. }`) or never:
                // they are read as a body that runs later, whose waits are not waits here.
                // What they move, or what is passed bare, the macro may keep: it counts as
                // moved, and the macro's value is not followed.
                self.frame_body(
                    at,
                    FrameKind::Deferred,
                    false,
                    |this| {
                        for arg in &args {
                            match ident_of(arg).and_then(|n| this.lookup(&n)) {
                                Some(idx) => {
                                    this.move_var(idx);
                                }
                                None => {
                                    this.expr(arg);
                                }
                            }
                        }
                        Val::default()
                    },
                    syntax::Captures::new,
                );
                Val::default()
            }
            Reading::Opaque => {
                self.note_open_macro(mac);
                // A macro the analysis cannot read may move any local it names.
                let mut names = HashSet::new();
                syntax::token_idents(&mac.tokens, &mut names);
                self.forget_names(&names);
                Val::default()
            }
        }
    }
}

impl Interp<'_> {
    /// A call of a `macro_rules!` of the file or of its crate, expanded where simple.
    fn expand_macro_rules(&self, mac: &syn::Macro) -> Option<Expr> {
        let summaries = &self.shared.summaries;
        if self.shared.macro_rules.is_empty() && !summaries.has_macros() {
            return None;
        }
        let resolved = self.imports.resolve(&mac.path);
        let path: Vec<String> = resolved.split("::").map(str::to_string).collect();
        let crate_macros = summaries.macros_named(&format!("{}!", path.last()?));
        self.shared.macro_rules.expand(mac, &path, crate_macros)
    }

    /// A macro the analysis could not expand nor read as a known one: another file of the
    /// crate may define it (`macro_rules!`), and the file is then checked again with it. Noted
    /// as `name!` (`first::name!` for a path that `use` resolution leads outside `crate`,
    /// `self` and `super`: a macro of the crate's module `first`, or of another crate), and
    /// as carrying channels when its tokens name a binding that holds one (a macro that names
    /// none cannot change what happens to a channel, unless its definition makes one).
    fn note_open_macro(&mut self, mac: &syn::Macro) {
        if self.facts.open_calls.is_none() {
            return;
        }
        let resolved = self.imports.resolve(&mac.path);
        let call = match resolved.split_once("::") {
            Some((first, _)) if !matches!(first, "crate" | "self" | "super") => {
                let name = resolved.rsplit("::").next().unwrap_or(&resolved);
                format!("{first}::{name}!")
            }
            _ => format!("{}!", resolved.rsplit("::").next().unwrap_or(&resolved)),
        };
        let tokens = &mac.tokens;
        let mut names = HashSet::new();
        syntax::token_idents(tokens, &mut names);
        let carried = self.env.as_ref().is_some_and(|env| {
            names
                .iter()
                .filter_map(|n| self.lookup(n))
                .any(|idx| !env.vars[idx].val.is_empty())
        });
        self.note_open_call(&call, carried);
    }
}
