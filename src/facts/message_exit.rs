//! A drain loop whose only other way out is a `break` in the arm of one message
//! (`ActorEvent::Stop(_) => break`): the loop still expects the channel's end (the `None` of
//! its `while let Some(..)`), and when the task that runs it holds a strong sender of its own
//! channel, that end never comes, whoever fails to send the stop message. Only
//! `self-held-sender` counts such a loop as a wait: a sentinel that a producer sends ends the
//! loop of a waiter that merely kept a sender.

use syn::visit::{self, Visit};

use super::syntax::leaves_loop;

/// Whether every way out of the loop body is an unlabelled `break` in a `match` arm whose
/// pattern names an enum variant by a path (`Msg::Stop`, `Event::Quit(_)`).
pub fn exits_only_on_message(body: &syn::Block) -> bool {
    if !leaves_loop(body) {
        return false;
    }
    let mut finder = MessageExits::default();
    finder.visit_block(body);
    finder.on_message > 0 && !finder.other
}

#[derive(Default)]
struct MessageExits {
    /// Inside the body of a match arm on a message variant.
    in_message_arm: usize,
    nested_loops: usize,
    on_message: usize,
    other: bool,
}

fn names_variant(pat: &syn::Pat) -> bool {
    let path = match pat {
        syn::Pat::TupleStruct(p) => &p.path,
        syn::Pat::Struct(p) => &p.path,
        syn::Pat::Path(p) => &p.path,
        syn::Pat::Or(or) => return or.cases.iter().all(names_variant),
        _ => return false,
    };
    path.segments.len() >= 2
}

impl<'ast> Visit<'ast> for MessageExits {
    fn visit_arm(&mut self, arm: &'ast syn::Arm) {
        let message = names_variant(&arm.pat);
        self.in_message_arm += usize::from(message);
        visit::visit_arm(self, arm);
        self.in_message_arm -= usize::from(message);
    }
    fn visit_expr_break(&mut self, b: &'ast syn::ExprBreak) {
        if b.label.is_some() {
            self.other = true;
        } else if self.nested_loops == 0 {
            if self.in_message_arm > 0 {
                self.on_message += 1;
            } else {
                self.other = true;
            }
        }
        visit::visit_expr_break(self, b);
    }
    fn visit_expr_return(&mut self, _: &'ast syn::ExprReturn) {
        self.other = true;
    }
    fn visit_expr_try(&mut self, _: &'ast syn::ExprTry) {
        self.other = true;
    }
    fn visit_expr_loop(&mut self, e: &'ast syn::ExprLoop) {
        self.nested_loops += 1;
        visit::visit_expr_loop(self, e);
        self.nested_loops -= 1;
    }
    fn visit_expr_while(&mut self, e: &'ast syn::ExprWhile) {
        self.nested_loops += 1;
        visit::visit_expr_while(self, e);
        self.nested_loops -= 1;
    }
    fn visit_expr_for_loop(&mut self, e: &'ast syn::ExprForLoop) {
        self.nested_loops += 1;
        visit::visit_expr_for_loop(self, e);
        self.nested_loops -= 1;
    }
    fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
    fn visit_expr_async(&mut self, _: &'ast syn::ExprAsync) {}
    fn visit_item(&mut self, _: &'ast syn::Item) {}
    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        // A macro that may leave the loop is some other exit.
        if super::syntax::expr_leaves_loop(&syn::Expr::Macro(syn::ExprMacro {
            attrs: Vec::new(),
            mac: mac.clone(),
        })) {
            self.other = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(src: &str) -> syn::Block {
        syn::parse_str(src).unwrap()
    }

    #[test]
    fn a_break_on_a_stop_message_is_a_message_exit() {
        assert!(exits_only_on_message(&body(
            "{ match ev { Event::Run(f) => f(), Event::Stop(_) => break } }"
        )));
    }

    #[test]
    fn other_exits_are_not() {
        assert!(!exits_only_on_message(&body("{ if x > 3 { break } }")));
        assert!(!exits_only_on_message(&body(
            "{ match ev { Event::Stop => break, _ => return } }"
        )));
        assert!(!exits_only_on_message(&body(
            "{ match ev { Some(_) => break, None => {} } }"
        )));
        assert!(!exits_only_on_message(&body("{ work(); }")));
    }
}
