//! The one table of what chanlint knows about the ecosystem: channel libraries, their
//! constructors and sender types, the functions that start tasks and the scopes that join them.
//!
//! Paths are written as they resolve after `use` expansion (see `resolve.rs`). Adding a library
//! is adding a row here plus fixtures; the analysis never names a library itself.

mod methods;
mod models;
pub use methods::*;
pub use models::*;

/// How a channel ends for its receiver.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChannelKind {
    /// Many values; the receiver sees the end when every sender is gone.
    Stream,
    /// One value; awaiting the receiver ends with the value or when the sender is gone.
    Oneshot,
}

#[derive(Debug)]
pub struct Library {
    pub name: &'static str,
    /// Module paths under which the constructors and types live.
    pub modules: &'static [&'static str],
    pub constructors: &'static [&'static str],
    pub kind: ChannelKind,
    pub sender_types: &'static [&'static str],
    /// Whether its senders can be downgraded to weak ones, which do not keep it open.
    pub weak_senders: bool,
    /// Methods of a sender that return a new receiver of its channel (`broadcast::Sender::
    /// subscribe`).
    pub subscribe_methods: &'static [&'static str],
    /// Associated functions (`Type::function`, under `modules`) that make a channel and return
    /// only its sender (`watch::Sender::new(init)`): receivers come from `subscribe_methods`.
    pub sender_constructors: &'static [&'static str],
    /// Constructors of channels of bounded capacity, whose send blocks (or awaits) while the
    /// channel is full: with no reader, a send into one waits.
    pub bounded_constructors: &'static [&'static str],
}

pub const LIBRARIES: &[Library] = &[
    Library {
        name: "std::sync::mpsc",
        modules: &["std::sync::mpsc", "core::sync::mpsc"],
        constructors: &["channel", "sync_channel"],
        kind: ChannelKind::Stream,
        sender_types: &["Sender", "SyncSender"],
        weak_senders: false,
        subscribe_methods: &[],
        sender_constructors: &[],
        bounded_constructors: &["sync_channel"],
    },
    Library {
        name: "crossbeam-channel",
        modules: &["crossbeam_channel", "crossbeam::channel"],
        constructors: &["unbounded", "bounded"],
        kind: ChannelKind::Stream,
        sender_types: &["Sender"],
        weak_senders: false,
        subscribe_methods: &[],
        sender_constructors: &[],
        bounded_constructors: &["bounded"],
    },
    Library {
        name: "flume",
        modules: &["flume"],
        constructors: &["unbounded", "bounded"],
        kind: ChannelKind::Stream,
        sender_types: &["Sender"],
        weak_senders: true,
        subscribe_methods: &[],
        sender_constructors: &[],
        bounded_constructors: &["bounded"],
    },
    Library {
        name: "tokio::sync::mpsc",
        modules: &["tokio::sync::mpsc"],
        constructors: &["channel", "unbounded_channel"],
        kind: ChannelKind::Stream,
        sender_types: &["Sender", "UnboundedSender"],
        weak_senders: true,
        subscribe_methods: &[],
        sender_constructors: &[],
        bounded_constructors: &["channel"],
    },
    Library {
        name: "tokio::sync::broadcast",
        modules: &["tokio::sync::broadcast"],
        constructors: &["channel"],
        kind: ChannelKind::Stream,
        sender_types: &["Sender"],
        weak_senders: true,
        subscribe_methods: &["subscribe"],
        sender_constructors: &["Sender::new"],
        bounded_constructors: &[],
    },
    // One value that receivers watch change: `rx.changed().await` errs once every sender is
    // gone, so `while rx.changed().await.is_ok()` waits for the end; `borrow()` never waits.
    Library {
        name: "tokio::sync::watch",
        modules: &["tokio::sync::watch"],
        constructors: &["channel"],
        kind: ChannelKind::Stream,
        sender_types: &["Sender"],
        weak_senders: false,
        subscribe_methods: &["subscribe"],
        sender_constructors: &["Sender::new"],
        bounded_constructors: &[],
    },
    Library {
        name: "tokio::sync::oneshot",
        modules: &["tokio::sync::oneshot"],
        constructors: &["channel"],
        kind: ChannelKind::Oneshot,
        sender_types: &["Sender"],
        weak_senders: false,
        subscribe_methods: &[],
        sender_constructors: &[],
        bounded_constructors: &[],
    },
    Library {
        name: "futures::channel::mpsc",
        modules: &["futures::channel::mpsc", "futures_channel::mpsc"],
        constructors: &["channel", "unbounded"],
        kind: ChannelKind::Stream,
        sender_types: &["Sender", "UnboundedSender"],
        weak_senders: false,
        subscribe_methods: &[],
        sender_constructors: &[],
        bounded_constructors: &["channel"],
    },
    Library {
        name: "futures::channel::oneshot",
        modules: &["futures::channel::oneshot", "futures_channel::oneshot"],
        constructors: &["channel"],
        kind: ChannelKind::Oneshot,
        sender_types: &["Sender"],
        weak_senders: false,
        subscribe_methods: &[],
        sender_constructors: &[],
        bounded_constructors: &[],
    },
    Library {
        name: "async-channel",
        modules: &["async_channel", "async_std::channel", "smol::channel"],
        constructors: &["bounded", "unbounded"],
        kind: ChannelKind::Stream,
        sender_types: &["Sender"],
        weak_senders: true,
        subscribe_methods: &[],
        sender_constructors: &[],
        bounded_constructors: &["bounded"],
    },
    // smol's broadcast channel: `recv().await` reports `Err(RecvError::Closed)` once every
    // sender is gone (or one of them called `close()`); no weak senders.
    Library {
        name: "async-broadcast",
        modules: &["async_broadcast"],
        constructors: &["broadcast"],
        kind: ChannelKind::Stream,
        sender_types: &["Sender"],
        weak_senders: false,
        subscribe_methods: &["new_receiver"],
        sender_constructors: &[],
        bounded_constructors: &["broadcast"],
    },
    // thingbuf's array-backed channels (async and `blocking`): `recv()`/`recv_ref()` return
    // `None` once every sender is gone, as tokio's mpsc.
    Library {
        name: "thingbuf",
        modules: &["thingbuf::mpsc", "thingbuf::mpsc::blocking"],
        constructors: &["channel", "with_recycle"],
        kind: ChannelKind::Stream,
        sender_types: &["Sender"],
        weak_senders: false,
        subscribe_methods: &[],
        sender_constructors: &[],
        bounded_constructors: &["channel", "with_recycle"],
    },
    Library {
        name: "kanal",
        modules: &["kanal"],
        constructors: &["bounded", "unbounded", "bounded_async", "unbounded_async"],
        kind: ChannelKind::Stream,
        sender_types: &["Sender", "AsyncSender"],
        weak_senders: false,
        subscribe_methods: &[],
        sender_constructors: &[],
        bounded_constructors: &["bounded", "bounded_async"],
    },
];

