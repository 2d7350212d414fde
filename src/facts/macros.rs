//! What a macro call says, read from its tokens: the `select!` of tokio, futures and
//! crossbeam-channel as arms, `join!` as futures, formatting, logging and assertions (with
//! tracing's `?x`, `%x` and `name = value` fields) as borrowed arguments, and any other macro
//! as comma-separated expressions when its tokens parse so. The interpreter and the syntax
//! queries (does this loop body leave?) both read macros through here.

use proc_macro2::TokenStream;
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Expr, Macro, Pat, Token};

use super::syntax::macro_name;
use crate::catalogue;

/// A macro call as the analysis reads it.
pub enum Reading {
    /// Formatting, logging, assertions: every argument is only borrowed. `panics`: the macro
    /// never returns (`panic!`, `unreachable!`, ..).
    Borrowing { args: Vec<Expr>, panics: bool },
    /// `select!`: one of the arms runs, after its future is ready.
    Select(Select),
    /// `join!`/`try_join!`: every future runs to its end here.
    Join(Vec<Expr>),
    /// Any other macro whose tokens parse as comma-separated expressions.
    Exprs(Vec<Expr>),
    /// Tokens the analysis cannot read.
    Opaque,
}

pub struct Select {
    pub arms: Vec<SelectArm>,
    /// `else =>` (tokio), `complete =>` (futures): runs once every branch is disabled or done.
    pub when_all_done: Option<Expr>,
    /// `default =>` (crossbeam, futures): runs when no branch is ready right now.
    pub default: Option<Expr>,
}

pub struct SelectArm {
    /// What the arm waits on: the future (tokio, futures) or the receiver (crossbeam `recv(r)`,
    /// `send(s, v)`: the sender).
    pub future: Expr,
    /// crossbeam's `recv(r) -> v`: `future` is the receiver itself and the arm gets
    /// `Result<T, RecvError>`; `send(s, v)` arms carry the value sent.
    pub crossbeam: Option<CrossbeamOp>,
    /// The pattern the output is matched against (`Some(v) = rx.recv()`) or bound to
    /// (`recv(r) -> msg`).
    pub pat: Pat,
    /// tokio's `, if cond`: the branch is disabled when false.
    pub precondition: Option<Expr>,
    pub body: Expr,
}

pub enum CrossbeamOp {
    Recv,
    Send(Expr),
}

/// Reads a macro call.
pub fn read(mac: &Macro) -> Reading {
    read_named(&macro_name(mac), &mac.tokens)
}

pub fn read_named(name: &str, tokens: &TokenStream) -> Reading {
    if catalogue::SELECT_MACROS.contains(&name) {
        return match parse_select.parse2(tokens.clone()) {
            Ok(select) => Reading::Select(select),
            Err(_) => Reading::Opaque,
        };
    }
    if catalogue::borrows_arguments(name) {
        let panics = catalogue::PANICKING_MACROS.contains(&name) && !name.contains("assert");
        return match parse_fields.parse2(tokens.clone()) {
            Ok(args) => Reading::Borrowing { args, panics },
            Err(_) => Reading::Opaque,
        };
    }
    if catalogue::MATCHING_MACROS.contains(&name) {
        // `matches!(expr, pattern)`: the expression is only looked at.
        let parser = |input: ParseStream| {
            let scrutinee: Expr = input.parse()?;
            input.parse::<TokenStream>()?;
            Ok(scrutinee)
        };
        return match parser.parse2(tokens.clone()) {
            Ok(arg) => Reading::Borrowing {
                args: vec![arg],
                panics: false,
            },
            Err(_) => Reading::Opaque,
        };
    }
    if catalogue::JOIN_MACROS.contains(&name) {
        let parser = |input: ParseStream| {
            skip_biased(input)?;
            Punctuated::<Expr, Token![,]>::parse_terminated(input)
        };
        return match parser.parse2(tokens.clone()) {
            Ok(args) => Reading::Join(args.into_iter().collect()),
            Err(_) => Reading::Opaque,
        };
    }
    match Punctuated::<Expr, Token![,]>::parse_terminated.parse2(tokens.clone()) {
        Ok(args) => Reading::Exprs(args.into_iter().collect()),
        Err(_) => Reading::Opaque,
    }
}

