//! The built-in rules: one `.rs` (declaration and check) and one `.md` (docs) per rule.
//!
//! To add a rule `my-rule`:
//! 1. `rules/my_rule.rs`: its check function and
//!    `pub static MY_RULE: Rule = Rule { code, name, summary, target, category, severity,
//!    docs: include_str!("my_rule.md"), check, ..Rule::DEFAULTS }`, plus whichever of
//!    `default_enabled`, `fix`, `options`, `related`, `status`, `since` differ from
//!    [`Rule::DEFAULTS`](crate::linter::rule::Rule::DEFAULTS).
//! 2. `rules/my_rule.md`: `# my-rule (CODE)` and the fixed headings, with a failing block under
//!    `## Example` and a passing one under `## Use instead` (`tests/rule_docs.rs` runs them, and
//!    checks the declared `fix` against the fixes they and the fixtures produce).
//! 3. `tests/fixtures/rules/my-rule/`: real files with `# expect: my-rule` above each line that
//!    must be flagged (`tests/rule_fixtures.rs`).
//! 4. `PLIMSOLL_UPDATE_DOCS=1 cargo test --test rules_meta` writes the registry below (`mod`
//!    lines, re-exports, `ALL`) and stops; the same command again compiles the rule and writes
//!    docs/rules.md. `INSTA_UPDATE=always cargo test --test rule_fixtures` records the fixtures'
//!    snapshot. Review the diff.
//!
//! The meta-tests in `tests/rules_meta.rs` name anything missing. A rule file never imports
//! another rule file (also checked there), so each can be deleted alone: what several rules share
//! lives in a helper module that declares no rule (`support`, `build_support`, `run_commands`,
//! `package_pins`, `verification_bypass`, `trusted_registries`, `workdir_support`); the registry
//! mounts every file under rules/. What the Dockerfile model knows (stages, users, shells,
//! variable expansion) lives in the syntax and semantic layers, not in rule helpers.

use crate::linter::rule::Rule;

// BEGIN GENERATED REGISTRY
// Generated from rules/*.rs by `PLIMSOLL_UPDATE_DOCS=1 cargo test --test rules_meta`;
// do not edit by hand. Every file is a module; every `pub static NAME: Rule` is
// re-exported and listed in `ALL`, the reserved `parse-error` first, then in code order.

