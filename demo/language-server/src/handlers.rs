use lsp_server::{ErrorCode, Request, Response};

/// Answers every request this server does not implement with an error.
pub fn respond(request: Request) -> Response {
    Response::new_err(
        request.id,
        ErrorCode::MethodNotFound as i32,
        format!("`{}` is not implemented", request.method),
    )
}
