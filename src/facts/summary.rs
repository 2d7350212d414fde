//! Function summaries: what calling a function does with the channels its arguments carry, and
//! what its result carries. A summary is computed once from the function's body, with every
//! parameter bound to placeholder channels, and applied at each call site by replacing the
//! placeholders with what the arguments carry. Summaries outlive the syntax tree, so a crate's
//! files can be summarized in parallel and their trees dropped before the summaries are used.

use super::value::{ChanId, Drain, SenderRef, Val};
use super::Channel;
use crate::loc::Loc;

/// Which part of a parameter a placeholder channel stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// The senders the argument carries.
    Senders,
    /// The receivers the argument carries.
    Receivers,
    /// The handles of draining tasks the argument carries.
    Drains,
    /// The channels the argument reads through an `io::Read` impl (see `Val::readers`).
    Readers,
}

/// Where a constructor's value is in its result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Whole,
    /// One element of a returned tuple.
    Element(usize),
}

/// A channel as a summary sees it.
#[derive(Clone, Debug, PartialEq)]
pub enum Slot {
    /// Whatever argument `index` carries in that role.
    Param(usize, Role),
    /// A channel the function creates: a new one at every call.
    Fresh(Channel),
}

/// What the analysis of one body saw at the function's boundary.
pub struct Observed<'a> {
    pub returns: &'a Val,
    pub waits: &'a [ParamWait],
    pub stores: &'a [(usize, Val)],
    pub endless: &'a [(ChanId, Loc)],
    pub releases: &'a [usize],
    /// Leaks of a parameter's senders (its placeholder channel), where and how.
    pub leaks: &'a [(ChanId, Loc, super::LeakHow)],
    pub self_feeds: &'a [SelfFeed],
    pub ends_with: &'a [(ChanId, Loc)],
    pub keeps: &'a [(usize, Loc, super::LeakHow)],
    pub shared_stores: &'a [(usize, Val)],
    pub shared_waits: &'a [(ChanId, Loc)],
    pub shared_releases: &'a [usize],
}

/// A task the function starts that drains the channel in slot `drained` while it holds a
/// strong sender of the channel in slot `sender` (in the body's own numbering while it is
/// analysed, in slots once summarized).
#[derive(Clone, Debug, PartialEq)]
pub struct SelfFeed {
    pub drained: ChanId,
    pub sender: ChanId,
    /// How the task names the sender (`ctx.tx`).
    pub holder: String,
    pub held_at: Loc,
    pub how: super::value::Acquired,
    /// Where the task waits for the end.
    pub wait: Loc,
}

/// A wait inside the function for the end of a channel its caller passed in.
#[derive(Clone, Debug, PartialEq)]
pub struct SummaryWait {
    pub slot: ChanId,
    pub at: Loc,
    /// Parameters whose senders the function still holds while it waits (a value the caller
    /// gave it, kept to the end).
    pub holding: Vec<HeldParam>,
}

/// A parameter whose senders a function still holds at one of its waits.
#[derive(Clone, Debug, PartialEq)]
pub struct HeldParam {
    pub index: usize,
    /// Where the binding that holds them got them.
    pub at: Loc,
    /// The binding's name.
    pub binding: String,
}

