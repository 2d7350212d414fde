//! A value built in another file from both ends of one channel: `Worker::new(rx, tx.clone())`
//! where `Worker::new` stores them in fields. The file that builds it records which arguments
//! share a channel (a `Summary` whose `built` is set, passed around like every summary); the
//! file of the type then looks at its methods with `self` as so built, so a `run(mut self)`
//! that drains `self.rx` while `self.tx` is alive is seen, wherever the worker is built and run.

use super::*;
use crate::facts::summary::{Built, BuiltArg};
use crate::facts::Origin;

impl<'a> Interp<'a> {
    /// At a call of another file's constructor: when its arguments carry a sender and a
    /// receiver of one channel, the shape of the arguments, for the type's own file.
    pub(super) fn note_built_elsewhere(&mut self, summary: &Summary, args: &[Val], at: Loc) {
        let Some((ty, _)) = &summary.constructs else {
            return;
        };
        if summary.origin.is_none() {
            return;
        }
        let mut groups: Vec<ChanId> = Vec::new();
        let mut shape = Vec::new();
        let mut group_of = |chan: ChanId| match groups.iter().position(|&c| c == chan) {
            Some(g) => g,
            None => {
                groups.push(chan);
                groups.len() - 1
            }
        };
        let real = |chan: &ChanId| {
            let ch = &self.facts.channels[*chan];
            ch.param.is_none() && !ch.in_loop
        };
        for arg in args {
            let arg = arg.clone().flattened();
            shape.push(BuiltArg {
                senders: arg
                    .senders
                    .iter()
                    .map(|s| s.chan)
                    .filter(real)
                    .map(&mut group_of)
                    .collect(),
                receivers: arg
                    .receivers
                    .iter()
                    .filter(|c| real(c))
                    .map(|&c| group_of(c))
                    .collect(),
            });
        }
        let fed = (0..groups.len()).any(|g| {
            shape.iter().any(|a| a.senders.contains(&g))
                && shape.iter().any(|a| a.receivers.contains(&g))
        });
        if !fed {
            return;
        }
        let channels = groups
            .iter()
            .map(|&c| self.facts.channels[c].clone())
            .collect();
        self.facts.built_elsewhere.push(Summary {
            built: Some(Built {
                ty: ty.clone(),
                constructor: summary.key.clone(),
                args: shape,
                channels,
                at,
                path: None,
            }),
            ..Summary::default()
        });
    }

    /// What the file's constructor `summary` builds when called with the arguments of a
    /// construction site in another file: a channel of this file for each channel there.
    pub(super) fn built_as_elsewhere(&mut self, summary: &Summary, body: Loc) -> Vec<Val> {
        let Some(ty) = summary.constructs.as_ref().map(|(ty, _)| ty.clone()) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for site in self.shared.summaries.built_elsewhere(&ty) {
            let Some(built) = &site.built else {
                continue;
            };
            if !crate::facts::summary::path_names(&built.constructor, &summary.key) {
                continue;
            }
            let ids: Vec<ChanId> = built
                .channels
                .iter()
                .enumerate()
                .map(|(g, channel)| {
                    let mut channel = channel.clone();
                    channel.origin = Some(Origin {
                        function: String::new(),
                        path: built.path.clone().unwrap_or_default(),
                        line: built.at.line,
                        column: built.at.column,
                    });
                    channel.created = body;
                    let key = (
                        Loc {
                            column: usize::MAX - 8 - g,
                            ..body
                        },
                        built.at,
                    );
                    self.channel_made(channel, key)
                })
                .collect();
            let args: Vec<Val> = built
                .args
                .iter()
                .map(|a| Val {
                    senders: a
                        .senders
                        .iter()
                        .map(|&g| SenderRef {
                            chan: ids[g],
                            at: body,
                            how: Acquired::Stored,
                            field: None,
                        })
                        .collect(),
                    receivers: a.receivers.iter().map(|&g| ids[g]).collect(),
                    ..Val::default()
                })
                .collect();
            out.push(self.apply_summary(summary, &args, &[], body, true));
        }
        out
    }
}