/// `biased;` at the head of tokio's `select!`/`join!`.
fn skip_biased(input: ParseStream) -> syn::Result<()> {
    if input.peek(syn::Ident) && input.peek2(Token![;]) {
        let fork = input.fork();
        let ident: syn::Ident = fork.parse()?;
        if ident == "biased" {
            input.parse::<syn::Ident>()?;
            input.parse::<Token![;]>()?;
        }
    }
    Ok(())
}

fn parse_select(input: ParseStream) -> syn::Result<Select> {
    skip_biased(input)?;
    let mut select = Select {
        arms: Vec::new(),
        when_all_done: None,
        default: None,
    };
    while !input.is_empty() {
        // `else => ..` (tokio), `complete => ..`, `default => ..`, `default(timeout) => ..`.
        if input.peek(Token![else]) {
            input.parse::<Token![else]>()?;
            input.parse::<Token![=>]>()?;
            select.when_all_done = Some(arm_body(input)?);
            continue;
        }
        if input.peek(syn::Ident) {
            let fork = input.fork();
            let ident: syn::Ident = fork.parse()?;
            let word = ident.to_string();
            if (word == "complete" || word == "default") && fork.peek(Token![=>]) {
                input.parse::<syn::Ident>()?;
                input.parse::<Token![=>]>()?;
                let body = arm_body(input)?;
                if word == "complete" {
                    select.when_all_done = Some(body);
                } else {
                    select.default = Some(body);
                }
                continue;
            }
            if fork.peek(syn::token::Paren)
                && (word == "recv" || word == "send" || word == "default")
            {
                input.parse::<syn::Ident>()?;
                let inner;
                syn::parenthesized!(inner in input);
                let args = Punctuated::<Expr, Token![,]>::parse_terminated(&inner)?;
                let mut args = args.into_iter();
                if word == "default" {
                    // `default(timeout) => ..`: runs when nothing is ready in time.
                    input.parse::<Token![=>]>()?;
                    select.default = Some(arm_body(input)?);
                    continue;
                }
                let future = args
                    .next()
                    .ok_or_else(|| input.error("a channel operand"))?;
                let op = match args.next() {
                    Some(value) if word == "send" => CrossbeamOp::Send(value),
                    _ => CrossbeamOp::Recv,
                };
                input.parse::<Token![->]>()?;
                let pat = Pat::parse_single(input)?;
                input.parse::<Token![=>]>()?;
                let body = arm_body(input)?;
                select.arms.push(SelectArm {
                    future,
                    crossbeam: Some(op),
                    pat,
                    precondition: None,
                    body,
                });
                continue;
            }
        }
        let pat = Pat::parse_multi_with_leading_vert(input)?;
        input.parse::<Token![=]>()?;
        let future: Expr = input.parse()?;
        let mut precondition = None;
        if input.peek(Token![,]) && input.peek2(Token![if]) {
            input.parse::<Token![,]>()?;
            input.parse::<Token![if]>()?;
            precondition = Some(input.parse()?);
        }
        input.parse::<Token![=>]>()?;
        let body = arm_body(input)?;
        select.arms.push(SelectArm {
            future,
            crossbeam: None,
            pat,
            precondition,
            body,
        });
    }
    Ok(select)
}

/// An arm's handler and the comma after it (optional after a block).
fn arm_body(input: ParseStream) -> syn::Result<Expr> {
    let body: Expr = input.parse()?;
    if input.peek(Token![,]) {
        input.parse::<Token![,]>()?;
    }
    Ok(body)
}