/// A wait of a function on what a parameter carries (its placeholder channel), where, and
/// the parameters whose senders it still holds there.
pub type ParamWait = (ChanId, Loc, Vec<HeldParam>);

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Summary {
    /// The function's path inside its file: inline modules, the impl's type, the name.
    pub key: Vec<String>,
    /// Where `slot` channel ids of `returns` and `waits` point.
    pub slots: Vec<Slot>,
    pub returns: Val,
    pub waits: Vec<SummaryWait>,
    /// What the function stores into a parameter it borrows mutably (`self.subscribers.push(
    /// tx.clone())`): the caller's argument holds it afterwards.
    pub stores: Vec<(usize, Val)>,
    /// Loops the function never leaves, entered while it holds an argument's senders (slot):
    /// a task that calls it never ends and keeps them.
    pub endless: Vec<(ChanId, Loc)>,
    /// The impl type and where its value is in the result, when the function is in an impl
    /// and returns a value of it (a constructor).
    pub constructs: Option<(String, Part)>,
    /// Name of the function, for messages.
    pub name: String,
    /// An `async fn`: its waits happen when the returned future is awaited or spawned.
    pub is_async: bool,
    /// A method that takes `self` by value: the caller's value moves in.
    pub takes_self: bool,
    /// A method (it has a `self` parameter).
    pub has_self: bool,
    /// Parameters whose senders the function takes out or overwrites (`p.tx.take()`,
    /// `p.tx = other`): after the call the argument no longer certainly holds what it held.
    pub releases: Vec<usize>,
    /// The file the function is in, when the summary is applied in another file (for a
    /// catalogue model, the library's crate).
    pub origin: Option<String>,
    /// A catalogue model of a library function (`facts::models`): only its whole resolved
    /// path names it, so a type of the checked code with the same name is not taken for it.
    pub model: bool,
    /// Senders of an argument the function keeps for the life of the program (stored in a
    /// static or handed to a process-wide global): slot, where, how.
    pub leaks: Vec<(ChanId, Loc, super::LeakHow)>,
    /// Parameters whose state the function shares with a process-wide global (`fn install(
    /// &self) { log::set_boxed_logger(Box::new(self.clone())) }`): index, where, which global.
    /// A sender the caller stores into that argument afterwards is kept forever.
    pub keeps: Vec<(usize, Loc, super::LeakHow)>,
    /// What the function stores into a value sharing its state with argument `index` (its own
    /// senders included: `self.logger.register(LspLogger::new(self.conn.sender.clone()))`):
    /// kept for the rest of the program where the caller's argument is a value a global keeps.
    pub shared_stores: Vec<(usize, Val)>,
    /// Where the function waits for the end of a channel it made and stored as above (slot,
    /// where): the caller whose argument a global keeps waits there forever.
    pub shared_waits: Vec<(ChanId, Loc)>,
    /// Parameters out of whose shared state the function takes back what was stored there
    /// (`logger.remove_logger(name)`), also by dropping a value of a type whose `Drop` does
    /// (`main_loop(mut self)` of a `Server` whose `drop` unregisters its logger).
    pub shared_releases: Vec<usize>,
    /// The type its signature says it returns, seen through `Result`, `Option` and sharing
    /// wrappers (`fn to_server(self) -> Result<Server>`): a method called on what it returns
    /// (`.to_server()?.main_loop()`) is that type's.
    pub returns_ty: Option<String>,
    /// Tasks it starts that drain an argument's channel while holding an argument's sender.
    pub self_feeds: Vec<SelfFeed>,
    /// Receives once on an argument's channel (slot) and returns an error at its end (where):
    /// a loop that calls it until it errs drains that channel.
    pub ends_with: Vec<(ChanId, Loc)>,
    /// Not a function: a construction site of another file's type (see `Built`).
    pub built: Option<Built>,
    /// Known only by its signature (`model::receivers`): whether it takes `self` by value,
    /// nothing of its body; a call that hands it channels is still one to follow.
    pub signature_only: bool,
    /// Not a function: a `macro_rules!` of another file of the crate, named `name!`.
    pub macro_rules: Option<std::sync::Arc<super::macro_defs::MacroDef>>,
}

/// A call in this file to another file's constructor of `ty` whose arguments carry a sender
/// and a receiver of one channel: for the type's own file, which sees `self` as so built.
#[derive(Clone, Debug, PartialEq)]
pub struct Built {
    pub ty: String,
    /// The constructor's key, as this file resolved it.
    pub constructor: Vec<String>,
    /// Which channel (an index into `channels`) each argument carries senders and receivers of.
    pub args: Vec<BuiltArg>,
    pub channels: Vec<Channel>,
    /// The call, in the file `path` (set once the file is known).
    pub at: Loc,
    pub path: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct BuiltArg {
    pub senders: Vec<usize>,
    pub receivers: Vec<usize>,
}

impl Summary {
    /// Whether it tells how the function shares a value's state with a process-wide global,
    /// or stores into or waits on what shares its parameters' state.
    pub fn shares_state(&self) -> bool {
        !self.keeps.is_empty()
            || !self.shared_stores.is_empty()
            || !self.shared_waits.is_empty()
            || !self.shared_releases.is_empty()
    }

    /// Whether calling the function matters to any channel.
    pub fn is_trivial(&self) -> bool {
        self.returns.is_empty()
            && self.waits.is_empty()
            && self.leaks.is_empty()
            && self.stores.is_empty()
            && self.endless.is_empty()
            && self.releases.is_empty()
            && self.self_feeds.is_empty()
            && self.built.is_none()
            && self.macro_rules.is_none()
            && self.ends_with.is_empty()
            && self.keeps.is_empty()
            && self.shared_stores.is_empty()
            && self.shared_releases.is_empty()
    }

    /// Whether calling the function makes a channel (or starts a task on one) that the caller
    /// gets back: only then can a file with no channel of its own be affected by it.
    pub fn makes_channels(&self) -> bool {
        self.slots.iter().any(|s| matches!(s, Slot::Fresh(_)))
            || self.macro_rules.as_ref().is_some_and(|m| m.makes_channels)
    }

