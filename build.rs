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
        // The path is joined at compile time, not written here: a target folder shared by two
        // clones (CI's persistent cache) must not embed the other clone's files.
        code.push_str(&format!("    ({name:?}, include_bytes!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/data/real/{name}\"))),\n"));
    }
    code.push_str("];\n");
    let out = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR is set by cargo")).join("real_data.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}
