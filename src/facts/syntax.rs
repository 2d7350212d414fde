//! Questions answered from syntax alone: does a loop body leave the loop, which names does a
//! closure mention, what is the base binding of a place expression.

use proc_macro2::{TokenStream, TokenTree};
use std::collections::HashSet;
use syn::visit::{self, Visit};
use syn::{Expr, Macro};

/// Strips parentheses, groups and references: `&mut (rx)` is `rx`.
pub fn strip(mut expr: &Expr) -> &Expr {
    loop {
        expr = match expr {
            Expr::Paren(e) => &e.expr,
            Expr::Group(e) => &e.expr,
            Expr::Reference(e) => &e.expr,
            _ => return expr,
        }
    }
}

/// The single identifier of a path expression (`tx`), if it is one.
pub fn ident_of(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Path(p) if p.qself.is_none() => p.path.get_ident().map(|i| i.to_string()),
        Expr::Paren(e) => ident_of(&e.expr),
        Expr::Group(e) => ident_of(&e.expr),
        _ => None,
    }
}

/// The local a place expression is rooted in, through fields, indexing and derefs:
/// `self.pending[i].tx` is rooted in `self`.
pub fn place_root(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Field(f) => place_root(&f.base),
        Expr::Index(i) => place_root(&i.expr),
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => place_root(&u.expr),
        Expr::Paren(_) | Expr::Group(_) | Expr::Path(_) => ident_of(expr),
        _ => None,
    }
}

pub fn macro_name(mac: &Macro) -> String {
    mac.path
        .segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default()
}

/// Macros that return from the enclosing function.
const RETURNING_MACROS: &[&str] = &["bail", "ensure", "try", "return_err", "select", "select_biased"];

/// Whether a loop body can leave the loop other than by the loop's own
/// condition: `break` (of this loop), `return`, `?`, or a macro that may do one of these.
/// A `break 'label` to the loop itself counts as a break to a label outside the body.
pub fn leaves_loop(body: &syn::Block) -> bool {
    let mut finder = ExitFinder::default();
    finder.visit_block(body);
    finder.found
}

/// Whether one expression of a loop body can leave the loop.
pub fn expr_leaves_loop(expr: &Expr) -> bool {
    let mut finder = ExitFinder::default();
    finder.visit_expr(expr);
    finder.found
}

/// Whether one statement of a loop body can leave the loop.
pub fn stmt_leaves_loop(stmt: &syn::Stmt) -> bool {
    let mut finder = ExitFinder::default();
    finder.visit_stmt(stmt);
    finder.found
}

#[derive(Default)]
struct ExitFinder {
    /// Labels of loops and blocks nested inside the body: a `break` to them stays inside.
    inner_labels: Vec<String>,
    nested_loops: usize,
    found: bool,
}

impl ExitFinder {
    fn nested(&mut self, label: Option<&syn::Label>, visit_inner: impl FnOnce(&mut Self)) {
        self.nested_loops += 1;
        if let Some(label) = label {
            self.inner_labels.push(label.name.ident.to_string());
        }
        visit_inner(self);
        if label.is_some() {
            self.inner_labels.pop();
        }
        self.nested_loops -= 1;
    }
}

impl<'ast> Visit<'ast> for ExitFinder {
    fn visit_expr_break(&mut self, b: &'ast syn::ExprBreak) {
        match &b.label {
            Some(l) => self.found |= !self.inner_labels.contains(&l.ident.to_string()),
            None => self.found |= self.nested_loops == 0,
        }
        visit::visit_expr_break(self, b);
    }
    fn visit_expr_return(&mut self, _: &'ast syn::ExprReturn) {
        self.found = true;
    }
    fn visit_expr_try(&mut self, _: &'ast syn::ExprTry) {
        self.found = true;
    }
    fn visit_expr_loop(&mut self, e: &'ast syn::ExprLoop) {
        self.nested(e.label.as_ref(), |f| visit::visit_expr_loop(f, e));
    }
    fn visit_expr_while(&mut self, e: &'ast syn::ExprWhile) {
        self.nested(e.label.as_ref(), |f| visit::visit_expr_while(f, e));
    }
    fn visit_expr_for_loop(&mut self, e: &'ast syn::ExprForLoop) {
        self.nested(e.label.as_ref(), |f| visit::visit_expr_for_loop(f, e));
    }
    fn visit_expr_block(&mut self, e: &'ast syn::ExprBlock) {
        // A labelled block is a `break` target, not a loop: unlabelled breaks pass through it.
        if let Some(label) = &e.label {
            self.inner_labels.push(label.name.ident.to_string());
            visit::visit_expr_block(self, e);
            self.inner_labels.pop();
        } else {
            visit::visit_expr_block(self, e);
        }
    }
    fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
    fn visit_expr_async(&mut self, _: &'ast syn::ExprAsync) {}
    fn visit_item(&mut self, _: &'ast syn::Item) {}
    fn visit_macro(&mut self, mac: &'ast Macro) {
        if RETURNING_MACROS.contains(&macro_name(mac).as_str()) || tokens_leave(&mac.tokens) {
            self.found = true;
        }
    }
}

/// Whether a macro's tokens contain `break`, `return` or `?`.
fn tokens_leave(tokens: &TokenStream) -> bool {
    let mut stack = vec![tokens.clone()];
    while let Some(ts) = stack.pop() {
        for tt in ts {
            match tt {
                TokenTree::Ident(i) if i == "break" || i == "return" => return true,
                TokenTree::Punct(p) if p.as_char() == '?' => return true,
                TokenTree::Group(g) => stack.push(g.stream()),
                _ => {}
            }
        }
    }
    false
}

/// Every identifier a token stream mentions, at any depth (for macros the parser cannot read).
pub fn token_idents(tokens: &TokenStream, out: &mut HashSet<String>) {
    let mut stack = vec![tokens.clone()];
    while let Some(ts) = stack.pop() {
        for tt in ts {
            match tt {
                TokenTree::Ident(i) => {
                    out.insert(i.to_string());
                }
                TokenTree::Group(g) => stack.push(g.stream()),
                _ => {}
            }
        }
    }
}

/// The names a closure or async block body mentions: what a `move` captures.
pub fn mentioned_names(expr: &Expr) -> HashSet<String> {
    let mut names = Names(HashSet::new());
    names.visit_expr(expr);
    names.0
}

pub fn block_mentioned_names(block: &syn::Block) -> HashSet<String> {
    let mut names = Names(HashSet::new());
    names.visit_block(block);
    names.0
}

struct Names(HashSet<String>);

impl<'ast> Visit<'ast> for Names {
    fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
        if p.qself.is_none() {
            if let Some(ident) = p.path.get_ident() {
                self.0.insert(ident.to_string());
            }
        }
    }
    fn visit_macro(&mut self, mac: &'ast Macro) {
        token_idents(&mac.tokens, &mut self.0);
    }
    fn visit_item(&mut self, _: &'ast syn::Item) {}
}
