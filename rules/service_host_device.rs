//! DC018 service-host-device: a compose service is given a host device that exposes the host's
//! disks, memory or whole `/dev`.

use crate::linter::diagnostic::{Category, Severity};
use crate::linter::rule::{Check, ComposeContext, Emitter, Rule, Target};

use super::support::{normalized_host_path, report_in_service, with_compose_defaults};

pub static SERVICE_HOST_DEVICE: Rule = Rule {
    code: "DC018",
    name: "service-host-device",
    summary: "A service is given a host device that exposes disks or memory (`/dev/sda`, `/dev/mem`, …)",
    target: Target::Compose,
    category: Category::Isolation,
    severity: Severity::Warning,
    related: &["compose-lint:CL-0016", "cis:5.18", "nist-800-190:3.4.3"],
    docs: include_str!("service_host_device.md"),
    check: Check::Compose(check),
    ..Rule::DEFAULTS
};

/// What a host device exposes, when it is one that gives the host away.
fn exposure(path: &str) -> Option<&'static str> {
    let name = path.strip_prefix("/dev/")?;
    let starts = |prefixes: &[&str]| prefixes.iter().any(|p| name.starts_with(p));
    if matches!(name, "mem" | "kmem" | "port") {
        Some("the host's physical memory or I/O ports")
    } else if starts(&[
        "sd", "hd", "vd", "xvd", "nvme", "mmcblk", "dm-", "md", "loop",
    ]) || starts(&["mapper/", "disk/"])
    {
        Some("a host block device, with every file on it")
    } else {
        None
    }
}

fn check(context: &ComposeContext<'_>, out: &mut Emitter<'_>) {
    for service in &context.compose.services {
        for device in &service.devices {
            // `host[:container[:permissions]]`; CDI names (`vendor.com/gpu=all`) have no `/dev`.
            let host = device.value.split(':').next().unwrap_or_default();
            let Some(path) = with_compose_defaults(host).and_then(|h| normalized_host_path(&h))
            else {
                continue;
            };
            let what = if path == "/dev" {
                "every host device"
            } else if let Some(what) = exposure(&path) {
                what
            } else {
                continue;
            };
            report_in_service(
                out,
                service,
                device.span,
                format!(
                    "service `{}` gets `{path}`, which exposes {what}",
                    service.name.value
                ),
            )
            .with_help(
                "give the container only the device it needs, or a volume or file instead of a \
                 raw disk",
            );
        }
    }
}
