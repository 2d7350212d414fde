//! The catalogue's models of library types that own a channel end, as the summaries a call
//! of the library applies: `Connection::stdio()` returns a connection holding the sender of
//! a fresh channel and the handle of the writer task that drains it, just as the summary of a
//! function of the checked code that did the same would say.

use std::sync::OnceLock;

use super::summary::{Role, Slot, Summary, SummaryWait};
use super::value::{Acquired, Drain, SenderRef, Val};
use super::Channel;
use crate::catalogue::{self, OwnerModel, OWNER_MODELS};
use crate::loc::Loc;

/// The summaries of every built-in model, made once.
pub fn builtin() -> &'static [Summary] {
    static SUMMARIES: OnceLock<Vec<Summary>> = OnceLock::new();
    SUMMARIES.get_or_init(|| OWNER_MODELS.iter().flat_map(summaries).collect())
}

/// The summaries of the models a configuration adds (none without one).
pub fn configured(catalogue: &catalogue::Catalogue) -> Vec<Summary> {
    catalogue
        .configured_models()
        .iter()
        .flat_map(|m| summaries(m))
        .collect()
}

fn summaries(model: &OwnerModel) -> Vec<Summary> {
    let mut out = Vec::new();
    for name in model.with_drain {
        let (slots, chans) = fresh(model, 1);
        let holder = holder_of(model, chans[0]);
        let handle = Val {
            drains: vec![Drain {
                chan: chans[0],
                wait: Loc::default(),
                task: Loc::default(),
                field: None,
                keeps_open: Vec::new(),
            }],
            ..Val::default()
        };
        out.push(Summary {
            slots,
            returns: Val::tuple(vec![holder, handle]),
            ..function(model, model.holder, name, false)
        });
    }
    for name in model.cross_wired {
        let (slots, chans) = fresh(model, 2);
        let mut first = holder_of(model, chans[0]);
        first.receivers.push(chans[1]);
        let mut second = holder_of(model, chans[1]);
        second.receivers.push(chans[0]);
        out.push(Summary {
            slots,
            returns: Val::tuple(vec![first, second]),
            ..function(model, model.holder, name, false)
        });
    }
    for name in model.handle_joins {
        out.push(Summary {
            slots: vec![Slot::Param(0, Role::Drains)],
            waits: vec![SummaryWait {
                slot: 0,
                at: Loc::default(),
                holding: Vec::new(),
            }],
            takes_self: true,
            ..function(model, model.handle, name, true)
        });
    }
    for name in model.borrowing {
        out.push(function(model, model.holder, name, true));
    }
    out
}

/// A summary of `krate::ty::name` that does nothing yet.
fn function(model: &OwnerModel, ty: &str, name: &str, has_self: bool) -> Summary {
    Summary {
        key: vec![model.krate.to_string(), ty.to_string(), name.to_string()],
        name: name.to_string(),
        has_self,
        origin: Some(model.krate.to_string()),
        model: true,
        ..Summary::default()
    }
}

/// `count` channels the function makes, each at a position of its own (a call makes one new
/// channel per position).
fn fresh(model: &OwnerModel, count: usize) -> (Vec<Slot>, Vec<usize>) {
    let library = catalogue::library(model.library);
    let slots = (0..count)
        .map(|i| {
            Slot::Fresh(Channel {
                created: Loc {
                    column: i + 1,
                    ..Loc::default()
                },
                library: library.map_or(model.library, |l| l.name),
                kind: library.map_or(catalogue::ChannelKind::Stream, |l| l.kind),
                param: None,
                origin: None,
                in_loop: false,
                bounded: false,
            })
        })
        .collect();
    (slots, (0..count).collect())
}

/// A value of the holder type with the sender of `chan` in its sender field.
fn holder_of(model: &OwnerModel, chan: usize) -> Val {
    Val {
        senders: vec![SenderRef {
            chan,
            at: Loc::default(),
            how: Acquired::Created,
            field: Some(model.sender_field.to_string()),
        }],
        ..Val::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lsp_server_stdio_returns_a_sender_and_its_drain() {
        let stdio = builtin()
            .iter()
            .find(|s| s.key == ["lsp_server", "Connection", "stdio"])
            .unwrap();
        assert!(stdio.makes_channels());
        let parts = stdio.returns.parts.as_ref().unwrap();
        assert_eq!(parts[0].senders[0].chan, parts[1].drains[0].chan);
        assert!(stdio.matches(&["lsp_server".into(), "Connection".into(), "stdio".into()]));
        assert!(!stdio.matches(&["Connection".into(), "stdio".into()]));
    }
}
