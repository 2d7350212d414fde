//! Every name the catalogue knows (constructors, spawn, scope, block-on, join and drop functions,
//! wrappers, methods, macros, library models, global setters), called with no argument, too many, or arguments of the wrong
//! kind: the analysis must neither panic nor fail the file. `ReceiverStream::new()` (no
//! argument) once panicked on the missing argument.

use chanlint::catalogue as c;

const ARGS: &[&str] = &[
    "",
    "tx",
    "tx, rx",
    "tx, rx, s, h",
    "|| {}",
    "|s| { s.spawn(|| {}); }",
    "async move { tx }",
    "move || { for v in rx {} }",
];

fn functions() -> Vec<String> {
    let mut out: Vec<String> = c::LIBRARIES
        .iter()
        .flat_map(|lib| {
            lib.modules
                .iter()
                .flat_map(|m| lib.constructors.iter().map(move |k| format!("{m}::{k}")))
        })
        .collect();
    for table in [
        c::SPAWN_FUNCTIONS,
        c::SCOPE_FUNCTIONS,
        c::BLOCK_ON_FUNCTIONS,
        c::WRAPPERS,
        c::JOIN_FUNCTIONS,
        c::DROP_FUNCTIONS,
    ] {
        out.extend(table.iter().map(|f| f.to_string()));
    }
    out.extend(c::RECEIVER_WRAPPERS.iter().map(|w| format!("{w}::new")));
    for model in c::OWNER_MODELS {
        let of = |ty: &str, names: &[&str]| -> Vec<String> {
            names
                .iter()
                .map(|f| format!("{}::{ty}::{f}", model.krate))
                .collect()
        };
        out.extend(of(model.holder, model.with_drain));
        out.extend(of(model.holder, model.cross_wired));
        out.extend(of(model.holder, model.borrowing));
        out.extend(of(model.handle, model.handle_joins));
    }
    for global in c::GLOBAL_SETTERS {
        out.push(global.path.to_string());
        out.extend(global.released_by.iter().map(|f| f.to_string()));
    }
    out.push("Clone::clone".into());
    out
}

fn methods() -> Vec<&'static str> {
    [
        c::SPAWN_METHODS,
        c::BLOCK_ON_METHODS,
        c::ABORT_METHODS,
        c::STORING_METHODS,
        c::DRAINING_ADAPTERS,
        c::DRAINING_CONSUMERS,
        c::RECV_METHODS,
        c::ONESHOT_BLOCKING_RECV,
        c::DOWNGRADE_METHODS,
        c::JOIN_METHODS,
        c::ASYNC_JOIN_METHODS,
        c::CLONING_METHODS,
    ]
    .into_iter()
    .chain(
        c::OWNER_MODELS
            .iter()
            .flat_map(|m| [m.borrowing, m.handle_joins]),
    )
    .chain(c::LIBRARIES.iter().map(|lib| lib.subscribe_methods))
    .collect::<Vec<_>>()
    .concat()
}

/// One function per call, so that a budget cut in one cannot hide another.
fn program() -> String {
    let mut calls = Vec::new();
    for args in ARGS {
        calls.extend(functions().iter().map(|f| format!("let _ = {f}({args});")));
        for m in methods() {
            for receiver in ["tx", "rx", "h", "s"] {
                calls.push(format!("let _ = {receiver}.{m}({args});"));
            }
        }
        calls.extend(
            c::FORMATTING_MACROS
                .iter()
                .chain(c::PANICKING_MACROS)
                .map(|m| format!("{m}!({args});")),
        );
    }
    calls
        .iter()
        .enumerate()
        .map(|(i, call)| {
            format!(
                "async fn f{i}() {{\n    let (tx, rx) = std::sync::mpsc::channel::<u8>();\n    \
                 let h = std::thread::spawn(|| {{}});\n    let s = 1;\n    {call}\n    \
                 for v in rx {{}}\n    h.join().await;\n}}\n"
            )
        })
        .collect()
}

#[test]
fn catalogue_names_with_any_arguments_do_not_break_the_analysis() {
    let text = program();
    assert!(text.matches("async fn").count() > 1000);
    let checked = std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || chanlint::check_source("arity.rs", text.into_bytes()))
        .unwrap()
        .join()
        .expect("the analysis panicked");
    let checked = checked.unwrap_or_else(|e| panic!("{e:?}"));
    // Most of these programs hold `tx` across `for v in rx`: the analysis really ran.
    assert!(checked.findings.len() > 500, "{}", checked.findings.len());
}
