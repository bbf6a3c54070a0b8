//! Without the `extension-module` feature (cargo test, clippy) the crate links against
//! libpython; record its folder as an rpath so test binaries start without LD_LIBRARY_PATH.

fn main() {
    println!("cargo:rerun-if-env-changed=CARGO_FEATURE_EXTENSION_MODULE");
    if std::env::var_os("CARGO_FEATURE_EXTENSION_MODULE").is_none() {
        if let Some(dir) = &pyo3_build_config::get().lib_dir {
            println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
        }
    }
}
