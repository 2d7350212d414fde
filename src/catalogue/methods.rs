//! What methods and macros of std and common crates do to their receiver and arguments, one
//! list per behaviour. A name may have several behaviours: `lock` only borrows its receiver
//! and its result is a view of it (`VIEWS`, in both `borrows_receiver` and `passes_through`).
//! Matched by name alone: a crate's own method of the same name is taken for the std one.

/// Methods that return another handle to the same value (`Dupe::dupe` is gazebo's cheap
/// clone): a sender's clone keeps the channel open like the original.
pub const CLONING_METHODS: &[&str] = &["clone", "dupe"];

/// Methods that take their receiver by value (a holder called this way is consumed).
pub const CONSUMING_STD_METHODS: &[&str] = &[
    "unwrap",
    "expect",
    "unwrap_or",
    "unwrap_or_else",
    "unwrap_or_default",
    "ok_or",
    "ok_or_else",
    "join",
    "into_inner",
    "clear",
    "drain",
    "pop",
    "truncate",
    "retain",
    "split_off",
    "close",
    "close_channel",
    "disconnect",
];

/// Methods that only borrow their receiver, whatever it holds (besides `VIEWS`).
const BORROWING_STD_METHODS: &[&str] = &[
    // `io::Write` and `io::Read` take `&mut self`.
    "write",
    "write_all",
    "write_fmt",
    "flush",
    "read",
    "read_exact",
    "read_line",
    "read_to_end",
    "read_to_string",
    "iter",
    "iter_mut",
    "len",
    "is_empty",
    "get",
    "get_mut",
    "first",
    "last",
    "send",
    "try_send",
    "is_some",
    "is_none",
    "contains_key",
    "contains",
    "values",
    "keys",
    "values_mut",
    "try_lock",
    "blocking_send",
    "send_async",
    "is_closed",
    "capacity",
    "same_channel",
    "reserve",
    "send_timeout",
    "unbounded_send",
    "try_recv",
    "recv_timeout",
    "map",
    "to_string",
    "fmt",
    "hash",
    "eq",
    "send_deadline",
    "start_send",
    "poll_ready",
    "try_reserve",
    "closed",
    "max_capacity",
    "is_disconnected",
    "is_full",
    "receiver_count",
    "sender_count",
    "strong_count",
    "weak_count",
    "poll_closed",
    "is_canceled",
    "cancellation",
    "send_blocking",
    "force_send",
    "send_modify",
    "send_replace",
    "as_async",
    "as_sync",
    "clone_from",
    "is_terminated",
    "flush",
    "feed",
    "send_all",
    // tokio's watch: reading or marking the current value never waits or moves the receiver.
    "borrow_and_update",
    "has_changed",
    "mark_changed",
    "mark_unchanged",
    "send_if_modified",
    // async-broadcast's sends and settings.
    "broadcast",
    "broadcast_direct",
    "broadcast_blocking",
    "try_broadcast",
    "set_capacity",
    "set_overflow",
    "set_await_active",
    // thingbuf's in-place send.
    "send_ref",
];

/// Methods that borrow their receiver and return a view of it: `tx.lock().unwrap()` is `tx`.
const VIEWS: &[&str] = &[
    "lock",
    "read",
    "write",
    "borrow",
    "borrow_mut",
    "as_ref",
    "as_mut",
];

/// Methods whose result is their receiver, unwrapped (besides `VIEWS`).
const UNWRAPPING: &[&str] = &[
    "unwrap",
    "expect",
    "unwrap_or_default",
    "unwrap_or_else",
    "ok",
    "map_err",
    "context",
    "with_context",
];

/// Whether a method only borrows its receiver, whatever it holds.
pub fn borrows_receiver(method: &str) -> bool {
    VIEWS.contains(&method) || BORROWING_STD_METHODS.contains(&method)
}

/// Whether a method's result is (a view of) its receiver.
pub fn passes_through(method: &str) -> bool {
    VIEWS.contains(&method) || UNWRAPPING.contains(&method)
}

/// Methods that put their argument into the value they are called on.
pub const STORING_IN_PLACE: &[&str] = &[
    "set",
    "get_or_init",
    "get_or_try_init",
    "get_or_insert",
    "get_or_insert_with",
    "with",
    "with_borrow_mut",
    "push",
    "push_back",
    "push_front",
    "insert",
    "replace",
    "extend",
];

/// Methods that take a value out of a holder (or empty it).
pub const CLEARING_METHODS: &[&str] = &[
    "take",
    "clear",
    "remove",
    "drain",
    "pop",
    "pop_front",
    "pop_back",
    "retain",
    "truncate",
    "replace",
    "swap",
    "split_off",
    "swap_remove",
    "remove_entry",
    "close",
    "close_channel",
    "disconnect",
];

/// Methods that close the channel of the sender they are called on (or take it out).
pub const CLOSING_METHODS: &[&str] = &["take", "close", "close_channel", "disconnect", "clear"];

/// Methods that wrap a future and still run it (`fut.instrument(span)`).
pub const WRAPPING_FUTURE_METHODS: &[&str] = &["instrument", "in_current_span", "boxed", "fuse"];

/// Macros that format or log their arguments: they borrow them, and never leave or panic.
pub const FORMATTING_MACROS: &[&str] = &[
    "println",
    "print",
    "eprintln",
    "eprint",
    "format",
    "format_args",
    "write",
    "writeln",
    "trace",
    "debug",
    "info",
    "warn",
    "error",
    "log",
    "event",
    "span",
    "trace_span",
    "debug_span",
    "info_span",
    "warn_span",
    "error_span",
];

/// Macros that may panic and otherwise only borrow their arguments.
pub const PANICKING_MACROS: &[&str] = &[
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
];

/// Macros that build a value and never leave or panic.
pub const BUILDING_MACROS: &[&str] = &["vec", "dbg"];

/// Macros that return from the enclosing function.
pub const RETURNING_MACROS: &[&str] = &["bail", "ensure", "try", "return_err"];

/// Macros that wait on several operations and run the arm of the first one ready
/// (tokio, futures, crossbeam-channel): read arm by arm (`facts::macros`).
pub const SELECT_MACROS: &[&str] = &["select", "select_biased"];

/// Macros that run every future given to them to its end (tokio, futures).
pub const JOIN_MACROS: &[&str] = &["join", "try_join"];

/// Macros that only test their first argument against a pattern.
pub const MATCHING_MACROS: &[&str] = &["matches", "assert_matches", "debug_assert_matches"];

/// Whether a macro's arguments are only borrowed (formatting and assertions).
pub fn borrows_arguments(name: &str) -> bool {
    FORMATTING_MACROS.contains(&name) || PANICKING_MACROS.contains(&name)
}

/// Whether a macro never leaves, panics or moves: anything else may.
pub fn is_quiet_macro(name: &str) -> bool {
    FORMATTING_MACROS.contains(&name) || BUILDING_MACROS.contains(&name)
}
