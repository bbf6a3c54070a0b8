//! The `needlemap` command line: a thin shell over the library's [`needlemap::cli`].

fn main() -> std::process::ExitCode {
    needlemap::cli::run()
}
