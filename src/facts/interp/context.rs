//! What every function of a file sees of the whole file: its imports, statics, functions and
//! the methods that consume `self`. A small file reads them from its tree; a big file, whose
//! items are analysed group by group, collects them beforehand from every group's tokens
//! (`FileContext::add_tokens`), without a full parse.

use std::collections::{HashMap, HashSet};

use proc_macro2::{Delimiter, Group, Spacing, TokenStream, TokenTree};
use syn::Item;

use super::{leaks, local_functions, methods_by_receiver, LocalFns};
use crate::resolve::Imports;

#[derive(Default)]
pub struct FileContext {
    pub(super) consuming: HashSet<String>,
    /// Names of the file's methods that take `&self` or `&mut self`, and that no method of
    /// the file takes `self` by value under: calling one borrows its receiver.
    pub(super) borrowing: HashSet<String>,
    pub(super) imports: Imports,
    pub(super) statics: HashSet<String>,
    pub(super) local_fns: LocalFns,
    /// Statics the file empties somewhere: what they hold is not leaked.
    pub(super) cleared: HashSet<String>,
    /// For a big file: names that appear in a statement that may empty something; the statics
    /// among them count as cleared.
    maybe_cleared: HashSet<String>,
    /// Fields that some struct of the file declares with a type that may be a receiver; the
    /// others are `plain_fields`.
    maybe_receiver_fields: HashSet<String>,
    /// Fields that every struct of the file that has one declares with a type that is not a
    /// receiver (a `Vec`, a `String`, a number..): iterating one drains no channel, even when
    /// the value they belong to holds a receiver in another field.
    pub(super) plain_fields: HashSet<String>,
    /// Fields that every struct of the file that has one declares as a task handle
    /// (`Option<JoinHandle<()>>`, `Vec<JoinHandle<T>>`): taking one out releases no sender.
    pub(super) handle_fields: HashSet<String>,
    /// Fields some struct of the file declares with another type.
    maybe_sender_fields: HashSet<String>,
    /// The file's `macro_rules!` macros, expanded where simple.
    pub(super) macro_rules: super::macro_rules::FileMacros,
    /// Wrapper types whose `Iterator`, `Stream` or `io::Read` impl receives from a channel
    /// field (see `readers`).
    pub(super) yielding: HashMap<String, super::readers::Yielding>,
}

impl FileContext {
    pub fn of(file: &syn::File) -> FileContext {
        let mut context = FileContext::default();
        context.add_declarations(&file.items);
        context.cleared = leaks::cleared_statics(file, &context.statics);
        context.settle();
        context
    }

    fn add_fields(&mut self, items: &[Item]) {
        for item in items {
            match item {
                Item::Struct(s) => {
                    for field in &s.fields {
                        let Some(name) = &field.ident else { continue };
                        if never_a_receiver(&field.ty) {
                            self.plain_fields.insert(name.to_string());
                        } else {
                            self.maybe_receiver_fields.insert(name.to_string());
                        }
                        if task_handle(&field.ty) {
                            self.handle_fields.insert(name.to_string());
                        } else {
                            self.maybe_sender_fields.insert(name.to_string());
                        }
                    }
                }
                Item::Mod(m) => {
                    if let Some((_, items)) = &m.content {
                        self.add_fields(items);
                    }
                }
                _ => {}
            }
        }
    }

    /// Once every item was read: a name with any receiver that may be a receiver, or with any
    /// method that takes `self` by value, is not plain.
    fn settle(&mut self) {
        let maybe = std::mem::take(&mut self.maybe_receiver_fields);
        self.plain_fields.retain(|name| !maybe.contains(name));
        let maybe = std::mem::take(&mut self.maybe_sender_fields);
        self.handle_fields.retain(|name| !maybe.contains(name));
        let consuming = &self.consuming;
        self.borrowing.retain(|name| !consuming.contains(name));
    }

    fn add_declarations(&mut self, items: &[Item]) {
        self.add_fields(items);
        super::readers::yielding_types(items, &mut self.yielding);
        methods_by_receiver(items, &mut self.consuming, &mut self.borrowing);
        self.imports = self.imports.extended_with(items);
        self.statics.extend(leaks::file_statics(items));
        self.local_fns.extend(local_functions(items, &[]));
        self.macro_rules.add(items);
    }