    /// Builds a summary from what the analysis of a body saw, in one file's channel numbering.
    pub fn from_analysis(
        key: Vec<String>,
        sig: &syn::Signature,
        constructs: Option<(String, Part)>,
        channels: &[Channel],
        seen: Observed,
    ) -> Summary {
        let mut slots: Vec<(ChanId, Slot)> = Vec::new();
        let slot_of = std::cell::RefCell::new(|chan: ChanId| -> ChanId {
            if let Some(i) = slots.iter().position(|(c, _)| *c == chan) {
                return i;
            }
            let ch = &channels[chan];
            let slot = match ch.param {
                Some((index, role)) => Slot::Param(index, role),
                None => Slot::Fresh(ch.clone()),
            };
            slots.push((chan, slot));
            slots.len() - 1
        });
        let template = |val: &Val| {
            map_val(val, &mut |c| vec![(slot_of.borrow_mut())(c)], &mut |d| {
                vec![Drain {
                    chan: (slot_of.borrow_mut())(d.chan),
                    ..d.clone()
                }]
            })
        };
        let returns = template(seen.returns);
        let stores = seen
            .stores
            .iter()
            .map(|(index, val)| (*index, template(val)))
            .collect();
        let shared_stores = seen
            .shared_stores
            .iter()
            .map(|(index, val)| (*index, template(val)))
            .collect();
        let shared_waits = seen
            .shared_waits
            .iter()
            .map(|&(chan, at)| ((slot_of.borrow_mut())(chan), at))
            .collect();
        let endless = seen
            .endless
            .iter()
            .map(|&(chan, at)| ((slot_of.borrow_mut())(chan), at))
            .collect();
        let leaks = seen
            .leaks
            .iter()
            .map(|(chan, at, how)| ((slot_of.borrow_mut())(*chan), *at, how.clone()))
            .collect();
        let waits = seen
            .waits
            .iter()
            .map(|(chan, at, holding)| SummaryWait {
                slot: (slot_of.borrow_mut())(*chan),
                at: *at,
                holding: holding.clone(),
            })
            .collect();
        let self_feeds = seen
            .self_feeds
            .iter()
            .map(|feed| {
                let drained = (slot_of.borrow_mut())(feed.drained);
                let sender = (slot_of.borrow_mut())(feed.sender);
                SelfFeed {
                    drained,
                    sender,
                    ..feed.clone()
                }
            })
            .collect();
        let ends_with = seen
            .ends_with
            .iter()
            .map(|&(chan, at)| ((slot_of.borrow_mut())(chan), at))
            .collect();
        Summary {
            key,
            keeps: seen.keeps.to_vec(),
            shared_stores,
            shared_waits,
            shared_releases: seen.shared_releases.to_vec(),
            returns_ty: None,
            self_feeds,
            ends_with,
            built: None,
            signature_only: false,
            macro_rules: None,
            name: sig.ident.to_string(),
            is_async: sig.asyncness.is_some(),
            takes_self: matches!(
                sig.inputs.first(),
                Some(syn::FnArg::Receiver(r)) if matches!(r.kind, syn::ReceiverKind::Value)
            ),
            constructs,
            slots: slots.into_iter().map(|(_, s)| s).collect(),
            returns,
            waits,
            stores,
            endless,
            has_self: sig.receiver().is_some(),
            releases: seen.releases.to_vec(),
            origin: None,
            model: false,
            leaks,
        }
    }

    /// Whether the function may be what a call the analysis could not follow called: `call` is
    /// a written path (`conn::connect`) or `.method`; `carried`: an argument or the receiver
    /// carried a channel. A call that carried none matters only if the function makes one.
    pub fn explains(&self, call: &str, carried: bool) -> bool {
        if self.built.is_some() {
            return false;
        }
        if let Some(def) = &self.macro_rules {
            // A use of a macro the file could not expand: `name!`, or `first::name!` for a
            // macro of the module (or the binary's library) that the key starts with. One
            // none of whose arms can be expanded changes nothing.
            let named = match call.rsplit_once("::") {
                Some((first, name)) => {
                    name == self.name && self.key.first().is_some_and(|k| k == first)
                }
                None => call == self.name,
            };
            return named && !def.rules.is_empty() && (carried || def.makes_channels);
        }
        let named = match call.strip_prefix('.') {
            Some(method) => self.has_self && self.name == method,
            None => {
                let path: Vec<String> = call.split("::").map(str::to_string).collect();
                self.matches(&path)
            }
        };
        // A method that makes its receiver share its state with a global, or takes back out of
        // it what was stored there, matters though nothing carried a channel yet
        // (`logger.install()`, then a sender stored into it; `logger.remove_logger(name)`).
        let shares = !self.keeps.is_empty() || !self.shared_releases.is_empty();
        named && (carried || self.makes_channels() || (shares && self.has_self))
    }

