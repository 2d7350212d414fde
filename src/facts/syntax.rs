//! Questions answered from syntax alone: does a loop body leave the loop, which names does a
//! closure mention, what is the base binding of a place expression.

use proc_macro2::{Span, TokenStream, TokenTree};
use std::collections::HashSet;
use syn::visit::{self, Visit};
use syn::{Expr, Macro};

use crate::loc::Loc;

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

/// The place a borrow or a lock guard gives access to: `names.borrow()`,
/// `names.lock().unwrap()`, `(*names.read()?)` are `names`. Only accessors that reach the
/// wrapped value itself are looked through (not `take()`, `as_ref()` or an `Option`'s
/// `unwrap()`), so the place's declared type says what is iterated.
pub fn without_guard_access(expr: &Expr) -> &Expr {
    fn accessor(expr: &Expr) -> Option<&Expr> {
        let Expr::MethodCall(mc) = strip(expr) else {
            return None;
        };
        let method = mc.method.to_string();
        matches!(
            method.as_str(),
            "borrow" | "borrow_mut" | "lock" | "read" | "write"
        )
        .then_some(&*mc.receiver)
    }
    let mut at = strip(expr);
    if let Expr::Unary(u) = at {
        if matches!(u.op, syn::UnOp::Deref(_)) {
            at = strip(&u.expr);
        }
    }
    // The `Result` of a lock: `.unwrap()`, `.expect(..)` or `?` right after the accessor.
    let unwrapped = match at {
        Expr::Try(t) => Some(&*t.expr),
        Expr::MethodCall(mc) if mc.method == "unwrap" || mc.method == "expect" => {
            Some(&*mc.receiver)
        }
        _ => None,
    };
    if let Some(place) = unwrapped.and_then(|inner| {
        let Expr::MethodCall(mc) = strip(inner) else {
            return None;
        };
        matches!(mc.method.to_string().as_str(), "lock" | "read" | "write")
            .then(|| strip(&mc.receiver))
    }) {
        return place;
    }
    accessor(at).map_or(at, strip)
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

/// Whether a loop body can leave the loop other than by its condition or an error exit
/// (`?`, `return Err(..)`, `bail!`): a drain loop with error exits still waits for the
/// channel's end on its success path.
pub fn leaves_loop_on_success(body: &syn::Block) -> bool {
    let mut finder = ExitFinder::success_path();
    finder.visit_block(body);
    finder.found
}

/// `expr_leaves_loop`, error exits apart.
pub fn expr_leaves_loop_on_success(expr: &Expr) -> bool {
    let mut finder = ExitFinder::success_path();
    finder.visit_expr(expr);
    finder.found
}

/// `stmt_leaves_loop`, error exits apart.
pub fn stmt_leaves_loop_on_success(stmt: &syn::Stmt) -> bool {
    let mut finder = ExitFinder::success_path();
    finder.visit_stmt(stmt);
    finder.found
}

/// The bindings whose failed sends are a loop body's only exits (`if tx.send(v).is_err() {
/// break }`, `tx.send(v).await?`, `match tx.send(v) { Err(_) => return, .. }`), if every exit
/// is one: a send fails only once the receiving side is gone, so such a loop ends no sooner
/// than its channel's receivers. `None` if it may leave otherwise or not at all.
pub fn exits_only_on_send_failure(body: &syn::Block) -> Option<Vec<String>> {
    let mut finder = ExitFinder {
        send_guards: Some(Vec::new()),
        ..ExitFinder::default()
    };
    finder.visit_block(body);
    let guards = finder.send_guards.unwrap_or_default();
    (!finder.found && !guards.is_empty()).then_some(guards)
}

/// The binding a send is called on (`tx.send(v)`, `self.tx.send(v).await`), if `expr` is one.
fn send_root(expr: &Expr) -> Option<String> {
    let call = match strip(expr) {
        Expr::Await(a) => strip(&a.base),
        other => other,
    };
    match call {
        Expr::MethodCall(mc)
            if crate::catalogue::PLAIN_SENDS.contains(&mc.method.to_string().as_str()) =>
        {
            place_root(strip(&mc.receiver))
        }
        _ => None,
    }
}

/// `tx.send(v).is_err()` or `let Err(..) = tx.send(v)`: the send's binding.
fn failed_send_test(cond: &Expr) -> Option<String> {
    match strip(cond) {
        Expr::MethodCall(mc) if mc.method == "is_err" => send_root(&mc.receiver),
        Expr::Let(l) if is_err_pattern(&l.pat) => send_root(&l.expr),
        _ => None,
    }
}

fn is_err_pattern(pat: &syn::Pat) -> bool {
    match pat {
        syn::Pat::TupleStruct(t) => t.path.is_ident("Err"),
        _ => false,
    }
}

struct ExitFinder {
    /// Exits taken only when a send fails are not counted, and the sends' bindings are
    /// collected here (see `exits_only_on_send_failure`).
    send_guards: Option<Vec<String>>,
    /// Error exits (`?`, `return Err(..)`, `bail!`) count as leaving the loop. Off for the
    /// question "does this loop wait for a channel's end": on its success path it does.
    errors_bound: bool,
    /// Labels of loops and blocks nested inside the body: a `break` to them stays inside.
    inner_labels: Vec<String>,
    nested_loops: usize,
    found: bool,
}

impl Default for ExitFinder {
    fn default() -> ExitFinder {
        ExitFinder {
            send_guards: None,
            errors_bound: true,
            inner_labels: Vec::new(),
            nested_loops: 0,
            found: false,
        }
    }
}

impl ExitFinder {
    fn success_path() -> ExitFinder {
        ExitFinder {
            errors_bound: false,
            ..ExitFinder::default()
        }
    }

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
    fn visit_expr_if(&mut self, e: &'ast syn::ExprIf) {
        if let (Some(guards), Some(root)) = (&mut self.send_guards, failed_send_test(&e.cond)) {
            guards.push(root);
            if let Some((_, other)) = &e.else_branch {
                self.visit_expr(other);
            }
            return;
        }
        visit::visit_expr_if(self, e);
    }
    fn visit_expr_match(&mut self, m: &'ast syn::ExprMatch) {
        let root = self.send_guards.as_ref().and_then(|_| send_root(&m.expr));
        let (Some(root), Some(guards)) = (root, &mut self.send_guards) else {
            return visit::visit_expr_match(self, m);
        };
        guards.push(root);
        for arm in m.arms.iter().filter(|arm| !is_err_pattern(&arm.pat)) {
            self.visit_arm(arm);
        }
    }
    fn visit_expr_try(&mut self, e: &'ast syn::ExprTry) {
        if let (Some(guards), Some(root)) = (&mut self.send_guards, send_root(&e.expr)) {
            guards.push(root);
            return;
        }
        // An error exit: a drain loop still waits for the end on its success path.
        if self.errors_bound {
            self.found = true;
        } else {
            visit::visit_expr_try(self, e);
        }
    }
    fn visit_expr_return(&mut self, r: &'ast syn::ExprReturn) {
        if self.errors_bound || !returns_err(r) {
            self.found = true;
        }
    }
    fn visit_macro(&mut self, mac: &'ast Macro) {
        let name = macro_name(mac);
        if crate::catalogue::RETURNING_MACROS.contains(&name.as_str()) {
            // They are all error exits (`bail!`, `ensure!`, `try!`).
            self.found |= self.errors_bound;
            return;
        }
        let select = crate::catalogue::SELECT_MACROS.contains(&name.as_str());
        if !select && !tokens_leave(&mac.tokens) {
            return;
        }
        // Read what the macro says: tracing's `?field` is no `?`, a `select!` arm's `break`
        // leaves the loop around it.
        let reading = super::macros::read(mac);
        if matches!(reading, super::macros::Reading::Opaque) {
            self.found = true;
            return;
        }
        for expr in super::macros::expressions(&reading) {
            self.visit_expr(expr);
        }
    }
}

/// `return Err(..)`.
fn returns_err(r: &syn::ExprReturn) -> bool {
    matches!(r.expr.as_deref(), Some(Expr::Call(c))
        if matches!(&*c.func, Expr::Path(p) if p.path.is_ident("Err")))
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
/// What a `move` closure or `async move` block captures of each name it mentions: `None`
/// for the whole binding, or the fields it names (`self.conn`), when it only ever uses the
/// binding through them. Since Rust 2021 such a body captures those fields alone, and the
/// rest of the binding stays with the code around it.
pub type Captures = std::collections::HashMap<String, Option<HashSet<String>>>;

pub fn captures(expr: &Expr) -> Captures {
    let mut captures = Capture(Captures::new());
    captures.visit_expr(expr);
    captures.0
}

pub fn block_captures(block: &syn::Block) -> Captures {
    let mut captures = Capture(Captures::new());
    captures.visit_block(block);
    captures.0
}

struct Capture(Captures);

impl Capture {
    fn whole(&mut self, name: String) {
        self.0.insert(name, None);
    }
}

impl<'ast> Visit<'ast> for Capture {
    fn visit_expr_field(&mut self, f: &'ast syn::ExprField) {
        let Expr::Path(p) = &*f.base else {
            return syn::visit::visit_expr_field(self, f);
        };
        let Some(ident) = p.path.get_ident().filter(|_| p.qself.is_none()) else {
            return;
        };
        let field = match &f.member {
            syn::Member::Named(n) => n.to_string(),
            syn::Member::Unnamed(i) => i.index.to_string(),
        };
        if let Some(fields) = self
            .0
            .entry(ident.to_string())
            .or_insert(Some(HashSet::new()))
        {
            fields.insert(field);
        }
    }
    fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
        if p.qself.is_none() {
            if let Some(ident) = p.path.get_ident() {
                self.whole(ident.to_string());
            }
        }
    }
    fn visit_macro(&mut self, mac: &'ast Macro) {
        let mut names = HashSet::new();
        token_idents(&mac.tokens, &mut names);
        for name in names {
            self.whole(name);
        }
    }
    fn visit_item(&mut self, _: &'ast syn::Item) {}
}

/// Where an expression starts and ends, found along its left and right spines. (syn's
/// `Spanned::span()` prints the whole expression to tokens to answer this: far too slow to
/// call on every expression of a large tree.)
pub fn expr_loc(expr: &Expr) -> Loc {
    Loc::of(first_span(expr)).to(Loc::of(last_span(expr)))
}

pub fn first_span(expr: &Expr) -> Span {
    match expr {
        Expr::Array(e) => e.bracket_token.span.open(),
        Expr::Assign(e) => first_span(&e.left),
        Expr::Async(e) => e.async_token.span,
        Expr::Await(e) => first_span(&e.base),
        Expr::Binary(e) => first_span(&e.left),
        Expr::Block(e) => e
            .label
            .as_ref()
            .map_or(e.block.brace_token.span.open(), |l| l.name.apostrophe),
        Expr::Break(e) => e.break_token.span,
        Expr::Call(e) => first_span(&e.func),
        Expr::Cast(e) => first_span(&e.expr),
        Expr::Closure(e) => match (&e.asyncness, &e.capture) {
            (Some(a), _) => a.span,
            (None, Some(m)) => m.span,
            _ => e.inputs_begin.span,
        },
        Expr::Const(e) => e.const_token.span,
        Expr::Continue(e) => e.continue_token.span,
        Expr::Field(e) => first_span(&e.base),
        Expr::ForLoop(e) => e
            .label
            .as_ref()
            .map_or(e.for_token.span, |l| l.name.apostrophe),
        Expr::Group(e) => first_span(&e.expr),
        Expr::If(e) => e.if_token.span,
        Expr::Index(e) => first_span(&e.expr),
        Expr::Let(e) => e.let_token.span,
        Expr::Lit(e) => e.lit.span(),
        Expr::Loop(e) => e
            .label
            .as_ref()
            .map_or(e.loop_token.span, |l| l.name.apostrophe),
        Expr::Macro(e) => path_first(&e.mac.path),
        Expr::Match(e) => e.match_token.span,
        Expr::MethodCall(e) => first_span(&e.receiver),
        Expr::Paren(e) => e.paren_token.span.open(),
        Expr::Path(e) => path_first(&e.path),
        Expr::Range(e) => e.start.as_deref().map_or(e.limits_span(), first_span),
        Expr::Reference(e) => e.and_token.span,
        Expr::Repeat(e) => e.bracket_token.span.open(),
        Expr::Return(e) => e.return_token.span,
        Expr::Struct(e) => path_first(&e.path),
        Expr::Try(e) => first_span(&e.expr),
        Expr::Tuple(e) => e.paren_token.span.open(),
        Expr::Unary(e) => first_span(&e.expr),
        Expr::Unsafe(e) => e.unsafe_token.span,
        Expr::While(e) => e
            .label
            .as_ref()
            .map_or(e.while_token.span, |l| l.name.apostrophe),
        _ => Span::call_site(),
    }
}

pub fn last_span(expr: &Expr) -> Span {
    match expr {
        Expr::Array(e) => e.bracket_token.span.close(),
        Expr::Assign(e) => last_span(&e.right),
        Expr::Async(e) => e.block.brace_token.span.close(),
        Expr::Await(e) => e.await_token.span,
        Expr::Binary(e) => last_span(&e.right),
        Expr::Block(e) => e.block.brace_token.span.close(),
        Expr::Call(e) => e.paren_token.span.close(),
        Expr::Cast(e) => last_span(&e.expr),
        Expr::Closure(e) => last_span(&e.body),
        Expr::Const(e) => e.block.brace_token.span.close(),
        Expr::Field(e) => match &e.member {
            syn::Member::Named(i) => i.span(),
            syn::Member::Unnamed(i) => i.span,
        },
        Expr::ForLoop(e) => e.body.brace_token.span.close(),
        Expr::Group(e) => last_span(&e.expr),
        Expr::If(e) => match &e.else_branch {
            Some((_, els)) => last_span(els),
            None => e.then_branch.brace_token.span.close(),
        },
        Expr::Index(e) => e.bracket_token.span.close(),
        Expr::Let(e) => last_span(&e.expr),
        Expr::Lit(e) => e.lit.span(),
        Expr::Loop(e) => e.body.brace_token.span.close(),
        Expr::Macro(e) => e.mac.delimiter.span().close(),
        Expr::Match(e) => e.brace_token.span.close(),
        Expr::MethodCall(e) => e.paren_token.span.close(),
        Expr::Paren(e) => e.paren_token.span.close(),
        Expr::Path(e) => e
            .path
            .segments
            .last()
            .map_or(Span::call_site(), |s| s.ident.span()),
        Expr::Reference(e) => last_span(&e.expr),
        Expr::Repeat(e) => e.bracket_token.span.close(),
        Expr::Return(e) => e.expr.as_deref().map_or(e.return_token.span, last_span),
        Expr::Struct(e) => e.brace_token.span.close(),
        Expr::Try(e) => e.question_token.span,
        Expr::Tuple(e) => e.paren_token.span.close(),
        Expr::Unary(e) => last_span(&e.expr),
        Expr::Unsafe(e) => e.block.brace_token.span.close(),
        Expr::While(e) => e.body.brace_token.span.close(),
        _ => first_span(expr),
    }
}

fn path_first(path: &syn::Path) -> Span {
    match (&path.leading_colon, path.segments.first()) {
        (Some(c), _) => c.spans[0],
        (None, Some(s)) => s.ident.span(),
        _ => Span::call_site(),
    }
}

/// First line of a statement.
pub fn stmt_line(stmt: &syn::Stmt) -> usize {
    let span = match stmt {
        syn::Stmt::Local(l) => l.let_token.span,
        syn::Stmt::Expr(e, _) => first_span(e),
        syn::Stmt::Macro(m) => path_first(&m.mac.path),
        syn::Stmt::Item(_) => return 0,
    };
    span.start().line
}

trait RangeSpan {
    fn limits_span(&self) -> Span;
}

impl RangeSpan for syn::ExprRange {
    fn limits_span(&self) -> Span {
        match &self.limits {
            syn::RangeLimits::HalfOpen(t) => t.spans[0],
            syn::RangeLimits::Closed(t) => t.spans[0],
        }
    }
}

/// Names a block mentions on `line` or later (paths and macro tokens).
pub fn names_from_line(block: &syn::Block, line: usize) -> HashSet<String> {
    struct Later {
        line: usize,
        names: HashSet<String>,
    }
    impl<'ast> Visit<'ast> for Later {
        fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
            if let Some(ident) = p.path.get_ident() {
                if ident.span().start().line >= self.line {
                    self.names.insert(ident.to_string());
                }
            }
        }
        fn visit_macro(&mut self, mac: &'ast Macro) {
            if mac.delimiter.span().close().start().line >= self.line {
                token_idents(&mac.tokens, &mut self.names);
            }
        }
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    let mut later = Later {
        line,
        names: HashSet::new(),
    };
    later.visit_block(block);
    later.names
}

/// The names patterns bind inside a body (let, for, match, closure parameters).
pub fn bound_names(visit: impl FnOnce(&mut dyn BindingVisitor)) -> HashSet<String> {
    let mut bound = Bound(HashSet::new());
    visit(&mut bound);
    bound.0
}

/// A syntax visitor that collects bound names (see [`bound_names`]).
pub trait BindingVisitor {
    fn visit_expr(&mut self, expr: &Expr);
    fn visit_block(&mut self, block: &syn::Block);
}

struct Bound(HashSet<String>);

impl BindingVisitor for Bound {
    fn visit_expr(&mut self, expr: &Expr) {
        Visit::visit_expr(self, expr);
    }
    fn visit_block(&mut self, block: &syn::Block) {
        Visit::visit_block(self, block);
    }
}

impl<'ast> Visit<'ast> for Bound {
    fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
        self.0.insert(p.ident.to_string());
        visit::visit_pat_ident(self, p);
    }
    fn visit_item(&mut self, _: &'ast syn::Item) {}
}
