//! The keys and value shapes of a compose file, as facts for validation: which keys each
//! mapping may hold, and whether each value is a scalar, a list or a mapping.
//!
//! These tables follow the Compose Specification's `schema/compose-spec.json` at
//! compose-spec/compose-spec commit 170098ba (2026-06-23), the schema Docker Compose v2
//! validates files against. They record shapes only (scalar, list, mapping, or one of
//! several), not scalar types and only some enumerations: a YAML scalar where the schema wants a string,
//! number or boolean is left alone, as Compose converts most of them. Keys starting with `x-`
//! are allowed wherever the schema allows them (`extensions`). `scripts/compose-differential.py`
//! checks the tables against Docker Compose's verdicts on the corpus.

/// What a value may be.
#[derive(Clone, Copy, Debug)]
pub enum Shape {
    /// Anything (not checked).
    Any,
    /// A string, number or boolean.
    Scalar,
    /// A string that is one of these.
    Enum(&'static [&'static str]),
    /// A list whose items have this shape.
    List(&'static Shape),
    /// A mapping with these keys.
    Object(&'static Object),
    /// A mapping with any keys (names), each value of this shape.
    Dict(&'static Shape),
    /// Any of these.
    OneOf(&'static [Shape]),
}

/// A mapping with known keys.
#[derive(Debug)]
pub struct Object {
    pub keys: &'static [(&'static str, Shape)],
    /// Whether `x-…` keys are allowed.
    pub extensions: bool,
}

impl Object {
    pub fn get(&self, key: &str) -> Option<Shape> {
        self.keys
            .iter()
            .find(|(name, _)| *name == key)
            .map(|(_, shape)| *shape)
    }

    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.keys.iter().map(|(name, _)| *name)
    }
}

use Shape::{Any, Dict, List, OneOf, Scalar};

const fn object(keys: &'static [(&'static str, Shape)]) -> Object {
    Object {
        keys,
        extensions: true,
    }
}

const SCALARS: Shape = List(&Scalar);
const STRING_OR_LIST: Shape = OneOf(&[Scalar, SCALARS]);
/// `list_or_dict`: `- KEY=value` items or `KEY: value`.
const LIST_OR_DICT: Shape = OneOf(&[SCALARS, Dict(&Any)]);
const COMMAND: Shape = OneOf(&[Scalar, SCALARS]);

/// The top level of a compose file.
pub static TOP_LEVEL: Object = object(&[
    ("version", Scalar),
    ("name", Scalar),
    ("include", List(&OneOf(&[Scalar, Shape::Object(&INCLUDE)]))),
    ("services", Dict(&Shape::Object(&SERVICE))),
    ("models", Dict(&Shape::Object(&MODEL))),
    ("networks", Dict(&Shape::Object(&NETWORK))),
    ("volumes", Dict(&Shape::Object(&VOLUME))),
    ("secrets", Dict(&Shape::Object(&SECRET))),
    ("configs", Dict(&Shape::Object(&CONFIG))),
]);

static INCLUDE: Object = Object {
    keys: &[
        ("path", STRING_OR_LIST),
        ("env_file", STRING_OR_LIST),
        ("project_directory", Scalar),
    ],
    extensions: false,
};

static MODEL: Object = object(&[
    ("name", Scalar),
    ("model", Scalar),
    ("context_size", Scalar),
    ("runtime_flags", SCALARS),
]);

static EXTERNAL: Object = object(&[("name", Scalar)]);
const EXTERNAL_SHAPE: Shape = OneOf(&[Scalar, Shape::Object(&EXTERNAL)]);

static NETWORK: Object = object(&[
    ("name", Scalar),
    ("driver", Scalar),
    ("driver_opts", Dict(&Scalar)),
    ("ipam", Shape::Object(&IPAM)),
    ("external", EXTERNAL_SHAPE),
    ("internal", Scalar),
    ("enable_ipv4", Scalar),
    ("enable_ipv6", Scalar),
    ("attachable", Scalar),
    ("labels", LIST_OR_DICT),
]);

static IPAM: Object = object(&[
    ("driver", Scalar),
    ("config", List(&Shape::Object(&IPAM_CONFIG))),
    ("options", Dict(&Scalar)),
]);

static IPAM_CONFIG: Object = object(&[
    ("subnet", Scalar),
    ("ip_range", Scalar),
    ("gateway", Scalar),
    ("aux_addresses", Dict(&Scalar)),
]);