/// Whether the library's senders can be downgraded to weak ones (`name` as in `Library`).
pub fn has_weak_senders(name: &str) -> bool {
    LIBRARIES.iter().any(|l| l.name == name && l.weak_senders)
}

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

/// Constructors (`Type::function`) that wrap a receiver in a stream that ends when the channel
/// ends (tokio-stream's wrappers; a `BroadcastStream` also yields `Err(Lagged)` items, and
/// goes on after them).
pub const RECEIVER_WRAPPERS: &[&str] = &[
    "ReceiverStream::new",
    "ReceiverStream::from",
    "UnboundedReceiverStream::new",
    "UnboundedReceiverStream::from",
    "BroadcastStream::new",
    "BroadcastStream::from",
    "WatchStream::new",
    "WatchStream::from",
    "WatchStream::from_changes",
];

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
    "broadcast",
    "broadcast_direct",
    "broadcast_blocking",
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

/// Adapters whose closure makes each item: the items carry what the closure's result does.
pub const ITEM_MAPPING_ADAPTERS: &[&str] = &["map", "filter_map", "flat_map"];

/// Adapters and consumers whose closure is given each item in turn, as the chain is consumed.
pub const ITEM_CLOSURE_ADAPTERS: &[&str] =
    &["map", "filter_map", "flat_map", "for_each", "try_for_each"];

/// Consumers that keep every item in the collection they return.
pub const COLLECTING_CONSUMERS: &[&str] = &["collect", "unzip"];

/// Consumers that pull every item out of an iterator or stream.
pub const DRAINING_CONSUMERS: &[&str] = &[
    "collect",
    "for_each",
    "for_each_concurrent",
    "try_for_each",
    "try_for_each_concurrent",
    "try_fold",
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
    // `stream.forward(sink)`: sends every item into the sink, until the stream ends.
    "forward",
];

