//! Tasks left running: a task handle dropped without a join (`tokio::spawn(..);`,
//! `Self::dispatcher(rx);` returning the handle) detaches the task, which still waits for
//! its channels' end. Nobody waits for it, so no sender lingers in a waiter; but a sender
//! leaked or kept for the life of the program keeps that task alive forever.

use super::*;

impl<'a> Interp<'a> {
    /// The drains of a task handle the code drops here.
    pub(super) fn detach(&mut self, val: &Val) {
        if !self.recording || self.env.is_none() {
            return;
        }
        for drain in &val.drains {
            if self.facts.channels[drain.chan].param.is_some() {
                continue;
            }
            self.facts.waits.push(Wait {
                chan: drain.chan,
                at: drain.wait,
                form: WaitForm::Drain,
                stmt_line: self.stmt_line,
                indent: self.shared.lines.indentation(self.stmt_line).to_string(),
                held: Vec::new(),
                parked: Vec::new(),
                in_drop: false,
            });
        }
    }
}
