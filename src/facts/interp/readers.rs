//! Wrapper types of the checked code that turn a channel into a byte stream: a type whose
//! `io::Read` or `io::BufRead` impl receives from a channel field (`self.channel.recv()`)
//! reads until the channel ends, so reading a value of it to the end (`read_to_end`,
//! `read_to_string`, `io::copy`, its `lines()` or `bytes()` consumed) drains that channel.
//! Its writer twin, an `io::Write` impl over a sender field, is a value holding a sender,
//! as any struct holding one; its `write`/`write_all` borrow it.

use std::collections::HashSet;

use syn::visit::Visit;

use super::*;

/// Methods of a reader whose result yields what it reads until its end.
const READ_ADAPTERS: &[&str] = &["lines", "bytes", "split"];
/// Methods that read a reader to its end.
const READ_TO_END: &[&str] = &["read_to_end", "read_to_string"];
/// Functions that read their first argument to its end.
const READING_FUNCTIONS: &[&str] = &["io::copy", "serde_json::from_reader"];
/// Buffering wrappers whose value reads through the reader they wrap (last argument).
const BUFFERING: &[&str] = &["BufReader::new", "BufReader::with_capacity"];

/// Names of the types of `items` (and their inline modules) whose `Read`/`BufRead` impl
/// receives from a field of `self` with a blocking receive.
pub(super) fn reader_types(items: &[Item], out: &mut HashSet<String>) {
    for item in items {
        match item {
            Item::Impl(imp) => {
                let reads = imp
                    .trait_
                    .as_ref()
                    .and_then(|(p, _)| p.segments.last())
                    .is_some_and(|s| s.ident == "Read" || s.ident == "BufRead");
                let Some(ty) = type_name(&imp.self_ty).filter(|_| reads) else {
                    continue;
                };
                let mut finder = FieldRecv(false);
                for it in &imp.items {
                    if let syn::ImplItem::Fn(f) = it {
                        finder.visit_block(&f.block);
                    }
                }
                if finder.0 {
                    out.insert(ty);
                }
            }
            Item::Mod(m) => {
                if let Some((_, inner)) = &m.content {
                    reader_types(inner, out);
                }
            }
            _ => {}
        }
    }
}

/// `self.field.recv()`: a blocking receive on a field of `self`.
struct FieldRecv(bool);

impl<'ast> Visit<'ast> for FieldRecv {
    fn visit_expr_method_call(&mut self, mc: &'ast syn::ExprMethodCall) {
        if mc.method == "recv" {
            if let Expr::Field(f) = strip(&mc.receiver) {
                self.0 |= ident_of(&f.base).is_some_and(|b| b == "self");
            }
        }
        syn::visit::visit_expr_method_call(self, mc);
    }
}

/// Whether `path` (resolved) names one of `list`, by its final segments.
pub(super) fn names_one_of(path: &str, list: &[&str]) -> bool {
    list.iter().any(|w| {
        path == *w
            || path
                .strip_suffix(w)
                .is_some_and(|rest| rest.ends_with("::"))
    })
}

impl<'a> Interp<'a> {
    /// A struct literal of a reader type reads from the receivers it holds.
    pub(super) fn note_reader(&self, path: &syn::Path, val: &mut Val) {
        let Some(last) = path.segments.last().map(|s| s.ident.to_string()) else {
            return;
        };
        let ty = if last == "Self" {
            self.self_ty.clone().unwrap_or_default()
        } else {
            last
        };
        if self.shared.readers.contains(&ty) {
            let receivers = val.receivers.clone();
            val.readers.extend(receivers);
        }
    }

    /// What a reading expression reads through, without evaluating it: `reader.lines()` yields
    /// the reader's channels, `BufReader::new(reader)` reads through `reader`.
    pub(super) fn peek_read(&self, expr: &Expr) -> Option<Val> {
        match strip(expr) {
            Expr::MethodCall(mc) if READ_ADAPTERS.contains(&mc.method.to_string().as_str()) => {
                let readers = self.read_channels(&self.peek(&mc.receiver));
                Some(Val {
                    receivers: readers,
                    ..Val::default()
                })
            }
            Expr::Call(c) => match &*c.func {
                Expr::Path(p) if names_one_of(&self.imports.resolve(&p.path), BUFFERING) => {
                    Some(c.args.last().map(|a| self.peek(a)).unwrap_or_default())
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// The channels a value reads from (a parameter's are placeholders for the caller's).
    fn read_channels(&self, val: &Val) -> Vec<ChanId> {
        val.readers.clone()
    }

    /// `reader.read_to_end(..)`: waits for the end of the channels the reader reads.
    pub(super) fn note_read_to_end(&mut self, mc: &syn::ExprMethodCall, at: Loc) {
        if READ_TO_END.contains(&mc.method.to_string().as_str()) {
            for chan in self.read_channels(&self.peek(&mc.receiver)) {
                self.record_wait(chan, at, WaitForm::Drain);
            }
        }
    }

    /// `io::copy(&mut reader, ..)`, `serde_json::from_reader(reader)`: the same.
    pub(super) fn note_reading_call(&mut self, resolved: &str, c: &syn::ExprCall, at: Loc) {
        if !names_one_of(resolved, READING_FUNCTIONS) {
            return;
        }
        if let Some(first) = c.args.first() {
            let readers = match self.peek_read(first) {
                Some(val) => self.read_channels(&val),
                None => self.read_channels(&self.peek(first)),
            };
            for chan in readers {
                self.record_wait(chan, at, WaitForm::Drain);
            }
        }
    }
}