/// Receive calls that wait for the next value and report the end of the channel
/// (`changed`: a watch receiver's wait for the next value, `Err` at the end).
pub const RECV_METHODS: &[&str] = &[
    "recv",
    "recv_async",
    "next",
    "recv_many",
    "changed",
    "recv_direct",
    "recv_blocking",
    "recv_ref",
];

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

/// The built-in tables plus the rows a configuration adds for in-house wrappers. The analysis
/// asks this value, never the configuration; the built-in rows stay in the tables above.
#[derive(Clone, Debug, Default)]
pub struct Catalogue {
    /// Functions that return a `(sender, receiver)` pair, with the library whose semantics
    /// (kind, wait forms) the pair follows.
    constructors: Vec<(String, &'static Library)>,
    /// Functions that run their closure or future on another task, like `SPAWN_FUNCTIONS`.
    spawn_functions: Vec<String>,
    /// Configured rows of `OWNER_MODELS`: in-house types that own a channel end.
    models: Vec<&'static OwnerModel>,
    /// `constructor_words`, built on first use (after every configured row is in).
    gate_words: std::sync::OnceLock<crate::gate::Words>,
}

/// The built-in tables alone.
pub static BUILTIN: Catalogue = Catalogue {
    constructors: Vec::new(),
    spawn_functions: Vec::new(),
    models: Vec::new(),
    gate_words: std::sync::OnceLock::new(),
};

impl Catalogue {
    pub fn add_constructor(&mut self, path: &str, library: &'static Library) {
        self.constructors.push((path.to_string(), library));
    }

    pub fn add_spawn_function(&mut self, path: &str) {
        self.spawn_functions.push(path.to_string());
    }

    /// A configured model joins the built-in rows, which are `&'static`: the row is read once
    /// a run and lives as long as the process, so it is leaked rather than given a lifetime
    /// every model consumer would have to carry.
    pub fn add_model(&mut self, model: OwnerModel) {
        self.models.push(Box::leak(Box::new(model)));
    }

    /// The configured models (the built-in ones are `OWNER_MODELS`).
    pub fn configured_models(&self) -> &[&'static OwnerModel] {
        &self.models
    }

    /// Whether the catalogue has rows for the crate a path starts with (`tokio`, `lsp_server`,
    /// `log`): its rows win over the crate's sources, which are then not read.
    pub fn models_crate(&self, krate: &str) -> bool {
        let first = |path: &str| path.split("::").next() == Some(krate);
        LIBRARIES
            .iter()
            .any(|lib| lib.modules.iter().any(|m| first(m)))
            || OWNER_MODELS
                .iter()
                .chain(self.models.iter().copied())
                .any(|m| m.krate == krate)
            || GLOBAL_SETTERS.iter().any(|g| first(g.path))
            || SPAWN_FUNCTIONS
                .iter()
                .chain(SCOPE_FUNCTIONS)
                .chain(BLOCK_ON_FUNCTIONS)
                .any(|f| first(f))
            || self.constructors.iter().any(|(path, _)| first(path))
            || self.spawn_functions.iter().any(|path| first(path))
    }

    /// Whether a file's bytes name the crate of a built-in or configured model: only then can
    /// it call into the model (the byte scan reads such a file even when it names no channel
    /// constructor).
    pub fn mentions_model(&self, bytes: &[u8]) -> bool {
        OWNER_MODELS
            .iter()
            .chain(self.models.iter().copied())
            .any(|m| memchr::memmem::find(bytes, m.krate.as_bytes()).is_some())
    }

    /// Library of a resolved constructor path, if it is one.
    pub fn constructor(&self, resolved: &str) -> Option<&'static Library> {
        constructor(resolved).or_else(|| {
            self.constructors
                .iter()
                .find(|(path, _)| names(path, resolved))
                .map(|(_, lib)| *lib)
        })
    }

    pub fn is_spawn_function(&self, resolved: &str) -> bool {
        is_spawn_function(resolved) || self.spawn_functions.iter().any(|p| names(p, resolved))
    }

    /// `constructor_words` for the gate, built once.
    pub fn gate_words(&self) -> &crate::gate::Words {
        self.gate_words.get_or_init(|| crate::gate::Words::of(self))
    }