mod add_instead_of_copy;
mod add_url_without_checksum;
mod apk_add_without_no_cache;
mod apt_get_update_alone;
mod apt_instead_of_apt_get;
mod apt_no_install_recommends;
mod auth_disabled;
mod build_and_image;
mod build_context_elsewhere;
mod build_insecure;
mod build_support;
mod bulky_build_context;
mod certificate_verification_disabled;
mod compose_edits;
mod compose_schema;
mod compose_v1_format;
mod consecutive_run;
mod container_name_with_replicas;
mod context_support;
mod copy_from_invalid_stage;
mod copy_ignored_source;
mod copy_multiple_sources_no_slash;
mod copy_relative_destination;
mod copy_source_not_found;
mod copy_whole_filesystem;
mod depends_on_not_healthy;
mod duplicate_container_name;
mod duplicate_host_port;
mod duplicate_key;
mod duplicate_stage_name;
mod empty_continuation_line;
mod env_self_reference;
mod expose_invalid_port;
mod expose_ssh_port;
mod from_platform_constant;
mod hardcoded_credential;
mod healthcheck_disabled;
mod healthcheck_missing;
mod heredoc_without_set_e;
mod inconsistent_instruction_casing;
mod insecure_run_entitlement;
mod install_without_yes;
mod invalid_container_name;
mod invalid_default_arg_in_from;
mod invalid_label_key;
mod invalid_port;
mod json_args_recommended;
mod label_schema;
mod latest_tag;
mod legacy_key_value_format;
mod ln_bin_sh;
mod logging_disabled;
mod maintainer_deprecated;
mod multiple_cmd_entrypoint;
mod multiple_healthchecks;
mod network_mode_conflict;
mod node_package_cache;
mod nonsensical_command;
mod obsolete_version;
mod package_cache_not_cleaned;
mod package_pins;
mod parse_error;
mod password_set_in_image;
mod pip_extra_index_url;
mod pip_install_cache;
mod pipe_without_pipefail;
mod port_all_interfaces;
mod privileged_host_port;
mod redundant_target_platform;
mod remote_script_piped_to_shell;
mod required_variable_unset;
mod reserved_stage_name;
mod root_user;
mod run_cd;
mod run_commands;
mod secret_file_copied;
mod secret_in_arg_env;
mod secret_in_build_context;
mod service_auth_disabled;
mod service_build_secret_arg;
mod service_cgroup_parent;
mod service_dangerous_capability;
mod service_docker_socket;
mod service_host_device;
mod service_host_namespace;
mod service_host_sysctl;
mod service_image_runs_as_root;
mod service_latest_tag;
mod service_no_cap_drop_all;
mod service_no_cpu_limit;
mod service_no_healthcheck;
mod service_no_memory_limit;
mod service_no_new_privileges;
mod service_no_pids_limit;
mod service_no_resource_limits;
mod service_no_ulimits;
mod service_privileged;
mod service_restart_policy;
mod service_root_user;
mod service_secret_in_environment;
mod service_security_profile_disabled;
mod service_sensitive_mount;
mod service_shared_propagation;
mod service_unpinned_digest;
mod service_untagged_image;
mod service_user_unset;
mod service_writable_root_fs;
mod setuid_bit_set;
mod shared_volume;
mod shellcheck;
mod signature_verification_disabled;
mod signing_key_over_http;
mod ssh_port_published;
mod stage_name_casing;
mod sudo_in_run;
mod support;
mod tls_verification_disabled;
mod tmpfs_exec;
mod trusted_registries;
mod undefined_variable;
mod unknown_instruction_flag;
mod unpinned_apk_package;
mod unpinned_apt_package;
mod unpinned_digest;
mod unpinned_dnf_package;
mod unpinned_gem_package;
mod unpinned_go_package;
mod unpinned_npm_package;
mod unpinned_pip_package;
mod unpinned_yum_package;
mod unpinned_zypper_package;
mod unquoted_port;
mod untagged_image;
mod untrusted_base_image;
mod untrusted_registry;
mod unused_suppression;
mod user_by_name;
mod useradd_without_no_log_init;
mod verification_bypass;
mod wget_and_curl;
mod wget_without_progress;
mod workdir_relative;
mod workdir_support;
mod workdir_system_directory;
mod world_writable_path;
mod yaml11_boolean;

