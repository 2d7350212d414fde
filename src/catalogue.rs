//! The one table of what chanlint knows about the ecosystem: channel libraries, their
//! constructors and sender types, the functions that start tasks and the scopes that join them.
//!
//! Paths are written as they resolve after `use` expansion (see `resolve.rs`). Adding a library
//! is adding a row here plus fixtures; the analysis never names a library itself.

/// How a channel ends for its receiver.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChannelKind {
    /// Many values; the receiver sees the end when every sender is gone.
    Stream,
    /// One value; awaiting the receiver ends with the value or when the sender is gone.
    Oneshot,
}

pub struct Library {
    pub name: &'static str,
    /// Module paths under which the constructors and types live.
    pub modules: &'static [&'static str],
    pub constructors: &'static [&'static str],
    pub kind: ChannelKind,
    pub sender_types: &'static [&'static str],
}

pub const LIBRARIES: &[Library] = &[
    Library {
        name: "std::sync::mpsc",
        modules: &["std::sync::mpsc", "core::sync::mpsc"],
        constructors: &["channel", "sync_channel"],
        kind: ChannelKind::Stream,
        sender_types: &["Sender", "SyncSender"],
    },
    Library {
        name: "crossbeam-channel",
        modules: &["crossbeam_channel", "crossbeam::channel"],
        constructors: &["unbounded", "bounded"],
        kind: ChannelKind::Stream,
        sender_types: &["Sender"],
    },
    Library {
        name: "flume",
        modules: &["flume"],
        constructors: &["unbounded", "bounded"],
        kind: ChannelKind::Stream,
        sender_types: &["Sender"],
    },
    Library {
        name: "tokio::sync::mpsc",
        modules: &["tokio::sync::mpsc"],
        constructors: &["channel", "unbounded_channel"],
        kind: ChannelKind::Stream,
        sender_types: &["Sender", "UnboundedSender"],
    },
    Library {
        name: "tokio::sync::oneshot",
        modules: &["tokio::sync::oneshot"],
        constructors: &["channel"],
        kind: ChannelKind::Oneshot,
        sender_types: &["Sender"],
    },
    Library {
        name: "futures::channel::mpsc",
        modules: &["futures::channel::mpsc", "futures_channel::mpsc"],
        constructors: &["channel", "unbounded"],
        kind: ChannelKind::Stream,
        sender_types: &["Sender", "UnboundedSender"],
    },
    Library {
        name: "futures::channel::oneshot",
        modules: &["futures::channel::oneshot", "futures_channel::oneshot"],
        constructors: &["channel"],
        kind: ChannelKind::Oneshot,
        sender_types: &["Sender"],
    },
    Library {
        name: "async-channel",
        modules: &["async_channel", "async_std::channel", "smol::channel"],
        constructors: &["bounded", "unbounded"],
        kind: ChannelKind::Stream,
        sender_types: &["Sender"],
    },
    Library {
        name: "kanal",
        modules: &["kanal"],
        constructors: &["bounded", "unbounded", "bounded_async", "unbounded_async"],
        kind: ChannelKind::Stream,
        sender_types: &["Sender", "AsyncSender"],
    },
];

/// Free functions that run their closure or future on another task and return a handle to it.
pub const SPAWN_FUNCTIONS: &[&str] = &[
    "std::thread::spawn",
    "tokio::spawn",
    "tokio::task::spawn",
    "tokio::task::spawn_blocking",
    "tokio::task::spawn_local",
    "rayon::spawn",
    "rayon::spawn_fifo",
    "async_std::task::spawn",
    "async_std::task::spawn_blocking",
    "async_std::task::spawn_local",
    "smol::spawn",
];

/// Methods that start a task: `thread::Builder::spawn`, `Scope::spawn`, `JoinSet::spawn`,
/// `Runtime::spawn`, `Handle::spawn_blocking`, ...
pub const SPAWN_METHODS: &[&str] = &[
    "spawn",
    "spawn_blocking",
    "spawn_local",
    "spawn_scoped",
    "spawn_fifo",
];

/// Functions that call their closure once, on the current thread, and return only after every
/// task spawned on the scope handed to the closure has finished.
pub const SCOPE_FUNCTIONS: &[&str] = &[
    "std::thread::scope",
    "crossbeam::scope",
    "crossbeam::thread::scope",
    "crossbeam_utils::thread::scope",
    "rayon::scope",
    "rayon::scope_fifo",
    "rayon::in_place_scope",
];

/// Functions that run a future to completion on the current thread.
pub const BLOCK_ON_FUNCTIONS: &[&str] = &[
    "futures::executor::block_on",
    "futures_executor::block_on",
    "async_std::task::block_on",
    "smol::block_on",
    "tokio_test::block_on",
];

/// Method forms of `BLOCK_ON_FUNCTIONS` (`Runtime::block_on`, `Handle::block_on`).
pub const BLOCK_ON_METHODS: &[&str] = &["block_on"];

/// Calls that wrap their argument in a value that keeps it alive: the result holds the argument.
pub const WRAPPERS: &[&str] = &[
    "Some",
    "Ok",
    "Err",
    "Box::new",
    "Rc::new",
    "Arc::new",
    "Mutex::new",
    "RwLock::new",
    "RefCell::new",
    "Cell::new",
    "UnsafeCell::new",
    "Option::Some",
    "Vec::from",
];