/// The arguments of formatting, logging and assertion macros, values only: `target: ..`,
/// `parent: ..`, `?x`, `%x`, `name = value`, `a.b = ?value`, and plain expressions.
fn parse_fields(input: ParseStream) -> syn::Result<Vec<Expr>> {
    let mut out = Vec::new();
    while !input.is_empty() {
        if input.peek(syn::Ident) && input.peek2(Token![:]) && !input.peek2(Token![::]) {
            input.parse::<syn::Ident>()?;
            input.parse::<Token![:]>()?;
        } else if named_field(input) {
            while !input.peek(Token![=]) {
                input.parse::<proc_macro2::TokenTree>()?;
            }
            input.parse::<Token![=]>()?;
        }
        if input.peek(Token![?]) {
            input.parse::<Token![?]>()?;
        } else if input.peek(Token![%]) {
            input.parse::<Token![%]>()?;
        }
        if input.peek(syn::token::Brace) && !out.is_empty() {
            // tracing's `{ field = value, .. }` group.
            let inner;
            syn::braced!(inner in input);
            out.extend(parse_fields(&inner)?);
        } else {
            out.push(input.parse()?);
        }
        if input.is_empty() {
            break;
        }
        if input.peek(Token![;]) {
            // `vec![x; n]`-like and `assert!(..; ..)` forms are not fields.
            input.parse::<Token![;]>()?;
        } else {
            input.parse::<Token![,]>()?;
        }
    }
    Ok(out)
}

/// `name = value` or `a.b.c = value` (not `a == b`): a field name, not an expression.
fn named_field(input: ParseStream) -> bool {
    let fork = input.fork();
    let first = fork.parse::<syn::Ident>().is_ok() || fork.parse::<syn::LitStr>().is_ok();
    if !first {
        return false;
    }
    while fork.peek(Token![.]) && !fork.peek(Token![..]) {
        let _ = fork.parse::<Token![.]>();
        if fork.parse::<syn::Ident>().is_err() {
            return false;
        }
    }
    fork.peek(Token![=]) && !fork.peek(Token![==]) && !fork.peek(Token![=>])
}

/// Every expression a reading evaluates, in order (the arms' futures, preconditions and
/// bodies of a `select!`): for queries that only look at the code inside.
pub fn expressions(reading: &Reading) -> Vec<&Expr> {
    match reading {
        Reading::Borrowing { args, .. } | Reading::Join(args) | Reading::Exprs(args) => {
            args.iter().collect()
        }
        Reading::Select(s) => {
            let mut out = Vec::new();
            for arm in &s.arms {
                out.push(&arm.future);
                if let Some(CrossbeamOp::Send(v)) = &arm.crossbeam {
                    out.push(v);
                }
                out.extend(arm.precondition.iter());
                out.push(&arm.body);
            }
            out.extend(s.when_all_done.iter());
            out.extend(s.default.iter());
            out
        }
        Reading::Opaque => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading(code: &str) -> Reading {
        let mac: Macro = syn::parse_str(code).expect("a macro call");
        read(&mac)
    }

    #[test]
    fn tracing_fields_are_values_not_operators() {
        let Reading::Borrowing { args, .. } =
            reading("debug!(?id, %name, target: \"x\", a.b = ?c, n = 1, \"msg {}\", y)")
        else {
            panic!("not read");
        };
        assert_eq!(args.len(), 6);
        assert!(args.iter().all(|a| !matches!(a, Expr::Try(_))));
    }

    #[test]
    fn selects_of_every_flavour() {
        let tokio = "select! { biased; Some(v) = rx.recv(), if open => { f(v) } \
                     _ = tick.tick() => break, else => return }";
        let Reading::Select(s) = reading(tokio) else {
            panic!("tokio")
        };
        assert_eq!(s.arms.len(), 2);
        assert!(s.arms[0].precondition.is_some() && s.when_all_done.is_some());
        let crossbeam = "select! { recv(r) -> msg => match msg { Ok(_) => {}, Err(_) => break }, \
                         send(s, 1) -> res => res.unwrap(), default(t) => {} }";
        let Reading::Select(s) = reading(crossbeam) else {
            panic!("crossbeam")
        };
        assert_eq!(s.arms.len(), 2);
        assert!(s.default.is_some());
        assert!(matches!(s.arms[1].crossbeam, Some(CrossbeamOp::Send(_))));
        let futures = "select! { x = a => {}, complete => break, default => {} }";
        assert!(matches!(reading(futures), Reading::Select(_)));
    }

    #[test]
    fn unknown_macros_read_as_expressions_where_they_parse() {
        assert!(
            matches!(reading("ret!(ret!(m.lock()).send(s))"), Reading::Exprs(a) if a.len() == 1)
        );
        assert!(matches!(reading("weird!(a b c)"), Reading::Opaque));
    }
}
