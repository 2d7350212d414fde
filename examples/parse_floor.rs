//! The floor for any syn-based checker: read and parse every file, nothing else.
//! `cargo run --release --example parse_floor -- [--threads N] PATH...`
//! Walks exactly as `chanlint check` does, parses on the same large-stack threads.

use rayon::prelude::*;

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut threads = None;
    if let Some(i) = args.iter().position(|a| a == "--threads") {
        threads = args.get(i + 1).and_then(|n| n.parse().ok());
        args.drain(i..(i + 2).min(args.len()));
    }
    let paths = args
        .iter()
        .map(std::path::PathBuf::from)
        .collect::<Vec<_>>();
    let options = chanlint::walk::WalkOptions {
        exclude: Vec::new(),
        respect_gitignore: true,
    };
    let (files, _) = chanlint::walk::walk(&paths, &options).expect("walkable paths");
    let mut builder = rayon::ThreadPoolBuilder::new().stack_size(256 << 20);
    if let Some(n) = threads {
        builder = builder.num_threads(n);
    }
    let pool = builder.build().expect("thread pool");
    let start = std::time::Instant::now();
    let (bytes, parsed): (usize, usize) = pool.install(|| {
        files
            .par_iter()
            .map(|file| {
                let text = std::fs::read(&file.path).unwrap_or_default();
                let ok = std::str::from_utf8(&text).is_ok_and(|t| syn::parse_file(t).is_ok());
                proc_macro2::extra::invalidate_current_thread_spans();
                (text.len(), usize::from(ok))
            })
            .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
    });
    println!(
        "{} files, {} parsed, {:.1} MB in {:.2}s",
        files.len(),
        parsed,
        bytes as f64 / 1e6,
        start.elapsed().as_secs_f64()
    );
}