/// Types whose `new` wraps a receiver in a stream that ends when the channel ends.
pub const RECEIVER_WRAPPERS: &[&str] = &["ReceiverStream", "UnboundedReceiverStream"];

/// Functions that combine task handles into one future that waits for all of them.
pub const JOIN_FUNCTIONS: &[&str] = &["join_all", "try_join_all"];

/// Methods that stop a task: awaiting its handle afterwards no longer waits for a channel.
pub const ABORT_METHODS: &[&str] = &["abort", "abort_all"];

/// Methods that store their arguments in the receiver (`senders.push(tx)`).
pub const STORING_METHODS: &[&str] = &[
    "push",
    "push_back",
    "push_front",
    "insert",
    "extend",
    "append",
    "replace",
    "get_or_insert",
    "set",
];

/// Sends whose only failure is a dropped receiver.
pub const PLAIN_SENDS: &[&str] = &[
    "send",
    "blocking_send",
    "send_async",
    "send_blocking",
    "unbounded_send",
];

/// Macros whose arguments are only borrowed (formatting and assertions).
pub const BORROWING_MACROS: &[&str] = &[
    "println",
    "print",
    "eprintln",
    "eprint",
    "format",
    "format_args",
    "write",
    "writeln",
    "panic",
    "assert",
    "assert_eq",
    "assert_ne",
    "debug_assert",
    "debug_assert_eq",
    "debug_assert_ne",
    "unreachable",
    "todo",
    "unimplemented",
    "trace",
    "debug",
    "info",
    "warn",
    "error",
    "log",
];

/// Iterator and stream adapters that keep every item: a chain of them over a receiver still
/// runs until the channel ends.
pub const DRAINING_ADAPTERS: &[&str] = &[
    "iter",
    "into_iter",
    "into_stream",
    "stream",
    "map",
    "filter",
    "filter_map",
    "enumerate",
    "inspect",
    "flat_map",
    "flatten",
    "peekable",
    "cloned",
    "copied",
    "then",
    "boxed",
    "fuse",
    "ready_chunks",
    "chunks",
    "buffered",
    "buffer_unordered",
];

/// Consumers that pull every item out of an iterator or stream.
pub const DRAINING_CONSUMERS: &[&str] = &[
    "collect",
    "for_each",
    "for_each_concurrent",
    "fold",
    "count",
    "sum",
    "product",
    "last",
    "max",
    "min",
    "max_by_key",
    "min_by_key",
    "unzip",
];

/// Receive calls that wait for the next value and report the end of the channel.
pub const RECV_METHODS: &[&str] = &["recv", "recv_async", "next", "recv_many"];

/// Receive calls on a oneshot receiver that wait for the value or the end.
pub const ONESHOT_BLOCKING_RECV: &[&str] = &["blocking_recv", "recv"];

/// Methods that turn a strong sender into one that does not keep the channel open.
pub const DOWNGRADE_METHODS: &[&str] = &["downgrade"];

/// Methods on a join handle that block until the task finishes.
pub const JOIN_METHODS: &[&str] = &["join"];

/// Methods on a set of tasks that return a future; awaiting it waits for the tasks.
pub const ASYNC_JOIN_METHODS: &[&str] = &["join_next", "join_all", "shutdown"];

/// Resolved paths of `drop`.
pub const DROP_FUNCTIONS: &[&str] = &["drop", "std::mem::drop", "core::mem::drop"];

/// Library of a resolved constructor path, if it is one.
pub fn constructor(path: &str) -> Option<&'static Library> {
    let (module, name) = path.rsplit_once("::")?;
    LIBRARIES
        .iter()
        .find(|lib| lib.modules.contains(&module) && lib.constructors.contains(&name))
}

pub fn is_spawn_function(path: &str) -> bool {
    SPAWN_FUNCTIONS.contains(&path)
}

pub fn is_scope_function(path: &str) -> bool {
    SCOPE_FUNCTIONS.contains(&path)
}

pub fn is_block_on_function(path: &str) -> bool {
    BLOCK_ON_FUNCTIONS.contains(&path)
}

pub fn is_drop(path: &str) -> bool {
    DROP_FUNCTIONS.contains(&path)
}

/// Whether `path` (resolved, or as written) names a call that wraps its argument.
pub fn is_wrapper(path: &str) -> bool {
    WRAPPERS.iter().any(|w| {
        path == *w
            || path
                .strip_suffix(w)
                .is_some_and(|rest| rest.ends_with("::"))
    })
}

/// Crate names worth resolving: a file that mentions none of these cannot create a channel.
pub fn crate_roots() -> impl Iterator<Item = &'static str> {
    LIBRARIES
        .iter()
        .flat_map(|lib| lib.modules.iter())
        .map(|m| m.split("::").next().unwrap_or(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constructors_resolve_to_their_library() {
        assert_eq!(
            constructor("std::sync::mpsc::channel").unwrap().name,
            "std::sync::mpsc"
        );
        assert_eq!(
            constructor("tokio::sync::oneshot::channel").unwrap().kind,
            ChannelKind::Oneshot
        );
        assert_eq!(
            constructor("crossbeam::channel::bounded").unwrap().name,
            "crossbeam-channel"
        );
        assert!(constructor("tokio::sync::broadcast::channel").is_none());
        assert!(constructor("channel").is_none());
    }

    #[test]
    fn wrappers_match_by_final_segments() {
        assert!(is_wrapper("std::sync::Arc::new"));
        assert!(is_wrapper("Some"));
        assert!(!is_wrapper("Worker::new"));
    }
}
