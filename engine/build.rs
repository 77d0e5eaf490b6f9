//! `sqlx::migrate!` embeds the migrations at compile time; a new migration file changes no
//! Rust source, so without this the engine would keep the old list (sqlx's advice).
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
