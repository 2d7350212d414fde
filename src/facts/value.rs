//! The abstract values the ownership analysis tracks: what a value carries (senders, receivers,
//! handles of tasks that drain a channel), and the local bindings that own them.

use crate::loc::Loc;

pub type ChanId = usize;

/// How the holder came to own the sender; it decides the wording of the finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Acquired {
    /// Bound from the channel constructor (`let (tx, rx) = channel()`).
    Created,
    /// A `.clone()` bound to a local.
    Cloned,
    /// Moved into a binding (`let tx2 = tx;`).
    Bound,
    /// Moved into a value that contains it (struct, tuple, `Vec`, `Option`, `Mutex`, `Arc`).
    Stored,
    /// Captured by a `move` closure or `async move` block.
    Captured,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SenderRef {
    pub chan: ChanId,
    /// Where the current holder got it: the primary span of a finding.
    pub at: Loc,
    pub how: Acquired,
    /// The struct field it was stored under, when it sits in a struct literal.
    pub field: Option<String>,
}

impl SenderRef {
    /// How a finding names the sender when `binding` holds it: `conn.sender` for a field.
    pub fn holder_name(&self, binding: &str) -> String {
        match &self.field {
            Some(field) => format!("{binding}.{field}"),
            None => binding.to_string(),
        }
    }
}

/// A task handle (or a set of them) whose task ends only when `chan` ends.
#[derive(Clone, Debug, PartialEq)]
pub struct Drain {
    pub chan: ChanId,
    /// Where the task waits for the end of the channel.
    pub wait: Loc,
    /// Where the task was started.
    pub task: Loc,
    /// The struct field the handle was stored under, when it sits in a struct literal.
    pub field: Option<String>,
    /// Channels the task still holds senders of while it waits: they close only after `chan`.
    pub keeps_open: Vec<ChanId>,
}

/// What a value carries. `parts` keeps the elements of a tuple apart for destructuring.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Val {
    pub senders: Vec<SenderRef>,
    pub receivers: Vec<ChanId>,
    /// The struct field each receiver was stored under, for a value built by a struct literal
    /// (`Self { queue: Queue::new(), params }`): reading another field gives none of them. A
    /// receiver with no entry may sit under any field.
    pub receiver_fields: Vec<(ChanId, String)>,
    /// Receivers the value reads from through an `io::Read`/`BufRead` impl of the checked code
    /// that receives from a channel field: reading it to the end drains them.
    pub readers: Vec<ChanId>,
    /// The value's type has an `Iterator` or `Stream` impl in the checked code: iterating it
    /// yields from its `readers` alone (an impl whose `next` uses `try_recv` yields from
    /// none), whatever other receivers it holds.
    pub iterated_by_impl: bool,
    /// Task handles that end only when a channel ends; joining or awaiting them waits for it.
    pub drains: Vec<Drain>,
    /// A closure or future that, when run, waits for these channels to end.
    pub drains_when_run: Vec<Drain>,
    /// The scope handle of `thread::scope(|s| ..)`: `s.spawn` starts a scoped task.
    pub scope_handle: bool,
    /// A `move` closure whose body gives up something it captured (`drop(tx)`): it is
    /// `FnOnce`, and calling it consumes it with its captures.
    pub once: bool,
    /// The value shares its state with one a process-wide global keeps (`log::set_boxed_logger(
    /// Box::new(logger.clone()))` with an `Arc`-backed logger): a sender stored into it later
    /// is kept for the rest of the program too.
    pub kept: Vec<Kept>,
    /// While a function is summarized: the value shares its state with what the caller passed
    /// as these parameters (`ServerSetup::new(conn, logger)` of a parameter `logger`), which
    /// may be a value a global keeps there. Not a content of its own: `is_empty` ignores it.
    pub shares_params: Vec<usize>,
    pub parts: Option<Vec<Val>>,
}

/// Where a value came to share its state with a process-wide global, and which one.
#[derive(Clone, Debug, PartialEq)]
pub struct Kept {
    pub at: Loc,
    pub how: super::LeakHow,
}

impl Val {
    pub fn is_empty(&self) -> bool {
        self.senders.is_empty()
            && self.receivers.is_empty()
            && self.readers.is_empty()
            && self.drains.is_empty()
            && self.drains_when_run.is_empty()
            && !self.scope_handle
            && self.kept.is_empty()
            && self
                .parts
                .as_ref()
                .is_none_or(|p| p.iter().all(Val::is_empty))
    }

    pub fn tuple(parts: Vec<Val>) -> Val {
        Val {
            parts: Some(parts),
            ..Val::default()
        }
    }

    /// Everything the value carries, with tuple structure forgotten.
    pub fn flattened(self) -> Val {
        let mut out = Val {
            parts: None,
            ..self.clone()
        };
        if let Some(parts) = self.parts {
            for part in parts {
                out.absorb(part);
            }
        }
        out
    }

    pub fn absorb(&mut self, other: Val) {
        let other = other.flattened();
        self.senders.extend(other.senders);
        self.receivers.extend(other.receivers);
        self.receiver_fields.extend(other.receiver_fields);
        self.readers.extend(other.readers);
        self.iterated_by_impl |= other.iterated_by_impl;
        self.drains.extend(other.drains);
        self.drains_when_run.extend(other.drains_when_run);
        self.scope_handle |= other.scope_handle;
        self.once |= other.once;
        for kept in other.kept {
            if !self.kept.contains(&kept) {
                self.kept.push(kept);
            }
        }
        for index in other.shares_params {
            if !self.shares_params.contains(&index) {
                self.shares_params.push(index);
            }
        }
    }

    pub fn union(mut self, other: Val) -> Val {
        self = self.flattened();
        self.absorb(other);
        self
    }