pub use add_instead_of_copy::ADD_INSTEAD_OF_COPY;
pub use add_url_without_checksum::ADD_URL_WITHOUT_CHECKSUM;
pub use apk_add_without_no_cache::APK_ADD_WITHOUT_NO_CACHE;
pub use apt_get_update_alone::APT_GET_UPDATE_ALONE;
pub use apt_instead_of_apt_get::APT_INSTEAD_OF_APT_GET;
pub use apt_no_install_recommends::APT_NO_INSTALL_RECOMMENDS;
pub use auth_disabled::AUTH_DISABLED;
pub use build_and_image::BUILD_AND_IMAGE;
pub use build_context_elsewhere::BUILD_CONTEXT_ELSEWHERE;
pub use build_insecure::BUILD_INSECURE;
pub use bulky_build_context::BULKY_BUILD_CONTEXT;
pub use certificate_verification_disabled::CERTIFICATE_VERIFICATION_DISABLED;
pub use compose_schema::COMPOSE_SCHEMA;
pub use compose_v1_format::COMPOSE_V1_FORMAT;
pub use consecutive_run::CONSECUTIVE_RUN;
pub use container_name_with_replicas::CONTAINER_NAME_WITH_REPLICAS;
pub use copy_from_invalid_stage::COPY_FROM_INVALID_STAGE;
pub use copy_ignored_source::COPY_IGNORED_SOURCE;
pub use copy_multiple_sources_no_slash::COPY_MULTIPLE_SOURCES_NO_SLASH;
pub use copy_relative_destination::COPY_RELATIVE_DESTINATION;
pub use copy_source_not_found::COPY_SOURCE_NOT_FOUND;
pub use copy_whole_filesystem::COPY_WHOLE_FILESYSTEM;
pub use depends_on_not_healthy::DEPENDS_ON_NOT_HEALTHY;
pub use duplicate_container_name::DUPLICATE_CONTAINER_NAME;
pub use duplicate_host_port::DUPLICATE_HOST_PORT;
pub use duplicate_key::DUPLICATE_KEY;
pub use duplicate_stage_name::DUPLICATE_STAGE_NAME;
pub use empty_continuation_line::EMPTY_CONTINUATION_LINE;
pub use env_self_reference::ENV_SELF_REFERENCE;
pub use expose_invalid_port::EXPOSE_INVALID_PORT;
pub use expose_ssh_port::EXPOSE_SSH_PORT;
pub use from_platform_constant::FROM_PLATFORM_CONSTANT;
pub use hardcoded_credential::HARDCODED_CREDENTIAL;
pub use healthcheck_disabled::HEALTHCHECK_DISABLED;
pub use healthcheck_missing::HEALTHCHECK_MISSING;
pub use heredoc_without_set_e::HEREDOC_WITHOUT_SET_E;
pub use inconsistent_instruction_casing::INCONSISTENT_INSTRUCTION_CASING;
pub use insecure_run_entitlement::INSECURE_RUN_ENTITLEMENT;
pub use install_without_yes::INSTALL_WITHOUT_YES;
pub use invalid_container_name::INVALID_CONTAINER_NAME;
pub use invalid_default_arg_in_from::INVALID_DEFAULT_ARG_IN_FROM;
pub use invalid_label_key::INVALID_LABEL_KEY;
pub use invalid_port::INVALID_PORT;
pub use json_args_recommended::JSON_ARGS_RECOMMENDED;
pub use label_schema::LABEL_SCHEMA;
pub use latest_tag::LATEST_TAG;
pub use legacy_key_value_format::LEGACY_KEY_VALUE_FORMAT;
pub use ln_bin_sh::LN_BIN_SH;
pub use logging_disabled::LOGGING_DISABLED;
pub use maintainer_deprecated::MAINTAINER_DEPRECATED;
pub use multiple_cmd_entrypoint::MULTIPLE_CMD_ENTRYPOINT;
pub use multiple_healthchecks::MULTIPLE_HEALTHCHECKS;
pub use network_mode_conflict::NETWORK_MODE_CONFLICT;
pub use node_package_cache::NODE_PACKAGE_CACHE;
pub use nonsensical_command::NONSENSICAL_COMMAND;
pub use obsolete_version::OBSOLETE_VERSION;
pub use package_cache_not_cleaned::PACKAGE_CACHE_NOT_CLEANED;
pub use parse_error::PARSE_ERROR;
pub use password_set_in_image::PASSWORD_SET_IN_IMAGE;
pub use pip_extra_index_url::PIP_EXTRA_INDEX_URL;
pub use pip_install_cache::PIP_INSTALL_CACHE;
pub use pipe_without_pipefail::PIPE_WITHOUT_PIPEFAIL;
pub use port_all_interfaces::PORT_ALL_INTERFACES;
pub use privileged_host_port::PRIVILEGED_HOST_PORT;
pub use redundant_target_platform::REDUNDANT_TARGET_PLATFORM;
pub use remote_script_piped_to_shell::REMOTE_SCRIPT_PIPED_TO_SHELL;
pub use required_variable_unset::REQUIRED_VARIABLE_UNSET;
pub use reserved_stage_name::RESERVED_STAGE_NAME;
pub use root_user::ROOT_USER;
pub use run_cd::RUN_CD;
pub use secret_file_copied::SECRET_FILE_COPIED;
pub use secret_in_arg_env::SECRET_IN_ARG_ENV;
pub use secret_in_build_context::SECRET_IN_BUILD_CONTEXT;
pub use service_auth_disabled::SERVICE_AUTH_DISABLED;
pub use service_build_secret_arg::SERVICE_BUILD_SECRET_ARG;
pub use service_cgroup_parent::SERVICE_CGROUP_PARENT;
pub use service_dangerous_capability::SERVICE_DANGEROUS_CAPABILITY;
pub use service_docker_socket::SERVICE_DOCKER_SOCKET;
pub use service_host_device::SERVICE_HOST_DEVICE;
pub use service_host_namespace::SERVICE_HOST_NAMESPACE;
pub use service_host_sysctl::SERVICE_HOST_SYSCTL;
pub use service_image_runs_as_root::SERVICE_IMAGE_RUNS_AS_ROOT;
pub use service_latest_tag::SERVICE_LATEST_TAG;
pub use service_no_cap_drop_all::SERVICE_NO_CAP_DROP_ALL;
pub use service_no_cpu_limit::SERVICE_NO_CPU_LIMIT;
pub use service_no_healthcheck::SERVICE_NO_HEALTHCHECK;
pub use service_no_memory_limit::SERVICE_NO_MEMORY_LIMIT;
pub use service_no_new_privileges::SERVICE_NO_NEW_PRIVILEGES;
pub use service_no_pids_limit::SERVICE_NO_PIDS_LIMIT;
pub use service_no_resource_limits::SERVICE_NO_RESOURCE_LIMITS;
pub use service_no_ulimits::SERVICE_NO_ULIMITS;
pub use service_privileged::SERVICE_PRIVILEGED;
pub use service_restart_policy::SERVICE_RESTART_POLICY;
pub use service_root_user::SERVICE_ROOT_USER;
pub use service_secret_in_environment::SERVICE_SECRET_IN_ENVIRONMENT;
pub use service_security_profile_disabled::SERVICE_SECURITY_PROFILE_DISABLED;
pub use service_sensitive_mount::SERVICE_SENSITIVE_MOUNT;
pub use service_shared_propagation::SERVICE_SHARED_PROPAGATION;
pub use service_unpinned_digest::SERVICE_UNPINNED_DIGEST;
pub use service_untagged_image::SERVICE_UNTAGGED_IMAGE;
pub use service_user_unset::SERVICE_USER_UNSET;
pub use service_writable_root_fs::SERVICE_WRITABLE_ROOT_FS;
pub use setuid_bit_set::SETUID_BIT_SET;
pub use shared_volume::SHARED_VOLUME;
pub use shellcheck::SHELLCHECK;
pub use signature_verification_disabled::SIGNATURE_VERIFICATION_DISABLED;
pub use signing_key_over_http::SIGNING_KEY_OVER_HTTP;
pub use ssh_port_published::SSH_PORT_PUBLISHED;
pub use stage_name_casing::STAGE_NAME_CASING;
pub use sudo_in_run::SUDO_IN_RUN;
pub use tls_verification_disabled::TLS_VERIFICATION_DISABLED;
pub use tmpfs_exec::TMPFS_EXEC;
pub use undefined_variable::UNDEFINED_VARIABLE;
pub use unknown_instruction_flag::UNKNOWN_INSTRUCTION_FLAG;
pub use unpinned_apk_package::UNPINNED_APK_PACKAGE;
pub use unpinned_apt_package::UNPINNED_APT_PACKAGE;
pub use unpinned_digest::UNPINNED_DIGEST;
pub use unpinned_dnf_package::UNPINNED_DNF_PACKAGE;
pub use unpinned_gem_package::UNPINNED_GEM_PACKAGE;
pub use unpinned_go_package::UNPINNED_GO_PACKAGE;
pub use unpinned_npm_package::UNPINNED_NPM_PACKAGE;
pub use unpinned_pip_package::UNPINNED_PIP_PACKAGE;
pub use unpinned_yum_package::UNPINNED_YUM_PACKAGE;
pub use unpinned_zypper_package::UNPINNED_ZYPPER_PACKAGE;
pub use unquoted_port::UNQUOTED_PORT;
pub use untagged_image::UNTAGGED_IMAGE;
pub use untrusted_base_image::UNTRUSTED_BASE_IMAGE;
pub use untrusted_registry::UNTRUSTED_REGISTRY;
pub use unused_suppression::UNUSED_SUPPRESSION;
pub use user_by_name::USER_BY_NAME;
pub use useradd_without_no_log_init::USERADD_WITHOUT_NO_LOG_INIT;
pub use wget_and_curl::WGET_AND_CURL;
pub use wget_without_progress::WGET_WITHOUT_PROGRESS;
pub use workdir_relative::WORKDIR_RELATIVE;
pub use workdir_system_directory::WORKDIR_SYSTEM_DIRECTORY;
pub use world_writable_path::WORLD_WRITABLE_PATH;
pub use yaml11_boolean::YAML11_BOOLEAN;

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
    &SERVICE_PRIVILEGED,
    &SERVICE_NO_NEW_PRIVILEGES,
    &SERVICE_NO_CAP_DROP_ALL,
    &SERVICE_DANGEROUS_CAPABILITY,
    &SERVICE_DOCKER_SOCKET,
    &SERVICE_SENSITIVE_MOUNT,
    &SERVICE_HOST_NAMESPACE,
    &SERVICE_SECURITY_PROFILE_DISABLED,
    &SERVICE_HOST_DEVICE,
    &SERVICE_SHARED_PROPAGATION,
    &SERVICE_WRITABLE_ROOT_FS,
    &SERVICE_USER_UNSET,
    &SERVICE_CGROUP_PARENT,
    &SERVICE_HOST_SYSCTL,
    &PORT_ALL_INTERFACES,
    &PRIVILEGED_HOST_PORT,
    &DUPLICATE_HOST_PORT,
    &SSH_PORT_PUBLISHED,
    &UNQUOTED_PORT,
    &YAML11_BOOLEAN,
    &SERVICE_RESTART_POLICY,
    &SERVICE_NO_ULIMITS,
    &LOGGING_DISABLED,
    &SERVICE_NO_HEALTHCHECK,
    &HEALTHCHECK_DISABLED,
    &DEPENDS_ON_NOT_HEALTHY,
    &OBSOLETE_VERSION,
    &BUILD_AND_IMAGE,
    &DUPLICATE_CONTAINER_NAME,
    &TLS_VERIFICATION_DISABLED,
    &UNTRUSTED_REGISTRY,
    &TMPFS_EXEC,
    &INVALID_CONTAINER_NAME,
    &INVALID_PORT,
    &SHARED_VOLUME,
    &BUILD_INSECURE,
    &CONTAINER_NAME_WITH_REPLICAS,
    &NETWORK_MODE_CONFLICT,
    &SERVICE_IMAGE_RUNS_AS_ROOT,
    &SERVICE_BUILD_SECRET_ARG,
    &COMPOSE_V1_FORMAT,
    &COMPOSE_SCHEMA,
    &REQUIRED_VARIABLE_UNSET,
    &SERVICE_NO_RESOURCE_LIMITS,
    &SERVICE_AUTH_DISABLED,
    &UNTAGGED_IMAGE,
    &LATEST_TAG,
    &UNPINNED_DIGEST,
    &ROOT_USER,
    &SECRET_IN_ARG_ENV,
    &HARDCODED_CREDENTIAL,
    &SECRET_FILE_COPIED,
    &UNPINNED_APT_PACKAGE,
    &UNPINNED_APK_PACKAGE,
    &UNPINNED_YUM_PACKAGE,
    &UNPINNED_DNF_PACKAGE,
    &UNPINNED_ZYPPER_PACKAGE,
    &UNPINNED_PIP_PACKAGE,
    &UNPINNED_NPM_PACKAGE,
    &UNPINNED_GEM_PACKAGE,
    &UNPINNED_GO_PACKAGE,
    &CERTIFICATE_VERIFICATION_DISABLED,
    &SIGNATURE_VERIFICATION_DISABLED,
    &REMOTE_SCRIPT_PIPED_TO_SHELL,
    &ADD_URL_WITHOUT_CHECKSUM,
    &SUDO_IN_RUN,
    &INSECURE_RUN_ENTITLEMENT,
    &SETUID_BIT_SET,
    &PASSWORD_SET_IN_IMAGE,
    &USER_BY_NAME,
    &USERADD_WITHOUT_NO_LOG_INIT,
    &HEALTHCHECK_MISSING,
    &MULTIPLE_HEALTHCHECKS,
    &EXPOSE_INVALID_PORT,
    &EXPOSE_SSH_PORT,
    &WORKDIR_RELATIVE,
    &COPY_WHOLE_FILESYSTEM,
    &COPY_RELATIVE_DESTINATION,
    &WORKDIR_SYSTEM_DIRECTORY,
    &PIP_EXTRA_INDEX_URL,
    &UNTRUSTED_BASE_IMAGE,
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
    &REDUNDANT_TARGET_PLATFORM,
    &FROM_PLATFORM_CONSTANT,
    &INVALID_LABEL_KEY,
    &WGET_WITHOUT_PROGRESS,
    &LABEL_SCHEMA,
    &INVALID_DEFAULT_ARG_IN_FROM,
    &WORLD_WRITABLE_PATH,
    &SIGNING_KEY_OVER_HTTP,
    &AUTH_DISABLED,
    &COPY_IGNORED_SOURCE,
    &COPY_SOURCE_NOT_FOUND,
    &SECRET_IN_BUILD_CONTEXT,
    &BULKY_BUILD_CONTEXT,
    &BUILD_CONTEXT_ELSEWHERE,
    &SHELLCHECK,
    &UNUSED_SUPPRESSION,
];
// END GENERATED REGISTRY

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

// Shared helpers the policy templates (src/policies/template.rs) reuse, so a policy judges images and
// RUN commands exactly as the built-in rules do.
pub(crate) use run_commands::run_commands;
pub(crate) use support::{base_images, compose_image, report_in_service};
