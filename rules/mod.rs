//! The built-in rules: one `.rs` (declaration and check) and one `.md` (docs) per rule.
//!
//! To add a rule `my-rule`:
//! 1. `rules/my_rule.rs`: a `pub static MY_RULE: Rule` and its check function;
//!    `rules/my_rule.md`: `# my-rule (CODE)` and the fixed headings, with a failing block under
//!    `## Example` and a passing one under `## Use instead` (`tests/rule_docs.rs` runs them).
//! 2. One `mod` line and one `pub use` below, and `&MY_RULE` in `ALL` in code order.
//! 3. `tests/fixtures/rules/my-rule/`: real files with `# expect: my-rule` above each line that
//!    must be flagged (`tests/rule_fixtures.rs`); record the snapshot with
//!    `INSTA_UPDATE=always cargo test --test rule_fixtures` and review it.
//! 4. `PLIMSOLL_UPDATE_DOCS=1 cargo test --test rules_meta` regenerates docs/rules.md.
//!
//! The meta-test in `tests/rules_meta.rs` names anything missing. `support` holds helpers
//! shared by several rules and declares no rule.

mod duplicate_key;
mod hardcoded_credential;
mod latest_tag;
mod parse_error;
mod root_user;
mod secret_file_copied;
mod secret_in_arg_env;
mod service_latest_tag;
mod service_no_cpu_limit;
mod service_no_memory_limit;
mod service_no_pids_limit;
mod service_root_user;
mod service_secret_in_environment;
mod service_unpinned_digest;
mod service_untagged_image;
mod support;
mod unpinned_digest;
mod untagged_image;
// Build-hygiene pack (DF040–DF099).
mod add_instead_of_copy;
mod apk_add_without_no_cache;
mod apt_get_update_alone;
mod apt_instead_of_apt_get;
mod apt_no_install_recommends;
mod build_support;
mod consecutive_run;
mod copy_from_invalid_stage;
mod copy_multiple_sources_no_slash;
mod duplicate_stage_name;
mod empty_continuation_line;
mod env_self_reference;
mod heredoc_without_set_e;
mod inconsistent_instruction_casing;
mod install_without_yes;
mod json_args_recommended;
mod legacy_key_value_format;
mod ln_bin_sh;
mod maintainer_deprecated;
mod multiple_cmd_entrypoint;
mod node_package_cache;
mod nonsensical_command;
mod package_cache_not_cleaned;
mod pip_install_cache;
mod pipe_without_pipefail;
mod reserved_stage_name;
mod run_cd;
mod stage_name_casing;
mod undefined_variable;
mod unknown_instruction_flag;
mod wget_and_curl;
// End of build-hygiene pack.

pub use duplicate_key::DUPLICATE_KEY;
pub use hardcoded_credential::HARDCODED_CREDENTIAL;
pub use latest_tag::LATEST_TAG;
pub use parse_error::PARSE_ERROR;
pub use root_user::ROOT_USER;
pub use secret_file_copied::SECRET_FILE_COPIED;
pub use secret_in_arg_env::SECRET_IN_ARG_ENV;
pub use service_latest_tag::SERVICE_LATEST_TAG;
pub use service_no_cpu_limit::SERVICE_NO_CPU_LIMIT;
pub use service_no_memory_limit::SERVICE_NO_MEMORY_LIMIT;
pub use service_no_pids_limit::SERVICE_NO_PIDS_LIMIT;
pub use service_root_user::SERVICE_ROOT_USER;
pub use service_secret_in_environment::SERVICE_SECRET_IN_ENVIRONMENT;
pub use service_unpinned_digest::SERVICE_UNPINNED_DIGEST;
pub use service_untagged_image::SERVICE_UNTAGGED_IMAGE;
pub use unpinned_digest::UNPINNED_DIGEST;
pub use untagged_image::UNTAGGED_IMAGE;
// Build-hygiene pack (DF040–DF099).
pub use add_instead_of_copy::ADD_INSTEAD_OF_COPY;
pub use apk_add_without_no_cache::APK_ADD_WITHOUT_NO_CACHE;
pub use apt_get_update_alone::APT_GET_UPDATE_ALONE;
pub use apt_instead_of_apt_get::APT_INSTEAD_OF_APT_GET;
pub use apt_no_install_recommends::APT_NO_INSTALL_RECOMMENDS;
pub use consecutive_run::CONSECUTIVE_RUN;
pub use copy_from_invalid_stage::COPY_FROM_INVALID_STAGE;
pub use copy_multiple_sources_no_slash::COPY_MULTIPLE_SOURCES_NO_SLASH;
pub use duplicate_stage_name::DUPLICATE_STAGE_NAME;
pub use empty_continuation_line::EMPTY_CONTINUATION_LINE;
pub use env_self_reference::ENV_SELF_REFERENCE;
pub use heredoc_without_set_e::HEREDOC_WITHOUT_SET_E;
pub use inconsistent_instruction_casing::INCONSISTENT_INSTRUCTION_CASING;
pub use install_without_yes::INSTALL_WITHOUT_YES;
pub use json_args_recommended::JSON_ARGS_RECOMMENDED;
pub use legacy_key_value_format::LEGACY_KEY_VALUE_FORMAT;
pub use ln_bin_sh::LN_BIN_SH;
pub use maintainer_deprecated::MAINTAINER_DEPRECATED;
pub use multiple_cmd_entrypoint::MULTIPLE_CMD_ENTRYPOINT;
pub use node_package_cache::NODE_PACKAGE_CACHE;
pub use nonsensical_command::NONSENSICAL_COMMAND;
pub use package_cache_not_cleaned::PACKAGE_CACHE_NOT_CLEANED;
pub use pip_install_cache::PIP_INSTALL_CACHE;
pub use pipe_without_pipefail::PIPE_WITHOUT_PIPEFAIL;
pub use reserved_stage_name::RESERVED_STAGE_NAME;
pub use run_cd::RUN_CD;
pub use stage_name_casing::STAGE_NAME_CASING;
pub use undefined_variable::UNDEFINED_VARIABLE;
pub use unknown_instruction_flag::UNKNOWN_INSTRUCTION_FLAG;
pub use wget_and_curl::WGET_AND_CURL;
// End of build-hygiene pack.

