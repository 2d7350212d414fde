//! Library types that own a channel end, and process-wide globals that keep what they are
//! given. The channel of such a type is made inside the library, so the checked code never
//! names a constructor: the rows here say what the library's functions return and do, and
//! `facts::models` turns each row into the summaries a call of the library applies.

/// A library type that holds the sender of a channel whose receiver a task of the library
/// drains (`lsp_server::Connection` and the writer thread its `IoThreads` joins).
#[derive(Debug)]
pub struct OwnerModel {
    /// The crate, as paths resolve after `use` expansion (`lsp_server`).
    pub krate: &'static str,
    /// The channel library it is built on (its wait forms and weak senders).
    pub library: &'static str,
    /// The type that holds the sender, and the public field the sender sits in.
    pub holder: &'static str,
    pub sender_field: &'static str,
    /// Associated functions of `holder` that make a channel and return `(holder, handle)`:
    /// the holder keeps its sender, the handle's task drains it (maybe inside a `Result`).
    pub with_drain: &'static [&'static str],
    /// Associated functions of `holder` that make two channels and return two holders, each
    /// with the sender of the channel the other one receives from.
    pub cross_wired: &'static [&'static str],
    /// The type of the handle, and its methods that take it by value and wait for the task.
    pub handle: &'static str,
    pub handle_joins: &'static [&'static str],
    /// Methods of `holder` that only borrow it (they never take its sender away).
    pub borrowing: &'static [&'static str],
}

pub const OWNER_MODELS: &[OwnerModel] = &[OwnerModel {
    krate: "lsp_server",
    library: "crossbeam-channel",
    holder: "Connection",
    sender_field: "sender",
    with_drain: &["stdio", "connect", "listen"],
    cross_wired: &["memory"],
    handle: "IoThreads",
    handle_joins: &["join"],
    borrowing: &[
        "initialize",
        "initialize_while",
        "initialize_start",
        "initialize_start_while",
        "initialize_finish",
        "initialize_finish_while",
        "handle_shutdown",
    ],
}];

/// A function that keeps its argument for the rest of the process: a sender inside the value
/// it is given is never dropped.
#[derive(Debug)]
pub struct GlobalSetter {
    /// The resolved path of the function.
    pub path: &'static str,
    /// What the process keeps, for messages.
    pub keeps: &'static str,
    /// Functions that take the value back out (and drop it, unless the caller keeps it).
    pub released_by: &'static [&'static str],
}

pub const GLOBAL_SETTERS: &[GlobalSetter] = &[
    GlobalSetter {
        path: "log::set_boxed_logger",
        keeps: "the process-wide logger",
        released_by: &[],
    },
    GlobalSetter {
        path: "log::set_logger",
        keeps: "the process-wide logger",
        released_by: &[],
    },
    GlobalSetter {
        path: "log::set_logger_racy",
        keeps: "the process-wide logger",
        released_by: &[],
    },
    GlobalSetter {
        path: "tracing::subscriber::set_global_default",
        keeps: "the process-wide tracing subscriber",
        released_by: &[],
    },
    GlobalSetter {
        path: "tracing::dispatcher::set_global_default",
        keeps: "the process-wide tracing dispatcher",
        released_by: &[],
    },
    GlobalSetter {
        path: "tracing_core::dispatcher::set_global_default",
        keeps: "the process-wide tracing dispatcher",
        released_by: &[],
    },
    GlobalSetter {
        path: "std::panic::set_hook",
        keeps: "the panic hook",
        released_by: &["std::panic::take_hook"],
    },
];

/// The global a resolved call path sets, if it is one of `GLOBAL_SETTERS`.
pub fn global_setter(resolved: &str) -> Option<&'static GlobalSetter> {
    GLOBAL_SETTERS.iter().find(|g| g.path == resolved)
}

/// The global setters whose value a resolved call path takes back out.
pub fn released_globals(resolved: &str) -> impl Iterator<Item = &'static GlobalSetter> + '_ {
    GLOBAL_SETTERS
        .iter()
        .filter(move |g| g.released_by.contains(&resolved))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_model_names_a_known_library() {
        for model in OWNER_MODELS {
            assert!(super::super::library(model.library).is_some(), "{model:?}");
        }
    }

    #[test]
    fn global_setters_match_resolved_paths_only() {
        assert!(global_setter("log::set_boxed_logger").is_some());
        assert!(global_setter("set_boxed_logger").is_none());
        assert!(global_setter("std::panic::set_hook").is_some());
    }
}
