//! Ownership facts about every channel of a file, computed once and queried by the rules:
//! where each channel is made, and at every point where code waits for a channel to end,
//! which senders of it are still certainly held by the waiting code.

mod interp;
pub mod macro_defs;
mod macros;
mod message_exit;
mod models;
pub mod parking_sinks;
pub mod reply_maps;
pub mod summary;
mod syntax;
pub mod value;

use crate::catalogue::ChannelKind;
use crate::loc::Loc;
pub use value::{Acquired, ChanId};

pub use interp::{
    analyze_file, analyze_file_in, analyze_file_with, analyze_items_in, impl_types, FileContext,
};

#[derive(Clone, Debug, PartialEq)]
pub struct Channel {
    pub created: Loc,
    pub library: &'static str,
    pub kind: ChannelKind,
    /// A placeholder for what a parameter carries, while a function is summarized: never
    /// reported on its own.
    pub param: Option<(usize, summary::Role)>,
    /// Made inside a function of another file: that function and where it makes it.
    pub origin: Option<Origin>,
    /// Made inside a loop: one id stands for a new channel at every iteration, so a sender
    /// and a receiver of this id may belong to different channels.
    pub in_loop: bool,
    /// Made by a constructor of bounded capacity: a send into it waits for a reader.
    pub bounded: bool,
}

/// A place in another file of the crate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub function: String,
    pub path: String,
    pub line: usize,
    pub column: usize,
}

/// How the code waits for a channel to end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WaitForm {
    /// A loop or iterator that runs until the channel ends (`for v in rx`, `while let`).
    Drain,
    /// Awaiting a oneshot receiver.
    Oneshot,
    /// Joining or awaiting a task that drains the channel.
    Join { task: Loc, drain: Loc },
    /// The end of a `thread::scope`, which joins a scoped thread that drains the channel.
    ScopeEnd { task: Loc, drain: Loc },
    /// Calling a function that drains the channel, or joins a task that does.
    Call {
        function: String,
        /// Where the function waits, when it is in this file.
        drain: Option<Loc>,
    },
    /// Sending into a bounded channel (made at `blocked`) whose receiving end was handed out
    /// together with this channel's: the consumer may read this one to its end first.
    HandOff { blocked: Loc },
}

/// A sender of the waited-on channel that the waiting code certainly still holds.
#[derive(Clone, Debug)]
pub struct Held {
    /// The local binding that holds it (directly or inside a value).
    pub holder: String,
    pub at: Loc,
    pub how: Acquired,
    /// The holder came into the waiting task by capture (the task holds its own channel open).
    pub captured: bool,
    pub let_underscore: Option<Loc>,
    /// `drop(holder);` right before the wait's statement would compile and fix it.
    pub droppable: bool,
    /// The sender is of another channel, whose end a task waits for before it drops its
    /// sender of the waited-on channel.
    pub via: Option<Bridge>,
    /// The holder is a binding of the called function whose wait this is (the caller gave
    /// it the sender): that function's name.
    pub in_callee: Option<String>,
}

/// A task that drains channel `from` while it holds a sender of channel `to`: `to` cannot
/// end before `from` does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bridge {
    pub from: ChanId,
    pub to: ChanId,
    pub task: Loc,
    pub drain: Loc,
}

#[derive(Clone, Debug)]
pub struct Wait {
    pub chan: ChanId,
    pub at: Loc,
    pub form: WaitForm,
    /// First line of the statement that contains the wait, and that line's indentation.
    pub stmt_line: usize,
    pub indent: String,
    pub held: Vec<Held>,
    /// Oneshot reply senders the waiting code keeps parked in a container (a pending-request
    /// map): not held on purpose, they are meant to be taken out elsewhere.
    pub parked: Vec<Held>,
    /// The wait is in `Drop::drop`, where `self`'s fields are still alive.
    pub in_drop: bool,
}

/// A sender the code holds, named by its holder.
#[derive(Clone, Debug)]
pub struct HeldSender {
    pub chan: ChanId,
    pub holder: String,
    /// Where the holder got it.
    pub at: Loc,
    pub how: Acquired,
}

/// A `loop` in a task that has no way out (no `break`, `return`, `?`, panic or exit), reached
/// while the task holds senders: they stay alive as long as the program runs.
#[derive(Clone, Debug)]
pub struct EndlessTask {
    /// Where the task is started.
    pub task: Loc,
    pub loop_at: Loc,
    pub held: Vec<HeldSender>,
    /// The loop leaves only when a send of the held senders fails (`if tx.send(v).is_err() {
    /// break }`), which is only once the receivers are gone.
    pub leaves_on_send_failure: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LeakHow {
    /// Stored in a `static` (also `OnceLock`, `lazy_static!`, `thread_local!`) that the file
    /// never empties.
    Static(String),
    /// `mem::forget` of the sender or of a value holding it.
    Forget,
    /// `Box::leak` of a box holding the sender.
    BoxLeak,
    /// Wrapped in `ManuallyDrop` and never dropped by hand.
    ManuallyDrop,
    /// Handed to a function that keeps it for the rest of the process (`log::set_boxed_logger`,
    /// `std::panic::set_hook`): the function's path and what it keeps.
    Global {
        setter: &'static str,
        keeps: &'static str,
    },
}

/// A sender that is never dropped: the program keeps it to the end.
#[derive(Clone, Debug)]
pub struct Leak {
    pub chan: ChanId,
    /// Where the sender is leaked or stored.
    pub at: Loc,
    pub how: LeakHow,
    /// Where the leaked value got the sender.
    pub acquired: Loc,
}

/// Where a sender of a channel ends up stored: a struct field or a `static`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Place {
    /// `field` of every value of the struct `ty` (named by its last path segment).
    Field {
        ty: String,
        field: String,
    },
    Static(String),
}