    /// Adds what a run of whole items declares, from their tokens: they are parsed with every
    /// function body left empty. Which statics are emptied is read from the tokens of each
    /// statement: a static named in a statement that may empty something counts as cleared,
    /// which is looser than `leaks::cleared_statics` (a leak can go unreported, never be made
    /// up). `None` if the items do not parse. `statics`: whether the file may declare a
    /// static at all (iterating tokens copies them: without one, clearing is not looked for).
    pub fn add_tokens(&mut self, tokens: TokenStream, statics: bool) -> Option<()> {
        if statics {
            clearing_names(tokens.clone(), &mut self.maybe_cleared);
        }
        let file = syn::parse2::<syn::File>(without_bodies(tokens)).ok()?;
        self.add_declarations(&file.items);
        Some(())
    }

    /// What a group read after this one adds (groups are read in parallel, then joined in
    /// the order of the file).
    pub fn join(&mut self, later: FileContext) {
        self.consuming.extend(later.consuming);
        self.borrowing.extend(later.borrowing);
        self.imports = self.imports.followed_by(&later.imports);
        self.statics.extend(later.statics);
        self.local_fns.extend(later.local_fns.all);
        self.maybe_cleared.extend(later.maybe_cleared);
        self.plain_fields.extend(later.plain_fields);
        self.handle_fields.extend(later.handle_fields);
        self.maybe_sender_fields.extend(later.maybe_sender_fields);
        self.macro_rules.join(later.macro_rules);
        self.maybe_receiver_fields
            .extend(later.maybe_receiver_fields);
    }

    /// Once every group was added.
    pub fn finish(&mut self) {
        self.cleared = self
            .statics
            .intersection(&self.maybe_cleared)
            .cloned()
            .collect();
        self.maybe_cleared = HashSet::new();
        self.settle();
    }
}

/// Whether iterating a value of this type surely drains no channel: a collection (whose
/// items may be receivers, but iterating it yields them rather than waiting on them), text,
/// a number. Anything else (a receiver, a stream, a type of the crate, a generic) may.
fn never_a_receiver(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Reference(r) => never_a_receiver(&r.elem),
        syn::Type::Array(_) | syn::Type::Slice(_) | syn::Type::Tuple(_) => true,
        syn::Type::Path(p) if p.qself.is_none() => {
            let Some(last) = p.path.segments.last() else {
                return false;
            };
            let name = last.ident.to_string();
            if PLAIN_TYPES.contains(&name.as_str()) {
                return true;
            }
            // `RefCell<Vec<Message>>`: what the cell or lock gives access to is what is iterated.
            WRAPPER_TYPES.contains(&name.as_str())
                && matches!(&last.arguments, syn::PathArguments::AngleBracketed(args)
                    if matches!(args.args.first(), Some(syn::GenericArgument::Type(inner))
                        if never_a_receiver(inner)))
        }
        _ => false,
    }
}

/// Whether a value of this type is only the handle of a task (or an `Option` or `Vec` of
/// them): it holds no sender, whatever the task does.
fn task_handle(ty: &syn::Type) -> bool {
    let syn::Type::Path(p) = ty else {
        return false;
    };
    let Some(last) = p.path.segments.last() else {
        return false;
    };
    match last.ident.to_string().as_str() {
        "JoinHandle" | "ScopedJoinHandle" | "JoinSet" => true,
        "Option" | "Vec" | "VecDeque" => matches!(&last.arguments,
            syn::PathArguments::AngleBracketed(args)
                if matches!(args.args.first(), Some(syn::GenericArgument::Type(inner))
                    if task_handle(inner))),
        _ => false,
    }
}

/// Types whose value is reached through a borrow, a guard or a deref (`field.borrow()`,
/// `field.lock().unwrap()`): iterating that is iterating what they wrap.
const WRAPPER_TYPES: &[&str] = &["RefCell", "Cell", "Mutex", "RwLock", "Arc", "Rc", "Box"];