static VOLUME: Object = object(&[
    ("name", Scalar),
    ("driver", Scalar),
    ("driver_opts", Dict(&Scalar)),
    ("external", EXTERNAL_SHAPE),
    ("labels", LIST_OR_DICT),
]);

static SECRET: Object = object(&[
    ("name", Scalar),
    ("environment", Scalar),
    ("file", Scalar),
    ("external", EXTERNAL_SHAPE),
    ("labels", LIST_OR_DICT),
    ("driver", Scalar),
    ("driver_opts", Dict(&Scalar)),
    ("template_driver", Scalar),
]);

static CONFIG: Object = object(&[
    ("name", Scalar),
    ("content", Scalar),
    ("environment", Scalar),
    ("file", Scalar),
    ("external", EXTERNAL_SHAPE),
    ("labels", LIST_OR_DICT),
    ("template_driver", Scalar),
]);

/// One service.
pub static SERVICE: Object = object(&[
    ("annotations", LIST_OR_DICT),
    ("attach", Scalar),
    ("blkio_config", Shape::Object(&BLKIO)),
    ("build", OneOf(&[Scalar, Shape::Object(&BUILD)])),
    ("cap_add", SCALARS),
    ("cap_drop", SCALARS),
    ("cgroup", Scalar),
    ("cgroup_parent", Scalar),
    ("command", COMMAND),
    ("configs", FILE_REFERENCES),
    ("container_name", Scalar),
    ("cpu_count", Scalar),
    ("cpu_percent", Scalar),
    ("cpu_shares", Scalar),
    ("cpu_quota", Scalar),
    ("cpu_period", Scalar),
    ("cpu_rt_period", Scalar),
    ("cpu_rt_runtime", Scalar),
    ("cpus", Scalar),
    ("cpuset", Scalar),
    ("credential_spec", Shape::Object(&CREDENTIAL_SPEC)),
    (
        "depends_on",
        OneOf(&[SCALARS, Dict(&Shape::Object(&DEPENDENCY))]),
    ),
    ("deploy", Shape::Object(&DEPLOY)),
    ("develop", Shape::Object(&DEVELOP)),
    ("device_cgroup_rules", SCALARS),
    ("devices", List(&OneOf(&[Scalar, Shape::Object(&DEVICE)]))),
    ("dns", STRING_OR_LIST),
    ("dns_opt", SCALARS),
    ("dns_search", STRING_OR_LIST),
    ("domainname", Scalar),
    ("entrypoint", COMMAND),
    (
        "env_file",
        OneOf(&[Scalar, List(&OneOf(&[Scalar, Shape::Object(&ENV_FILE)]))]),
    ),
    ("label_file", STRING_OR_LIST),
    ("environment", LIST_OR_DICT),
    ("expose", SCALARS),
    ("extends", OneOf(&[Scalar, Shape::Object(&EXTENDS)])),
    ("external_links", SCALARS),
    ("extra_hosts", LIST_OR_DICT),
    (
        "gpus",
        OneOf(&[Scalar, List(&Shape::Object(&DEVICE_REQUEST))]),
    ),
    ("group_add", SCALARS),
    ("healthcheck", Shape::Object(&HEALTHCHECK)),
    ("hostname", Scalar),
    ("image", Scalar),
    ("init", Scalar),
    ("ipc", Scalar),
    ("isolation", Scalar),
    ("labels", LIST_OR_DICT),
    ("links", SCALARS),
    ("logging", Shape::Object(&LOGGING)),
    ("mac_address", Scalar),
    ("mem_limit", Scalar),
    ("mem_reservation", Scalar),
    ("mem_swappiness", Scalar),
    ("memswap_limit", Scalar),
    ("models", OneOf(&[SCALARS, Dict(&Any)])),
    ("network_mode", Scalar),
    (
        "networks",
        OneOf(&[SCALARS, Dict(&Shape::Object(&SERVICE_NETWORK))]),
    ),
    ("oom_kill_disable", Scalar),
    ("oom_score_adj", Scalar),
    ("pid", Scalar),
    ("pids_limit", Scalar),
    ("platform", Scalar),
    ("ports", List(&OneOf(&[Scalar, Shape::Object(&PORT)]))),
    ("post_start", List(&Shape::Object(&HOOK))),
    ("pre_stop", List(&Shape::Object(&HOOK))),
    ("privileged", Scalar),
    ("profiles", SCALARS),
    ("provider", Shape::Object(&PROVIDER)),
    ("pull_policy", Scalar),
    ("pull_refresh_after", Scalar),
    ("read_only", Scalar),
    ("restart", Scalar),
    ("runtime", Scalar),
    ("scale", Scalar),
    ("secrets", FILE_REFERENCES),
    ("security_opt", SCALARS),
    ("shm_size", Scalar),
    ("stdin_open", Scalar),
    ("stop_grace_period", Scalar),
    ("stop_signal", Scalar),
    ("storage_opt", Dict(&Any)),
    ("sysctls", LIST_OR_DICT),
    ("tmpfs", STRING_OR_LIST),
    ("tty", Scalar),
    ("ulimits", ULIMITS),
    ("use_api_socket", Scalar),
    ("user", Scalar),
    ("userns_mode", Scalar),
    ("uts", Scalar),
    (
        "volumes",
        List(&OneOf(&[Scalar, Shape::Object(&SERVICE_VOLUME)])),
    ),
    ("volumes_from", SCALARS),
    ("working_dir", Scalar),
]);