/// A sender of `chan` stored into `place` (a struct literal's field, a store into a static).
#[derive(Clone, Debug)]
pub struct Store {
    pub place: Place,
    pub chan: ChanId,
    pub at: Loc,
}

/// An explicit close of the sender in `place` (`take()`, `= None`, `close()`) that an earlier
/// error exit (`?`, `return Err(..)`, `bail!`) of the same function skips, while the place
/// outlives the exit (a field of `&self`/`&mut self`, a `static`).
#[derive(Clone, Debug)]
pub struct SkippedClose {
    pub place: Place,
    /// How the code names the place (`self.tx`).
    pub written: String,
    pub exit: Loc,
    pub close: Loc,
}

/// A send of a message named by an enum variant (`tx.send(Msg::Done)`) that error exits of
/// the same body, evaluated before it, skip.
#[derive(Clone, Debug)]
pub struct DoneSend {
    pub chan: ChanId,
    pub variant: String,
    pub at: Loc,
    pub exits: Vec<Loc>,
}

/// A reply sender taken out of a shared map (`pending.lock().unwrap().remove(&id)`), skipped
/// by error exits of the same body evaluated before it.
#[derive(Clone, Debug)]
pub struct TakeOut {
    pub chan: ChanId,
    pub at: Loc,
    pub exits: Vec<Loc>,
}

/// A oneshot reply sender sent inside a message through another channel
/// (`tx.send(Msg::Req(id, reply_tx))`): the task receiving the messages holds it.
#[derive(Clone, Debug)]
pub struct ReplySend {
    pub chan: ChanId,
    pub at: Loc,
    /// The message's type, when the send builds it in place (`Msg { .. }`, `Msg::new(..)`,
    /// `Msg::Req(..)`): the last type segment.
    pub message: Option<String>,
}

/// A loop that counts messages of one variant instead of waiting for the channel's end
/// (`while done < n { match rx.recv() { .. Msg::Done => done += 1 } }`), and the senders the
/// counting code holds meanwhile: they keep `recv()` blocking when a message never comes.
#[derive(Clone, Debug)]
pub struct CountedReceive {
    pub chan: ChanId,
    pub variant: String,
    pub at: Loc,
    pub held: Vec<Held>,
}

#[derive(Clone, Debug, Default)]
pub struct FileFacts {
    pub channels: Vec<Channel>,
    pub waits: Vec<Wait>,
    pub endless_tasks: Vec<EndlessTask>,
    pub leaks: Vec<Leak>,
    pub stores: Vec<Store>,
    pub skipped_closes: Vec<SkippedClose>,
    pub done_sends: Vec<DoneSend>,
    pub counted_receives: Vec<CountedReceive>,
    pub take_outs: Vec<TakeOut>,
    pub stranded_replies: Vec<reply_maps::StrandedReply>,
    pub reply_polls: Vec<reply_maps::ReplyPoll>,
    pub reply_sends: Vec<ReplySend>,
    pub parking_sinks: Vec<parking_sinks::ParkingSink>,
    /// Functions whose analysis was cut short (budget or depth), with the reason.
    pub incomplete: Vec<(Loc, String)>,
    /// Names of calls the file could not follow, and whether an argument (or the receiver)
    /// carried a channel: a function of another file of the crate may explain them.
    /// `None` when not asked for.
    pub open_calls: Option<std::collections::HashMap<String, bool>>,
    /// Of those, the methods called on a binding that held channel ends: the receiver kind of
    /// the method (which another file knows) decides whether the call moves them.
    pub open_on_holders: std::collections::HashSet<String>,
    /// Constructions of other files' types from both ends of a channel (summaries with
    /// `built` set), for the types' own files.
    pub built_elsewhere: Vec<summary::Summary>,
    /// What the file's summaries took from or left to other files' functions (only when
    /// `open_calls` is asked for).
    pub across: CallsAcross,
    /// A value of the file came to share its state with a process-wide global (a clone handed
    /// to `log::set_boxed_logger`, or a method whose summary `keeps` its receiver): the
    /// stores into shared values that other files' functions make matter to its crate.
    pub keeps_globals: bool,
}

/// A parameter's senders handed to a call the file could not follow.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ParamHandoff {
    /// The function whose parameter it is (its key in the file, joined by `::`).
    pub function: String,
    /// That function is a method.
    pub method: bool,
    /// The call as written (`EventSender::new`, `.detach_events`).
    pub call: String,
    /// The callee's parameter (`self` is 0 for a method).
    pub position: usize,
    /// Lent (`&x`, a method's receiver): the file took them for still held; otherwise moved
    /// in, and taken for gone.
    pub lent: bool,
}

/// What a file's own summaries depend on in other files' functions, for the later rounds:
/// which calls to read the file again for, and which changed summaries to check it again for.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CallsAcross {
    /// Calls the file could not follow that were handed a parameter's senders (moved in or
    /// lent), with the callee's parameter position (`self` is 0 for a method): the file's
    /// summary guessed what the callee does with them (`FileFacts::open_calls`).
    pub param_handoffs: std::collections::HashSet<ParamHandoff>,
    /// Keys (joined by `::`) of other files' functions whose summaries the file applied.
    pub followed: std::collections::HashSet<String>,
    /// Calls of other files' functions (as written, or the key of the summary followed) that
    /// were handed senders of a channel whose end the file waits for: only what they keep or release can change a
    /// finding of the file.
    pub feeds_waits: std::collections::HashSet<String>,
    /// While the file is analysed: each such call's name and the channel whose senders it
    /// was handed (`feeds_waits` keeps those of the channels waited for).
    pub handed_real: Vec<(String, ChanId)>,
}