    /// The identifiers a file must write to create a channel (`gate`): every constructor's
    /// name, built-in or configured, and the last segment of each library module (`mpsc`,
    /// `crossbeam_channel`, `watch`), which a file that imports a channel's types writes, as
    /// one that calls a sender-only constructor (`watch::Sender::new`) does.
    pub fn constructor_words(&self) -> Vec<&str> {
        let mut words: Vec<&str> = LIBRARIES
            .iter()
            .flat_map(|lib| {
                let modules = lib
                    .modules
                    .iter()
                    .map(|m| m.rsplit("::").next().unwrap_or(m));
                lib.constructors.iter().copied().chain(modules)
            })
            .chain(
                self.constructors
                    .iter()
                    .map(|(path, _)| path.rsplit("::").next().unwrap_or(path)),
            )
            .collect();
        words.sort_unstable();
        words.dedup();
        words
    }
}

/// Whether a configured path names a resolved call path: the same path, its final segments
/// (`chan::pair` names `inhouse::chan::pair`), or, for code inside the configured crate,
/// the same path under `crate::` (`inhouse::chan::pair` names `crate::chan::pair`).
fn names(configured: &str, resolved: &str) -> bool {
    let suffix_of = |long: &str, short: &str| {
        long.strip_suffix(short)
            .is_some_and(|rest| rest.ends_with("::"))
    };
    configured == resolved
        || suffix_of(resolved, configured)
        || resolved.strip_prefix("crate::").is_some_and(|in_crate| {
            configured
                .split_once("::")
                .is_some_and(|(_, path)| path == in_crate)
        })
}

/// The built-in library row of a name (`"std::sync::mpsc"`, `"crossbeam-channel"`, ...).
pub fn library(name: &str) -> Option<&'static Library> {
    LIBRARIES.iter().find(|lib| lib.name == name)
}

/// Library of a resolved path to a function that makes a channel and returns only its sender.
pub fn sender_constructor(path: &str) -> Option<&'static Library> {
    LIBRARIES.iter().find(|lib| {
        lib.sender_constructors.iter().any(|f| {
            path.strip_suffix(f)
                .and_then(|module| module.strip_suffix("::"))
                .is_some_and(|module| lib.modules.contains(&module))
        })
    })
}

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
        assert_eq!(
            constructor("tokio::sync::broadcast::channel").unwrap().name,
            "tokio::sync::broadcast"
        );
        assert_eq!(
            constructor("tokio::sync::watch::channel").unwrap().name,
            "tokio::sync::watch"
        );
        assert!(library("tokio::sync::watch")
            .unwrap()
            .subscribe_methods
            .contains(&"subscribe"));
        assert!(constructor("tokio::sync::watch::Receiver").is_none());
        assert_eq!(
            sender_constructor("tokio::sync::watch::Sender::new")
                .unwrap()
                .name,
            "tokio::sync::watch"
        );
        assert!(sender_constructor("tokio::sync::mpsc::Sender::new").is_none());
        assert!(sender_constructor("watch::Sender::new").is_none());
        assert_eq!(
            constructor("thingbuf::mpsc::blocking::channel")
                .unwrap()
                .name,
            "thingbuf"
        );
        assert_eq!(
            constructor("async_broadcast::broadcast").unwrap().name,
            "async-broadcast"
        );
        assert!(constructor("channel").is_none());
    }

    #[test]
    fn added_rows_extend_the_built_in_ones() {
        let mut cat = Catalogue::default();
        cat.add_constructor("inhouse::chan::pair", library("crossbeam-channel").unwrap());
        cat.add_spawn_function("rt::spawn_named");
        for path in [
            "inhouse::chan::pair",
            "crate::chan::pair",
            "x::inhouse::chan::pair",
        ] {
            assert_eq!(
                cat.constructor(path).unwrap().name,
                "crossbeam-channel",
                "{path}"
            );
        }
        for path in [
            "pair",
            "other::chan::pair",
            "chan::pairs",
            "crate::pair",
            "crate::hchan::pair",
        ] {
            assert!(cat.constructor(path).is_none(), "{path}");
        }
        assert_eq!(cat.constructor("flume::bounded").unwrap().name, "flume");
        assert!(cat.is_spawn_function("inhouse::rt::spawn_named"));
        assert!(cat.is_spawn_function("std::thread::spawn"));
        assert!(!cat.is_spawn_function("spawn_named"));
        assert!(!BUILTIN.is_spawn_function("inhouse::rt::spawn_named"));
        assert!(cat.constructor_words().contains(&"pair"));
        assert!(!BUILTIN.constructor_words().contains(&"pair"));
    }

    #[test]
    fn wrappers_match_by_final_segments() {
        assert!(is_wrapper("std::sync::Arc::new"));
        assert!(is_wrapper("Some"));
        assert!(!is_wrapper("Worker::new"));
    }
}