    /// The value as a new holder owns it: every sender re-pointed to where it is now held.
    pub fn held_at(self, at: Loc, how: Acquired, field: Option<&str>) -> Val {
        let mut val = self.flattened();
        for sender in &mut val.senders {
            sender.at = at;
            sender.how = how;
            if field.is_some() {
                sender.field = field.map(str::to_string);
            }
        }
        if let Some(field) = field {
            for drain in &mut val.drains {
                drain.field = Some(field.to_string());
            }
            // Under this field of the new holder, whatever field of the old value held it.
            val.receiver_fields = val
                .receivers
                .iter()
                .map(|&r| (r, field.to_string()))
                .collect();
        }
        val
    }

    /// The receivers a read of `field` may give: those stored under it, and those whose field
    /// is not known.
    pub fn receivers_under(&self, field: &str) -> Vec<ChanId> {
        self.receivers
            .iter()
            .copied()
            .filter(|&r| {
                let mut tags = self
                    .receiver_fields
                    .iter()
                    .filter(|(c, _)| *c == r)
                    .peekable();
                tags.peek().is_none() || tags.any(|(_, f)| f == field)
            })
            .collect()
    }

    /// A borrow of the value: it can be waited on, but it keeps nothing alive.
    pub fn borrowed(&self) -> Val {
        let mut val = self.clone().flattened();
        val.senders.clear();
        val
    }
}

/// A local binding and what it owns at this point of the flow.
#[derive(Clone, Debug)]
pub struct Var {
    pub name: String,
    pub val: Val,
    /// Moved out on some path: it no longer certainly holds anything.
    pub moved: bool,
    /// Which closure or task body the binding belongs to (0: the function itself).
    pub frame: usize,
    /// Came into a task body by capture rather than being bound inside it.
    pub captured: bool,
    pub decl: Loc,
    /// `let _ = name;` seen: the author probably believed this dropped it.
    pub let_underscore: Option<Loc>,
    /// How many loops enclose the declaration, to know whether a `drop` can be inserted.
    pub loop_depth: usize,
    /// The type its declaration names, seen through `&`, `Arc`, `Box`.. (see `light_types`).
    pub ty: Option<String>,
    /// A reference parameter (`registry: &ToolRegistry`): passing it on copies or reborrows
    /// the reference, and what it refers to stays with its owner. (`&self` is not one: a
    /// method's summary says what it does to its own value, `Drop` included.)
    pub lent: bool,
    /// A guard of another binding's state (`let mut shared = self.shared.write();`): what is
    /// stored through it is stored into that binding.
    pub guard_of: Option<usize>,
}

/// The bindings alive at one point of the flow, oldest first; shadowed ones stay (and stay alive).
#[derive(Clone, Debug, Default)]
pub struct Env {
    pub vars: Vec<Var>,
}

impl Env {
    pub fn lookup(&self, name: &str) -> Option<usize> {
        self.vars.iter().rposition(|v| v.name == name)
    }

    /// The state after two paths meet: moved if moved on either path.
    pub fn join(self, other: &Env) -> Env {
        self.join_with(other, false)
    }

    /// `join` at a loop's head or end: a binding of before the loop that only gained senders
    /// in the body (`senders.push(tx.clone())`) holds them after it. That assumes the body
    /// ran once: a loop that never runs stores nothing, the one path where no sender stays.
    pub fn join_loop(self, other: &Env) -> Env {
        self.join_with(other, true)
    }

    fn join_with(mut self, other: &Env, keep_gains: bool) -> Env {
        for (mine, theirs) in self.vars.iter_mut().zip(&other.vars) {
            if mine.name != theirs.name {
                continue;
            }
            let neither_moved = !mine.moved && !theirs.moved;
            mine.moved |= theirs.moved;
            // What a value may be waited on for is kept from both paths.
            for d in &theirs.val.drains {
                if !mine
                    .val
                    .drains
                    .iter()
                    .any(|m| m.chan == d.chan && m.wait == d.wait)
                {
                    mine.val.drains.push(d.clone());
                }
            }
            for r in &theirs.val.receivers {
                if !mine.val.receivers.contains(r) {
                    mine.val.receivers.push(*r);
                    let tags = theirs.val.receiver_fields.iter().filter(|(c, _)| c == r);
                    mine.val.receiver_fields.extend(tags.cloned());
                }
            }
            mine.let_underscore = mine.let_underscore.or(theirs.let_underscore);
            if mine.val.senders.len() != theirs.val.senders.len() {
                let within = |a: &Val, b: &Val| {
                    a.senders
                        .iter()
                        .all(|s| b.senders.iter().any(|t| t.chan == s.chan && t.at == s.at))
                };
                if keep_gains && neither_moved && within(&mine.val, &theirs.val) {
                    mine.val.senders = theirs.val.senders.clone();
                } else if !(keep_gains && neither_moved && within(&theirs.val, &mine.val)) {
                    // A holder emptied on one path (`take()`, `= None`) no longer certainly
                    // holds.
                    mine.moved = true;
                }
            }
        }
        self
    }
}

/// Joins two possibly unreachable states.
pub fn join(a: Option<Env>, b: Option<Env>) -> Option<Env> {
    join_reachable(a, b, false)
}

/// Joins a loop's entry or iteration ends (see `Env::join_loop`).
pub fn join_loop(a: Option<Env>, b: Option<Env>) -> Option<Env> {
    join_reachable(a, b, true)
}

fn join_reachable(a: Option<Env>, b: Option<Env>, keep_gains: bool) -> Option<Env> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.join_with(&b, keep_gains)),
        (a, None) => a,
        (None, b) => b,
    }
}