/// Types that are not receivers and hold none that iterating would wait on.
const PLAIN_TYPES: &[&str] = &[
    "Vec",
    "VecDeque",
    "LinkedList",
    "HashMap",
    "BTreeMap",
    "HashSet",
    "BTreeSet",
    "BinaryHeap",
    "IndexMap",
    "IndexSet",
    "SmallVec",
    "String",
    "str",
    "Option",
    "Result",
    "PathBuf",
    "Path",
    "OsString",
    "Range",
    "bool",
    "char",
    "u8",
    "u16",
    "u32",
    "u64",
    "u128",
    "usize",
    "i8",
    "i16",
    "i32",
    "i64",
    "i128",
    "isize",
    "f32",
    "f64",
    "Bytes",
    "BytesMut",
    "Cow",
];

/// The items with the block of every function emptied; the bodies of `impl`, `trait`, `mod`
/// and `extern` blocks are kept, their functions emptied too.
fn without_bodies(tokens: TokenStream) -> TokenStream {
    #[derive(PartialEq)]
    enum Item {
        Other,
        Function,
        /// `impl`, `trait`, `mod`: its braces hold items, whatever its header names
        /// (`impl From<fn()> for X`).
        Container,
        /// `extern`: a block of items, or the start of `extern "C" fn`.
        Extern,
    }
    let mut out = Vec::new();
    let mut item = Item::Other;
    for tt in tokens {
        match tt {
            TokenTree::Ident(ref word) => {
                let word = word.to_string();
                item = match (item, word.as_str()) {
                    (Item::Other | Item::Extern, "fn") => Item::Function,
                    (Item::Other, "impl" | "trait" | "mod") => Item::Container,
                    (Item::Other, "extern") => Item::Extern,
                    (item, _) => item,
                };
                out.push(tt);
            }
            TokenTree::Punct(ref p) if p.as_char() == ';' => {
                item = Item::Other;
                out.push(tt);
            }
            TokenTree::Group(ref g) if g.delimiter() == Delimiter::Brace => {
                let stream = match item {
                    Item::Function => TokenStream::new(),
                    Item::Container | Item::Extern => without_bodies(g.stream()),
                    Item::Other => g.stream(),
                };
                let mut group = Group::new(Delimiter::Brace, stream);
                group.set_span(g.span());
                out.push(TokenTree::Group(group));
                // `extern crate x;` and `struct S {}` end here or at the `;`; a function or
                // block always ends with its braces.
                item = Item::Other;
            }
            other => out.push(other),
        }
    }
    out.into_iter().collect()
}

/// The names in every statement that may empty something: a clearing method or function,
/// `None`, or a macro the analysis cannot read. A statement is the tokens up to a `;` or a
/// block, with everything its parentheses and brackets hold (closures included); a block
/// holds statements of its own.
fn clearing_names(tokens: TokenStream, out: &mut HashSet<String>) {
    let mut statement = Statement::default();
    statement.read(tokens, false, out);
    statement.end(out);
}

#[derive(Default)]
struct Statement {
    names: Vec<String>,
    clears: bool,
    /// `static S: Mutex<Option<Sender>> = Mutex::new(None);` fills, it does not empty.
    declaration: bool,
}

impl Statement {
    fn read(&mut self, tokens: TokenStream, nested: bool, out: &mut HashSet<String>) {
        let mut after_bang = false;
        for tt in tokens {
            let macro_body = std::mem::take(&mut after_bang);
            match tt {
                // A macro's body is one statement, as `leaks::cleared_statics` reads it:
                // `guarded! { let s = LOG.lock(); s.take(); }` empties `LOG`. Those that
                // declare statics (`lazy_static! { static ref .. }`) only fill them.
                TokenTree::Group(g)
                    if macro_body
                        && !self
                            .names
                            .last()
                            .is_some_and(|m| m == "lazy_static" || m == "thread_local") =>
                {
                    self.read(g.stream(), true, out)
                }
                TokenTree::Ident(word) => {
                    let word = word.to_string();
                    self.declaration |= self.names.is_empty() && word == "static";
                    self.clears |= !self.declaration && leaks::may_clear_word(&word);
                    self.names.push(word);
                }
                TokenTree::Punct(p) if p.as_char() == ';' && !nested => self.end(out),
                TokenTree::Punct(p) if p.as_char() == '!' && p.spacing() == Spacing::Alone => {
                    self.clears |= !self.declaration;
                    after_bang = true;
                }
                TokenTree::Group(g) if g.delimiter() == Delimiter::Brace && !nested => {
                    self.end(out);
                    clearing_names(g.stream(), out);
                }
                TokenTree::Group(g) => self.read(g.stream(), true, out),
                TokenTree::Punct(_) | TokenTree::Literal(_) => {}
            }
        }
    }

