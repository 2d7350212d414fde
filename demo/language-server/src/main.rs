//! A language server in miniature, built on the `lsp-server` crate. It never exits after the
//! client says `exit`: `main_loop` only borrows the connection, so the connection's sender is
//! still alive when `io_threads.join()` waits for the writer thread, and that thread ends
//! only once every sender is gone. chanlint reports it; the fix is to pass `connection` by
//! value (or `drop(connection)` before the join).

mod handlers;

use lsp_server::{Connection, Message};

fn main() {
    let (connection, io_threads) = Connection::stdio();
    let capabilities = serde_json::json!({ "hoverProvider": true });
    if let Err(error) = connection.initialize(capabilities) {
        eprintln!("the client never initialized: {error}");
        return;
    }
    main_loop(&connection);
    io_threads.join().expect("the I/O threads panicked");
}

fn main_loop(connection: &Connection) {
    for message in &connection.receiver {
        match message {
            Message::Request(request) => {
                if connection.handle_shutdown(&request).unwrap_or(true) {
                    return;
                }
                let response = handlers::respond(request);
                if connection.sender.send(Message::Response(response)).is_err() {
                    return;
                }
            }
            Message::Notification(_) | Message::Response(_) => {}
        }
    }
}