    /// Whether the function decides what becomes of the senders a caller hands it as
    /// parameter `index`: it keeps them (returns them, as a wrapper's constructor does, or
    /// stores them into a parameter it borrows) or releases them (takes them out of that
    /// argument). A caller summarized without it guessed: an argument passed by value is
    /// taken for gone, one lent for still held.
    pub fn keeps_or_releases(&self, index: usize) -> bool {
        self.releases.contains(&index) || self.keeps(index)
    }

    /// Whether the function keeps the senders handed to it as parameter `index` (see
    /// `keeps_or_releases`).
    pub fn keeps(&self, index: usize) -> bool {
        let theirs = |val: &Val| {
            let val = val.clone().flattened();
            val.senders.iter().any(|s| {
                matches!(self.slots.get(s.chan), Some(Slot::Param(i, Role::Senders)) if *i == index)
            })
        };
        theirs(&self.returns) || self.stores.iter().any(|(_, stored)| theirs(stored))
    }

    /// Whether the function keeps or releases any parameter's senders.
    pub fn keeps_or_releases_any(&self) -> bool {
        !self.releases.is_empty()
            || !self.stores.is_empty()
            || self
                .slots
                .iter()
                .any(|slot| matches!(slot, Slot::Param(_, Role::Senders)))
                && self
                    .returns
                    .clone()
                    .flattened()
                    .senders
                    .iter()
                    .any(|s| matches!(self.slots.get(s.chan), Some(Slot::Param(_, Role::Senders))))
    }

    pub fn explains_any(&self, calls: &std::collections::HashMap<String, bool>) -> bool {
        calls
            .iter()
            .any(|(call, &carried)| self.explains(call, carried))
    }

    /// Whether a written path (`connect`, `Connection::new`, `crate::io::spawn_writer`) names
    /// this function: its segments, without `crate`/`self`/`super`, end the summary's key.
    pub fn matches(&self, path: &[String]) -> bool {
        if self.model {
            return self.key == path;
        }
        path_names(&self.key, path)
    }
}

/// The name an open call (`conn::connect`, `.run`, `name!`) looks a summary up by.
pub fn called_name(call: &str) -> &str {
    call.rsplit(['.', ':']).next().unwrap_or(call)
}

/// Whether a written path names the function with this key: the path's segments, without
/// `crate`/`self`/`super`, end the key.
pub fn path_names(key: &[String], path: &[String]) -> bool {
    let path: Vec<&String> = path
        .iter()
        .skip_while(|s| matches!(s.as_str(), "crate" | "self" | "super"))
        .collect();
    !path.is_empty()
        && path.len() <= key.len()
        && key[key.len() - path.len()..]
            .iter()
            .zip(&path)
            .all(|(a, b)| a == *b)
}

/// Re-points every channel of a value: `chans` gives the new ids of one old id (maybe none),
/// `drains` the new handles for one old handle.
pub fn map_val(
    val: &Val,
    chans: &mut impl FnMut(ChanId) -> Vec<ChanId>,
    drains: &mut impl FnMut(&Drain) -> Vec<Drain>,
) -> Val {
    Val {
        senders: val
            .senders
            .iter()
            .flat_map(|s| {
                chans(s.chan)
                    .into_iter()
                    .map(|chan| SenderRef { chan, ..s.clone() })
                    .collect::<Vec<_>>()
            })
            .collect(),
        receivers: val.receivers.iter().flat_map(|&r| chans(r)).collect(),
        receiver_fields: val
            .receiver_fields
            .iter()
            .flat_map(|(r, field)| {
                chans(*r)
                    .into_iter()
                    .map(|chan| (chan, field.clone()))
                    .collect::<Vec<_>>()
            })
            .collect(),
        readers: val.readers.iter().flat_map(|&r| chans(r)).collect(),
        iterated_by_impl: val.iterated_by_impl,
        drains: val.drains.iter().flat_map(&mut *drains).collect(),
        drains_when_run: val.drains_when_run.iter().flat_map(&mut *drains).collect(),
        scope_handle: val.scope_handle,
        once: val.once,
        kept: val.kept.clone(),
        shares_params: val.shares_params.clone(),
        parts: val.parts.as_ref().map(|parts| {
            parts
                .iter()
                .map(|p| map_val(p, &mut *chans, &mut *drains))
                .collect()
        }),
    }
}
