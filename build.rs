//! Lists the real open data of `data/real/` (written by `scripts/embed-real-data.sh`) for
//! `src/demo/real.rs` to embed: every `*.parquet` there, by name, so that adding a file to the
//! conversion script is all it takes to ship it.

use std::path::Path;

fn main() {
    let root = std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR is set by cargo");
    let dir = Path::new(&root).join("data/real");
    println!("cargo:rerun-if-changed=data/real");
    println!("cargo:rerun-if-changed=build.rs");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .map(|entries| entries.filter_map(|e| e.ok()?.file_name().into_string().ok()).filter(|n| n.ends_with(".parquet")).collect())
        .unwrap_or_default();
    names.sort();
    let mut code =
        String::from("/// The fact files of `data/real/` (file name, bytes), listed by `build.rs`.\npub const FILES: &[(&str, &[u8])] = &[\n");
    for name in &names {
        let path = dir.join(name);
        code.push_str(&format!("    ({name:?}, include_bytes!({:?})),\n", path.display().to_string()));
    }
    code.push_str("];\n");
    let out = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR is set by cargo")).join("real_data.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}
