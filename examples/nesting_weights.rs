//! The nesting weight (see `chanlint::load::MAX_WEIGHT`) of every file under the given paths,
//! the largest first: how close real code comes to the limit.
//! `cargo run --release --example nesting_weights -- PATH... [--top N]`

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut top = 20;
    if let Some(i) = args.iter().position(|a| a == "--top") {
        top = args.get(i + 1).and_then(|n| n.parse().ok()).unwrap_or(top);
        args.drain(i..(i + 2).min(args.len()));
    }
    let paths: Vec<std::path::PathBuf> = args.iter().map(Into::into).collect();
    let options = chanlint::walk::WalkOptions {
        exclude: Vec::new(),
        respect_gitignore: true,
    };
    let (files, _) = chanlint::walk::walk(&paths, &options).expect("walkable paths");
    let mut weights: Vec<(String, String)> = files
        .iter()
        .filter_map(|file| {
            let bytes = std::fs::read(&file.path).ok()?;
            let weight = match chanlint::load::max_weight(&bytes) {
                Ok(weight) => format!("{weight:>7}"),
                Err((too_deep, offset)) => format!("{too_deep:?} at byte {offset}"),
            };
            Some((weight, file.display.clone()))
        })
        .collect();
    weights.sort_by(|a, b| b.cmp(a));
    println!("{} files", weights.len());
    for (weight, path) in weights.iter().take(top) {
        println!("{weight}  {path}");
    }
}
