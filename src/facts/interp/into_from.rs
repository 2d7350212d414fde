//! `let client: Client = (&connection).into();`: `Into::into` runs the target type's
//! `From` impl, so the call is read as `Client::from(&connection)` and that function's summary
//! applies (a `From<&Connection>` impl that keeps a clone of the connection's sender). The
//! target type is known only where the binding declares it.

use super::*;

impl<'a> Interp<'a> {
    /// The value of `init` when it is `x.into()` bound to a binding of declared type `T`: the
    /// value of `T::from(x)`. `None` for any other initializer.
    pub(super) fn converted_by_from(&mut self, pat: &Pat, init: &Expr) -> Option<Val> {
        let Pat::Type(typed) = pat else {
            return None;
        };
        let Expr::MethodCall(mc) = strip(init) else {
            return None;
        };
        if mc.method != "into" || !mc.args.is_empty() || mc.turbofish.is_some() {
            return None;
        }
        let syn::Type::Path(ty) = &*typed.ty else {
            return None;
        };
        if ty.qself.is_some() {
            return None;
        }
        // `T::from`, without the type's generic arguments (a path expression would need a
        // turbofish; the name is what resolves).
        let mut path = ty.path.clone();
        if let Some(last) = path.segments.last_mut() {
            last.arguments = syn::PathArguments::None;
        }
        path.segments.push(syn::PathSegment::from(syn::Ident::new(
            "from",
            mc.method.span(),
        )));
        let call = syn::ExprCall {
            attrs: Vec::new(),
            func: Box::new(Expr::Path(syn::ExprPath {
                attrs: Vec::new(),
                qself: None,
                path,
            })),
            paren_token: mc.paren_token,
            args: std::iter::once(strip(&mc.receiver).clone()).collect(),
        };
        Some(self.call(&call))
    }
}
