//! Light types: the type a local binding names, when its declaration says it (`let x: T`,
//! `x: &T` as a parameter, `let x = T::new(..)`, `let x = T { .. }`), so that `x.run()` is the
//! `run` of `T` and not the one method of that name in the crate. Wrappers that only lend or
//! share their content (`&`, `Box`, `Arc`, `Rc`, `Mutex`, `RwLock`) are seen through.

use super::*;

/// Types whose methods a binding's value reaches through (`Arc<T>` calls `T`'s methods).
const SEEN_THROUGH: &[&str] = &["Box", "Arc", "Rc", "Mutex", "RwLock", "RefCell", "Cell"];

/// The type a type expression names, seen through references and sharing wrappers.
pub(super) fn named_type(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Reference(r) => named_type(&r.elem),
        syn::Type::Paren(p) => named_type(&p.elem),
        syn::Type::Path(p) if p.qself.is_none() => {
            let last = p.path.segments.last()?;
            let name = last.ident.to_string();
            if SEEN_THROUGH.contains(&name.as_str()) {
                if let syn::PathArguments::AngleBracketed(args) = &last.arguments {
                    if let Some(syn::GenericArgument::Type(inner)) = args.args.first() {
                        return named_type(inner);
                    }
                }
                return None;
            }
            Some(name)
        }
        _ => None,
    }
}

/// The type a function's signature returns, seen through `Result`, `Option` and the sharing
/// wrappers; `Self` is `self_ty`.
pub(super) fn returned_type(sig: &syn::Signature, self_ty: Option<&str>) -> Option<String> {
    let syn::ReturnType::Type(_, ty) = &sig.output else {
        return None;
    };
    let mut ty: &syn::Type = ty;
    loop {
        let syn::Type::Path(p) = ty else {
            return named_type(ty);
        };
        let last = p.path.segments.last()?;
        if !["Result", "Option"].contains(&last.ident.to_string().as_str()) {
            break;
        }
        let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
            return None;
        };
        let Some(syn::GenericArgument::Type(inner)) = args.args.first() else {
            return None;
        };
        ty = inner;
    }
    match named_type(ty)? {
        name if name == "Self" => self_ty.map(str::to_string),
        name => Some(name),
    }
}

impl<'a> Interp<'a> {
    /// The type of a value an expression makes where the file can tell: what it builds
    /// (`built_type`), or what the method it calls returns by that method's summary
    /// (`ServerSetup::new(..).to_server()?` is a `Server`).
    pub(super) fn expr_type(&self, expr: &Expr) -> Option<String> {
        match strip(expr) {
            Expr::Try(t) => self.expr_type(&t.expr),
            Expr::MethodCall(mc) => {
                let ty = self.expr_type(&mc.receiver)?;
                self.shared
                    .summaries
                    .function(&[ty, mc.method.to_string()], &self.module)?
                    .returns_ty
                    .clone()
            }
            e => self.built_type(e),
        }
    }

    /// The type an initializer builds: `T::new(..)` (any associated function of a type named
    /// in upper camel case), `T { .. }`, `Self::..`, `Arc::new(T::new(..))`.
    pub(super) fn built_type(&self, expr: &Expr) -> Option<String> {
        match strip(expr) {
            Expr::Struct(s) => self.type_of_path(&s.path, 0),
            Expr::Call(c) => {
                let Expr::Path(p) = &*c.func else {
                    return None;
                };
                let segments = &p.path.segments;
                let n = segments.len();
                if n >= 2 && SEEN_THROUGH.contains(&segments[n - 2].ident.to_string().as_str()) {
                    return c.args.first().and_then(|a| self.built_type(a));
                }
                (n >= 2).then(|| self.type_of_path(&p.path, 1)).flatten()
            }
            Expr::Reference(r) => self.built_type(&r.expr),
            _ => None,
        }
    }

    /// The type segment of a path, `skip` segments from its end.
    fn type_of_path(&self, path: &syn::Path, skip: usize) -> Option<String> {
        let segments = &path.segments;
        let seg = segments.iter().rev().nth(skip)?.ident.to_string();
        if seg == "Self" {
            return self.self_ty.clone();
        }
        seg.chars()
            .next()
            .is_some_and(char::is_uppercase)
            .then_some(seg)
    }

    /// Gives the last binding declared the type `ty`.
    pub(super) fn type_last_binding(&mut self, ty: Option<String>) {
        if let (Some(ty), Some(env)) = (ty, self.env.as_mut()) {
            if let Some(var) = env.vars.last_mut() {
                var.ty = Some(ty);
            }
        }
    }

    /// The binding just declared is a reference (see `Var::lent`).
    pub(super) fn lend_last_binding(&mut self) {
        if let Some(var) = self.env.as_mut().and_then(|e| e.vars.last_mut()) {
            var.lent = true;
        }
    }

    /// Whether the method `name` of the type of the binding a receiver names takes `self` by
    /// value, when the file declares it.
    pub(super) fn typed_method_consumes(&self, receiver: &Expr, name: &str) -> Option<bool> {
        let ty = ident_of(receiver)
            .and_then(|n| self.lookup(&n))
            .and_then(|i| self.env.as_ref()?.vars.get(i)?.ty.clone())?;
        self.shared
            .summaries
            .local_method_takes_self(&[ty, name.to_string()])
    }

    /// Whether the receiver is a binding whose declaration names its type.
    pub(super) fn typed_binding(&self, receiver: &Expr) -> bool {
        ident_of(receiver)
            .and_then(|n| self.lookup(&n))
            .and_then(|i| self.env.as_ref()?.vars.get(i)?.ty.as_ref())
            .is_some()
    }

    /// The method `name` of the type of the binding a receiver names: `Ok(Some)` its summary,
    /// `Ok(None)` a method of the file's own type that matters to no channel, `Err` unknown.
    pub(super) fn typed_method(
        &self,
        receiver: &Expr,
        name: &str,
    ) -> Result<Option<&'a Summary>, ()> {
        let ty = ident_of(receiver)
            .and_then(|n| self.lookup(&n))
            .and_then(|i| self.env.as_ref()?.vars.get(i)?.ty.clone())
            .ok_or(())?;
        let path = [ty, name.to_string()];
        if let Some(summary) = self
            .shared
            .summaries
            .function(&path, &self.module)
            .filter(|s| s.has_self)
        {
            return Ok(Some(summary));
        }
        if self.shared.summaries.has_local_fn(&path) {
            return Ok(None);
        }
        Err(())
    }

    /// The method `name` of the type a receiver expression builds right there
    /// (`ServerSetup::new(conn, logger).to_server()`, `Setup { .. }.run()`), when the file
    /// knows its summary.
    pub(super) fn built_method(&self, receiver: &Expr, name: &str) -> Option<&'a Summary> {
        let ty = self.expr_type(receiver)?;
        self.shared
            .summaries
            .function(&[ty, name.to_string()], &self.module)
            .filter(|s| s.has_self)
    }
}
