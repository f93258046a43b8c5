//! DC012 service-no-cap-drop-all: a compose service keeps Docker's default capabilities
//! instead of dropping them all (`cap_drop: [ALL]`) and adding back what it needs.

use crate::linter::diagnostic::{Applicability, Category, Fix, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, FixAvailability, Rule, Target};

use super::compose_edits::{append_list_item, append_service_entry};
use super::support::{capability_name, is_true};

pub static SERVICE_NO_CAP_DROP_ALL: Rule = Rule {
    code: "DC012",
    name: "service-no-cap-drop-all",
    summary: "A service does not drop all capabilities (`cap_drop: [ALL]`)",
    target: Target::Compose,
    category: Category::Privilege,
    severity: Severity::Info,
    default_enabled: false,
    fix: FixAvailability::Sometimes,
    related: &[
        "kics:ce76b7d0",
        "compose-lint:CL-0006",
        "cis:5.4",
        "nist-800-190:3.4.3",
    ],
    docs: include_str!("service_no_cap_drop_all.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    let text = context.source.text.as_str();
    for service in &context.compose.services {
        // A privileged service has every capability whatever `cap_drop` says;
        // `service-privileged` reports it.
        if service.privileged.as_ref().is_some_and(|field| field.value) {
            continue;
        }
        if service
            .cap_drop
            .iter()
            .any(|cap| capability_name(&cap.value) == "ALL")
        {
            continue;
        }
        // An override or an `extends` base may drop them (or make the service privileged).
        if context.settled_by_project_when(service, |merged| {
            merged
                .get("privileged")
                .and_then(|p| p.as_str())
                .is_some_and(is_true)
                || merged
                    .get("cap_drop")
                    .and_then(|list| list.as_sequence())
                    .is_some_and(|list| {
                        list.iter()
                            .filter_map(|cap| cap.as_str())
                            .any(|cap| capability_name(cap) == "ALL")
                    })
        }) {
            continue;
        }
        // A `cap_drop` merged in from an anchor would be replaced by a new key.
        let edit = match service.node.get("cap_drop") {
            None => append_service_entry(text, service, "cap_drop: [ALL]"),
            Some(_) => append_list_item(text, service, "cap_drop", "ALL"),
        };
        let finding = out.report(
            service.name.span,
            format!(
                "service `{}` keeps Docker's default capabilities",
                service.name.value
            ),
        );
        finding.with_help(
            "add `cap_drop: [ALL]` and list in `cap_add` only the capabilities the program needs \
             (often none, or `NET_BIND_SERVICE`)",
        );
        // Unsafe: the program may need a default capability (an entrypoint that `chown`s files
        // or switches users); `cap_add` entries the service lists are kept.
        if let Some(edit) = edit {
            finding.with_fix(Fix {
                message: "drop all capabilities (`cap_drop: [ALL]`)".into(),
                applicability: Applicability::Unsafe,
                edits: vec![edit],
            });
        }
    }
}