const ULIMITS: Shape = Dict(&OneOf(&[Scalar, Shape::Object(&ULIMIT)]));

static ULIMIT: Object = object(&[("soft", Scalar), ("hard", Scalar)]);

/// `secrets:` / `configs:` of a service (and `build.secrets`).
const FILE_REFERENCES: Shape = List(&OneOf(&[Scalar, Shape::Object(&FILE_REFERENCE)]));

static FILE_REFERENCE: Object = object(&[
    ("source", Scalar),
    ("target", Scalar),
    ("uid", Scalar),
    ("gid", Scalar),
    ("mode", Scalar),
]);

static BUILD: Object = object(&[
    ("context", Scalar),
    ("dockerfile", Scalar),
    ("dockerfile_inline", Scalar),
    ("entitlements", SCALARS),
    ("args", LIST_OR_DICT),
    ("ssh", LIST_OR_DICT),
    ("labels", LIST_OR_DICT),
    ("cache_from", SCALARS),
    ("cache_to", SCALARS),
    ("no_cache", Scalar),
    ("additional_contexts", LIST_OR_DICT),
    ("network", Scalar),
    ("provenance", Scalar),
    ("sbom", Scalar),
    ("pull", Scalar),
    ("target", Scalar),
    ("shm_size", Scalar),
    ("extra_hosts", LIST_OR_DICT),
    ("isolation", Scalar),
    ("privileged", Scalar),
    ("secrets", FILE_REFERENCES),
    ("tags", SCALARS),
    ("ulimits", ULIMITS),
    ("platforms", SCALARS),
]);

static BLKIO_LIMIT: Object = Object {
    keys: &[("path", Scalar), ("rate", Scalar)],
    extensions: false,
};

static BLKIO_WEIGHT: Object = Object {
    keys: &[("path", Scalar), ("weight", Scalar)],
    extensions: false,
};

static BLKIO: Object = Object {
    keys: &[
        ("device_read_bps", List(&Shape::Object(&BLKIO_LIMIT))),
        ("device_read_iops", List(&Shape::Object(&BLKIO_LIMIT))),
        ("device_write_bps", List(&Shape::Object(&BLKIO_LIMIT))),
        ("device_write_iops", List(&Shape::Object(&BLKIO_LIMIT))),
        ("weight", Scalar),
        ("weight_device", List(&Shape::Object(&BLKIO_WEIGHT))),
    ],
    extensions: false,
};

static CREDENTIAL_SPEC: Object =
    object(&[("config", Scalar), ("file", Scalar), ("registry", Scalar)]);

static DEPENDENCY: Object = object(&[
    ("restart", Scalar),
    ("required", Scalar),
    (
        "condition",
        Shape::Enum(&[
            "service_started",
            "service_healthy",
            "service_completed_successfully",
        ]),
    ),
]);

static DEVICE: Object = object(&[
    ("source", Scalar),
    ("target", Scalar),
    ("permissions", Scalar),
]);

static ENV_FILE: Object = Object {
    keys: &[("path", Scalar), ("format", Scalar), ("required", Scalar)],
    extensions: false,
};

static EXTENDS: Object = Object {
    keys: &[("service", Scalar), ("file", Scalar)],
    extensions: false,
};

static DEVICE_REQUEST: Object = object(&[
    ("capabilities", SCALARS),
    ("count", Scalar),
    ("device_ids", SCALARS),
    ("driver", Scalar),
    ("options", LIST_OR_DICT),
]);

