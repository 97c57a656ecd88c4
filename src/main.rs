fn main() -> std::process::ExitCode {
    diagsante::cli::main()
}
