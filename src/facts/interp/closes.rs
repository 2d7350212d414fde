//! Explicit closes that an earlier error exit skips, for holders that outlive the exit: the
//! fields of `self` in a method that borrows `self`, and statics. (A local is dropped by the
//! exit itself, so its close cannot be skipped.) Also where struct literals store senders, so
//! that a field can be tied to its channel.

use super::*;
use crate::facts::{Place, SkippedClose, Store};
use syn::visit::Visit;

impl<'a> Interp<'a> {
    /// A struct literal `Ty { field: tx, .. }`: `field` of `Ty` holds a sender of the channel.
    pub(super) fn note_field_stores(&mut self, path: &syn::Path, val: &Val) {
        if !self.recording || self.env.is_none() {
            return;
        }
        let Some(last) = path.segments.last().map(|s| s.ident.to_string()) else {
            return;
        };
        let ty = match (last.as_str(), &self.self_ty) {
            ("Self", Some(ty)) => ty.clone(),
            ("Self", None) => return,
            _ => last,
        };
        for sender in &val.senders {
            if let Some(field) = &sender.field {
                self.facts.stores.push(Store {
                    place: Place::Field {
                        ty: ty.clone(),
                        field: field.clone(),
                    },
                    chan: sender.chan,
                    at: sender.at,
                });
            }
        }
    }
}

/// The holders of a function that outlive its exits.
pub(super) struct Outliving<'s> {
    /// The type of `self` when the function borrows `self`.
    pub self_type: Option<&'s str>,
    pub statics: &'s HashSet<String>,
}

impl Outliving<'_> {
    /// The place `expr` names, if it outlives the function: `self.tx`, `STATIC`, through
    /// `lock()`, `unwrap()` and the like.
    fn place(&self, expr: &Expr) -> Option<(Place, String)> {
        let mut expr = through_guards(expr);
        while let Expr::Unary(u) = expr {
            if !matches!(u.op, syn::UnOp::Deref(_)) {
                break;
            }
            expr = through_guards(&u.expr);
        }
        match expr {
            Expr::Field(f) => {
                let ty = self.self_type?;
                let base = ident_of(&f.base)?;
                let field = member_name(&f.member);
                (base == "self").then(|| {
                    (
                        Place::Field {
                            ty: ty.to_string(),
                            field: field.clone(),
                        },
                        format!("self.{field}"),
                    )
                })
            }
            Expr::Path(p) if p.qself.is_none() => {
                let name = p.path.segments.last()?.ident.to_string();
                self.statics
                    .contains(&name)
                    .then(|| (Place::Static(name.clone()), name))
            }
            _ => None,
        }
    }

    /// The place an expression closes explicitly: `X.take()`, `X = None`, `X.close()`,
    /// `mem::take(&mut X)`.
    fn closed(&self, expr: &Expr) -> Option<(Place, String)> {
        match expr {
            Expr::MethodCall(mc)
                if catalogue::CLOSING_METHODS.contains(&mc.method.to_string().as_str()) =>
            {
                self.place(&mc.receiver)
            }
            Expr::Assign(a) if matches!(strip(&a.right), Expr::Path(p) if p.path.is_ident("None")) => {
                self.place(&a.left)
            }
            Expr::Call(c) => {
                let Expr::Path(p) = &*c.func else { return None };
                let last = p.path.segments.last()?.ident.to_string();
                if last == "take" || last == "replace" {
                    self.place(c.args.first()?)
                } else {
                    None
                }
            }
            _ => None,
        }
    }
}

/// Every close in `body` of a place that outlives the function, paired with each error exit
/// of an earlier statement of an enclosing block (so the exit comes first on every path to
/// the close). An exit in a statement that itself names the place is a guard on it
/// (`self.tx.as_ref().ok_or(..)?`) and does not count.
pub(super) fn skipped_closes(body: &Block, outliving: &Outliving, out: &mut Vec<SkippedClose>) {
    // Pairing exits with closes walks each statement once per enclosing block: first make
    // sure, in one walk, that there is a close to pair (most functions have none).
    if outliving.self_type.is_none() && outliving.statics.is_empty() {
        return;
    }
    let mut any = AnyClose {
        outliving,
        found: false,
    };
    any.visit_block(body);
    if !any.found {
        return;
    }
    let mut walker = BlockWalker { outliving, out };
    walker.visit_block(body);
}

/// Whether a body closes a place that outlives it, where `Found` would see the close.
struct AnyClose<'o, 's> {
    outliving: &'o Outliving<'s>,
    found: bool,
}