use crate::rule::Rule;

static ALL: &[&Rule] = &[
    &PARSE_ERROR,
    &DUPLICATE_KEY,
    &SERVICE_UNTAGGED_IMAGE,
    &SERVICE_LATEST_TAG,
    &SERVICE_UNPINNED_DIGEST,
    &SERVICE_ROOT_USER,
    &SERVICE_SECRET_IN_ENVIRONMENT,
    &SERVICE_NO_MEMORY_LIMIT,
    &SERVICE_NO_CPU_LIMIT,
    &SERVICE_NO_PIDS_LIMIT,
    &UNTAGGED_IMAGE,
    &LATEST_TAG,
    &UNPINNED_DIGEST,
    &ROOT_USER,
    &SECRET_IN_ARG_ENV,
    &HARDCODED_CREDENTIAL,
    &SECRET_FILE_COPIED,
    // Build-hygiene pack (DF040–DF099).
    &COPY_FROM_INVALID_STAGE,
    &DUPLICATE_STAGE_NAME,
    &RESERVED_STAGE_NAME,
    &STAGE_NAME_CASING,
    &MULTIPLE_CMD_ENTRYPOINT,
    &COPY_MULTIPLE_SOURCES_NO_SLASH,
    &UNKNOWN_INSTRUCTION_FLAG,
    &UNDEFINED_VARIABLE,
    &LEGACY_KEY_VALUE_FORMAT,
    &MAINTAINER_DEPRECATED,
    &INCONSISTENT_INSTRUCTION_CASING,
    &JSON_ARGS_RECOMMENDED,
    &RUN_CD,
    &LN_BIN_SH,
    &PIPE_WITHOUT_PIPEFAIL,
    &HEREDOC_WITHOUT_SET_E,
    &NONSENSICAL_COMMAND,
    &ADD_INSTEAD_OF_COPY,
    &WGET_AND_CURL,
    &INSTALL_WITHOUT_YES,
    &APT_NO_INSTALL_RECOMMENDS,
    &PACKAGE_CACHE_NOT_CLEANED,
    &APT_INSTEAD_OF_APT_GET,
    &APT_GET_UPDATE_ALONE,
    &APK_ADD_WITHOUT_NO_CACHE,
    &PIP_INSTALL_CACHE,
    &NODE_PACKAGE_CACHE,
    &CONSECUTIVE_RUN,
    &ENV_SELF_REFERENCE,
    &EMPTY_CONTINUATION_LINE,
    // End of build-hygiene pack.
];

/// Every built-in rule, in code order.
pub fn all() -> &'static [&'static Rule] {
    ALL
}

/// Look a rule up by code (case-insensitive) or name.
pub fn find(code_or_name: &str) -> Option<&'static Rule> {
    ALL.iter()
        .copied()
        .find(|rule| rule.code.eq_ignore_ascii_case(code_or_name) || rule.name == code_or_name)
}