    fn end(&mut self, out: &mut HashSet<String>) {
        if self.clears {
            out.extend(self.names.drain(..));
        }
        *self = Statement::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context(code: &str) -> FileContext {
        let mut context = FileContext::default();
        context.add_tokens(code.parse().unwrap(), true).unwrap();
        context.finish();
        context
    }

    #[test]
    fn reads_declarations_without_bodies() {
        let code = "use std::sync::mpsc::{self, channel};\n\
            static TX: Mutex<Option<u8>> = Mutex::new(None);\n\
            lazy_static! { static ref RX: u8 = 1; }\n\
            impl Worker { fn finish(self) { let x = { 1 }; } fn peek(&self) -> impl Fn() { || {} } }\n\
            impl From<fn()> for Pool { fn from(f: fn()) -> Self { todo!() } }\n\
            extern \"C\" fn callback() { let y = { 2 }; }\n\
            mod inner { pub fn helper() {} }\n\
            struct Pool { rx: Receiver<u8>, names: Vec<String>, ids: Vec<u8> }\n\
            struct Other { ids: Inbox }\n\
            fn main() { let (tx, rx) = channel::<u8>(); }\n";
        let context = context(code);
        assert_eq!(context.consuming, HashSet::from(["finish".to_string()]));
        assert_eq!(context.borrowing, HashSet::from(["peek".to_string()]));
        assert_eq!(context.plain_fields, HashSet::from(["names".to_string()]));
        assert_eq!(
            context.statics,
            HashSet::from(["TX".to_string(), "RX".to_string()])
        );
        let keys: Vec<String> = context
            .local_fns
            .all
            .iter()
            .map(|f| f.key.join("::"))
            .collect();
        assert_eq!(
            keys,
            [
                "Worker::finish",
                "Worker::peek",
                "Pool::from",
                "callback",
                "inner::helper",
                "main"
            ]
        );
        assert!(context.cleared.is_empty(), "{:?}", context.cleared);
        let reference = FileContext::of(&syn::parse_file(code).unwrap());
        assert_eq!(context.consuming, reference.consuming);
        assert_eq!(context.borrowing, reference.borrowing);
        assert_eq!(context.plain_fields, reference.plain_fields);
        assert_eq!(context.statics, reference.statics);
        for written in ["channel", "mpsc::Sender"] {
            let path = syn::parse_str::<syn::Path>(written).unwrap();
            assert_eq!(
                context.imports.resolve(&path),
                reference.imports.resolve(&path)
            );
        }
    }

    #[test]
    fn a_static_emptied_anywhere_counts_as_cleared() {
        for (code, cleared) in [
            ("fn f() { let a = 1; TX.lock().unwrap().take(); }", true),
            ("fn f() { *TX.lock().unwrap() = None; }", true),
            ("fn f() { TX.with(|t| { t.borrow_mut().take() }); }", true),
            (
                "fn f() { guarded! { let mut s = TX.lock().unwrap(); s.take(); } }",
                true,
            ),
            (
                "fn f() { TX.lock().unwrap().send(1); let x = None::<u8>; }",
                false,
            ),
        ] {
            let context = context(&format!(
                "static TX: Mutex<Option<u8>> = Mutex::new(None);\n{code}"
            ));
            assert_eq!(context.cleared.contains("TX"), cleared, "{code}");
        }
    }
}