static HEALTHCHECK: Object = object(&[
    ("disable", Scalar),
    ("interval", Scalar),
    ("retries", Scalar),
    ("test", COMMAND),
    ("timeout", Scalar),
    ("start_period", Scalar),
    ("start_interval", Scalar),
]);

static LOGGING: Object = object(&[("driver", Scalar), ("options", Dict(&Any))]);

static SERVICE_NETWORK: Object = object(&[
    ("aliases", SCALARS),
    ("interface_name", Scalar),
    ("ipv4_address", Scalar),
    ("ipv6_address", Scalar),
    ("link_local_ips", SCALARS),
    ("mac_address", Scalar),
    ("driver_opts", Dict(&Scalar)),
    ("priority", Scalar),
    ("gw_priority", Scalar),
]);

static PORT: Object = object(&[
    ("name", Scalar),
    ("mode", Scalar),
    ("host_ip", Scalar),
    ("target", Scalar),
    ("published", Scalar),
    ("protocol", Scalar),
    ("app_protocol", Scalar),
]);

static HOOK: Object = object(&[
    ("command", COMMAND),
    ("user", Scalar),
    ("privileged", Scalar),
    ("working_dir", Scalar),
    ("environment", LIST_OR_DICT),
]);

static PROVIDER: Object = object(&[("type", Scalar), ("options", Dict(&Any))]);

static SERVICE_VOLUME: Object = object(&[
    ("type", Scalar),
    ("source", Scalar),
    ("target", Scalar),
    ("read_only", Scalar),
    ("consistency", Scalar),
    ("bind", Shape::Object(&VOLUME_BIND)),
    ("volume", Shape::Object(&VOLUME_VOLUME)),
    ("tmpfs", Shape::Object(&VOLUME_TMPFS)),
    ("image", Shape::Object(&VOLUME_IMAGE)),
]);

static VOLUME_BIND: Object = object(&[
    ("propagation", Scalar),
    ("create_host_path", Scalar),
    ("recursive", Scalar),
    ("selinux", Scalar),
]);

static VOLUME_VOLUME: Object = object(&[
    ("nocopy", Scalar),
    ("subpath", Scalar),
    ("labels", LIST_OR_DICT),
]);

static VOLUME_TMPFS: Object = object(&[("size", Scalar), ("mode", Scalar)]);

static VOLUME_IMAGE: Object = object(&[("subpath", Scalar)]);

static DEPLOY: Object = object(&[
    ("mode", Scalar),
    ("endpoint_mode", Scalar),
    ("replicas", Scalar),
    ("labels", LIST_OR_DICT),
    ("rollback_config", Shape::Object(&UPDATE_CONFIG)),
    ("update_config", Shape::Object(&UPDATE_CONFIG)),
    ("resources", Shape::Object(&RESOURCES)),
    ("restart_policy", Shape::Object(&RESTART_POLICY)),
    ("placement", Shape::Object(&PLACEMENT)),
]);

static UPDATE_CONFIG: Object = object(&[
    ("parallelism", Scalar),
    ("delay", Scalar),
    ("failure_action", Scalar),
    ("monitor", Scalar),
    ("max_failure_ratio", Scalar),
    ("order", Scalar),
]);

static RESOURCES: Object = object(&[
    ("limits", Shape::Object(&LIMITS)),
    ("reservations", Shape::Object(&RESERVATIONS)),
]);

static LIMITS: Object = object(&[("cpus", Scalar), ("memory", Scalar), ("pids", Scalar)]);

static RESERVATIONS: Object = object(&[
    ("cpus", Scalar),
    ("memory", Scalar),
    ("generic_resources", List(&Any)),
    ("devices", List(&Shape::Object(&DEVICE_REQUEST))),
]);

static RESTART_POLICY: Object = object(&[
    ("condition", Scalar),
    ("delay", Scalar),
    ("max_attempts", Scalar),
    ("window", Scalar),
]);

static PLACEMENT: Object = object(&[
    ("constraints", SCALARS),
    ("preferences", List(&Shape::Object(&PLACEMENT_PREFERENCE))),
    ("max_replicas_per_node", Scalar),
]);

static PLACEMENT_PREFERENCE: Object = object(&[("spread", Scalar)]);

static DEVELOP: Object = object(&[("watch", List(&Shape::Object(&WATCH)))]);

static WATCH: Object = object(&[
    ("ignore", STRING_OR_LIST),
    ("include", STRING_OR_LIST),
    ("path", Scalar),
    ("action", Scalar),
    ("target", Scalar),
    ("exec", Shape::Object(&HOOK)),
    ("initial_sync", Scalar),
]);
