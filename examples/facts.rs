//! Prints the ownership facts of one file: `cargo run --example facts -- FILE`.
fn main() {
    let path = std::env::args().nth(1).expect("usage: facts FILE");
    let bytes = std::fs::read(&path).expect("readable file");
    let source = chanlint::load::load(bytes, &path).expect("parsable file");
    let facts = chanlint::facts::analyze_file(&source.file, &source.text);
    println!("{facts:#?}");
}
