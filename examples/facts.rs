//! Prints the ownership facts and the function summaries of one file:
//! `cargo run --example facts -- FILE`.
fn main() {
    let path = std::env::args().nth(1).expect("usage: facts FILE");
    let bytes = std::fs::read(&path).expect("readable file");
    let source = chanlint::load::load(bytes, &path).expect("parsable file");
    let (facts, summaries) =
        chanlint::facts::analyze_file_with(&source.file, &source.text, &[], true);
    println!("{facts:#?}");
    for summary in &summaries {
        println!("{summary:#?}");
    }
}
