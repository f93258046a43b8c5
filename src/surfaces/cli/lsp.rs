//! `plimsoll lsp`: the language server on standard input and output.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use crate::workspace::config;
use crate::workspace::discover::io_message;
use crate::workspace::runner::{self};

use super::Failure;
use super::check::parse_size;

#[derive(Debug, Args)]
pub(super) struct LspArgs {
    /// Accepted and ignored: stdio is the only transport. Generic clients (vscode-languageclient
    /// with `TransportKind.stdio`, several Emacs and Sublime setups) pass it unasked.
    #[arg(long, hide = true)]
    stdio: bool,
    /// Use this config file for every document instead of the nearest `.plimsoll.yaml` (as
    /// `plimsoll check --config`; relative to the server's working directory).
    #[arg(long, value_name = "PATH", conflicts_with = "isolated")]
    config: Option<PathBuf>,
    /// Ignore all config files.
    #[arg(long)]
    isolated: bool,
    /// Do not check documents larger than this (one diagnostic says so): as `plimsoll check
    /// --max-file-size` [default: 8M].
    #[arg(long, value_name = "SIZE", env = "PLIMSOLL_MAX_FILE_SIZE", value_parser = parse_size)]
    max_file_size: Option<u64>,
}

/// `plimsoll lsp`: the server owns stdout from here on; only failures to start reach stderr.
pub(super) fn language_server(args: LspArgs) -> Result<ExitCode, Failure> {
    crate::surfaces::lsp::serve(
        config::ResolveOptions {
            config: args.config,
            isolated: args.isolated,
        },
        args.max_file_size.unwrap_or(runner::DEFAULT_MAX_FILE_SIZE),
    )
    .map(|end| match end {
        // The LSP spec: exit code 1 when `exit` came without `shutdown`.
        plimsoll_lsp::SessionEnd::ExitWithoutShutdown => ExitCode::from(1),
        plimsoll_lsp::SessionEnd::Clean => ExitCode::SUCCESS,
    })
    .map_err(|err| Failure::Message(format!("language server: {}", io_message(&err))))
}