impl<'ast> Visit<'ast> for AnyClose<'_, '_> {
    fn visit_expr(&mut self, expr: &'ast Expr) {
        if self.found || self.outliving.closed(expr).is_some() {
            self.found = true;
            return;
        }
        syn::visit::visit_expr(self, expr);
    }
    fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
    fn visit_expr_async(&mut self, _: &'ast syn::ExprAsync) {}
    fn visit_item(&mut self, _: &'ast Item) {}
}

struct BlockWalker<'o, 's> {
    outliving: &'o Outliving<'s>,
    out: &'o mut Vec<SkippedClose>,
}

impl<'ast> Visit<'ast> for BlockWalker<'_, '_> {
    fn visit_block(&mut self, block: &'ast Block) {
        let mut exits: Vec<(Loc, HashSet<String>)> = Vec::new();
        for stmt in &block.stmts {
            let mut found = Found {
                outliving: self.outliving,
                exits: Vec::new(),
                closes: Vec::new(),
                named: HashSet::new(),
                guards: Vec::new(),
            };
            found.visit_stmt(stmt);
            for (place, written, close) in &found.closes {
                for (exit, named) in &exits {
                    if !named.contains(written) {
                        self.out.push(SkippedClose {
                            place: place.clone(),
                            written: written.clone(),
                            exit: *exit,
                            close: *close,
                        });
                    }
                }
            }
            exits.extend(
                found
                    .exits
                    .into_iter()
                    .map(|(exit, named)| (exit, named.unwrap_or_default())),
            );
        }
        syn::visit::visit_block(self, block);
    }
    fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
    fn visit_expr_async(&mut self, _: &'ast syn::ExprAsync) {}
    fn visit_item(&mut self, _: &'ast Item) {}
}

/// The error exits and the closes of one statement. Each exit keeps the outliving places
/// named by its own statement and by the conditions it sits under: an exit taken because
/// of the place's own state is a guard, not a skip.
struct Found<'o, 's> {
    outliving: &'o Outliving<'s>,
    exits: Vec<(Loc, Option<HashSet<String>>)>,
    closes: Vec<(Place, String, Loc)>,
    /// Places named so far in the innermost statement.
    named: HashSet<String>,
    /// Places named by the enclosing conditions (`if`, `match`, `let .. else`).
    guards: Vec<HashSet<String>>,
}

impl Found<'_, '_> {
    fn places_in(&self, expr: &Expr) -> HashSet<String> {
        let mut names = Found {
            outliving: self.outliving,
            exits: Vec::new(),
            closes: Vec::new(),
            named: HashSet::new(),
            guards: Vec::new(),
        };
        names.visit_expr(expr);
        names.named
    }

    fn exit(&mut self, at: Loc) {
        self.exits.push((at, None));
    }

    fn guarded(&mut self, cond: &Expr, visit: impl FnOnce(&mut Self)) {
        let names = self.places_in(cond);
        self.guards.push(names);
        visit(self);
        self.guards.pop();
    }
}

impl<'ast> Visit<'ast> for Found<'_, '_> {
    fn visit_stmt(&mut self, stmt: &'ast syn::Stmt) {
        let first = self.exits.len();
        let outer = std::mem::take(&mut self.named);
        syn::visit::visit_stmt(self, stmt);
        let mut named = self.named.clone();
        named.extend(self.guards.iter().flatten().cloned());
        for exit in &mut self.exits[first..] {
            if exit.1.is_none() {
                exit.1 = Some(named.clone());
            }
        }
        self.named.extend(outer);
    }
    fn visit_local(&mut self, local: &'ast syn::Local) {
        match &local.init {
            Some(init) if init.diverge.is_some() => {
                self.guarded(&init.expr, |this| syn::visit::visit_local(this, local))
            }
            _ => syn::visit::visit_local(self, local),
        }
    }
    fn visit_expr_if(&mut self, i: &'ast syn::ExprIf) {
        self.guarded(&i.cond, |this| syn::visit::visit_expr_if(this, i));
    }
    fn visit_expr_match(&mut self, m: &'ast syn::ExprMatch) {
        self.guarded(&m.expr, |this| syn::visit::visit_expr_match(this, m));
    }
    fn visit_expr(&mut self, expr: &'ast Expr) {
        if let Some((place, written)) = self.outliving.closed(expr) {
            self.closes.push((place, written, syntax::expr_loc(expr)));
        }
        if let Some((_, written)) = self.outliving.place(expr) {
            self.named.insert(written);
        }
        match expr {
            Expr::Try(t) => {
                self.exit(syntax::expr_loc(&t.expr).to(span_loc(t.question_token.span)))
            }
            Expr::Return(r) if r.expr.as_deref().is_some_and(is_err_value) => {
                self.exit(syntax::expr_loc(expr))
            }
            _ => {}
        }
        syn::visit::visit_expr(self, expr);
    }
    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        if matches!(macro_name(mac).as_str(), "bail" | "ensure") {
            let start = mac
                .path
                .segments
                .first()
                .map_or(mac.bang_token.span, |s| s.ident.span());
            self.exit(span_loc(start).to(span_loc(mac.delimiter.span().close())));
        }
    }
    fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
    fn visit_expr_async(&mut self, _: &'ast syn::ExprAsync) {}
    fn visit_item(&mut self, _: &'ast Item) {}
}

/// `Err(..)`: the value of an error return.
fn is_err_value(expr: &Expr) -> bool {
    matches!(strip(expr), Expr::Call(c) if matches!(&*c.func, Expr::Path(p) if p.path.is_ident("Err")))
}
