//! Loading a project as compose-go's loader does: each file in order has its `include`s
//! imported, then its `extends` applied, then it is merged onto the files before it.

use std::path::{Component, Path, PathBuf};

use super::merge::{enforce_unicity, merge};
use super::{
    Entry, FileId, FileRole, Loader, Loc, Node, Problem, Project, ProjectFile, Service, Value,
};
use crate::syntax::span::Span;

/// The files of a project, in order, and its directory (against which the project's own files
/// resolve relative paths).
#[derive(Clone, Debug)]
pub struct ProjectInput {
    pub files: Vec<PathBuf>,
    pub project_dir: PathBuf,
}

/// The merged project. Problems are collected; whatever can be loaded is.
pub fn load_project(input: &ProjectInput, loader: &mut dyn Loader) -> Project {
    let mut state = State {
        loader,
        project: Project::default(),
        reported: Vec::new(),
        project_dir: input.project_dir.clone(),
    };
    let mut dict = None;
    for path in &input.files {
        let role = (FileRole::Own, Vec::new());
        state.load_into(&mut dict, path, &input.project_dir, None, role, &[]);
    }
    let mut project = state.project;
    if let Some(dict) = dict {
        collect(&dict, &mut project);
    }
    project
}

fn collect(dict: &Node, project: &mut Project) {
    if let Some(services) = dict.get("services").and_then(Node::as_mapping) {
        for entry in services {
            if entry.value.as_mapping().is_some() {
                project.services.push(Service {
                    name: entry.key.clone(),
                    defined_at: entry.key_loc,
                    node: entry.value.clone(),
                });
            }
        }
    }
    let names = |key: &str| -> Vec<(String, Loc)> {
        dict.get(key)
            .and_then(Node::as_mapping)
            .map(|entries| entries.iter().map(|e| (e.key.clone(), e.key_loc)).collect())
            .unwrap_or_default()
    };
    project.networks = names("networks");
    project.volumes = names("volumes");
    project.secrets = names("secrets");
    project.configs = names("configs");
}

struct State<'l> {
    loader: &'l mut dyn Loader,
    project: Project,
    /// Files whose parse errors are already reported.
    reported: Vec<PathBuf>,
    /// Paths in messages are shown relative to this directory when they lie under it.
    project_dir: PathBuf,
}

/// `path` with `.` dropped and `..` applied lexically.
pub(super) fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

fn resolve(base: &Path, written: &str) -> PathBuf {
    normalize(&base.join(written))
}

impl State<'_> {
    fn problem(&mut self, loc: Loc, message: String) {
        self.project.problems.push(Problem { loc, message });
    }

    /// `path` as messages show it: relative to the project directory when under it.
    fn shown(&self, path: &Path) -> String {
        path.strip_prefix(&self.project_dir)
            .unwrap_or(path)
            .display()
            .to_string()
    }

    /// Read and parse `path` in the role given by `base_dir`: its id and its root mapping.
    /// `None` (with a problem at `reference`, or at the file) when it cannot be read or is not
    /// a mapping.
    fn open(
        &mut self,
        path: &Path,
        base_dir: &Path,
        reference: Option<Loc>,
        (role, env_files): (FileRole, Vec<PathBuf>),
    ) -> Option<(FileId, Node)> {
        let id = self.project.files.len();
        self.project.files.push(ProjectFile {
            path: path.to_path_buf(),
            base_dir: base_dir.to_path_buf(),
            role,
            env_files,
        });
        let at_file = Loc {
            file: id,
            span: Span::empty(0),
        };
        let compose = match self.loader.load(path) {
            Ok(compose) => compose,
            Err(reason) => {
                let message = format!("cannot read `{}`: {reason}", self.shown(path));
                self.problem(reference.unwrap_or(at_file), message);
                return None;
            }
        };
        if !self.reported.iter().any(|p| p == path) {
            self.reported.push(path.to_path_buf());
            for error in &compose.yaml.errors {
                self.problem(
                    Loc {
                        file: id,
                        span: error.span,
                    },
                    error.message.clone(),
                );
            }
            for error in &compose.errors {
                self.problem(
                    Loc {
                        file: id,
                        span: error.span,
                    },
                    error.message.clone(),
                );
            }
        }
        let root = match compose.root() {
            Some(root) => Node::from_yaml(id, root),
            None => Node::empty_mapping(at_file),
        };
        if root.is_null() {
            return Some((id, Node::empty_mapping(root.loc)));
        }
        if root.as_mapping().is_none() {
            self.problem(root.loc, "top-level object must be a mapping".to_string());
            return None;
        }
        Some((id, root))
    }

    /// One file of a project (or of an included project) merged onto `dict`.
    fn load_into(
        &mut self,
        dict: &mut Option<Node>,
        path: &Path,
        base_dir: &Path,
        reference: Option<Loc>,
        role: (FileRole, Vec<PathBuf>),
        included: &[PathBuf],
    ) {
        let Some((id, mut cfg)) = self.open(path, base_dir, reference, role) else {
            return;
        };
        let mut included = included.to_vec();
        included.push(path.to_path_buf());
        self.apply_include(&mut cfg, base_dir, &included);
        self.apply_extends(&mut cfg, id);
        let merged = match dict.take() {
            None => Ok(super::merge::strip(cfg)),
            Some(base) => {
                let loc = cfg.loc;
                match merge(base.clone(), cfg, &mut Vec::new()) {
                    Ok(merged) => Ok(merged),
                    Err(message) => {
                        self.problem(loc, message);
                        Err(base)
                    }
                }
            }
        };
        let mut merged = merged.unwrap_or_else(|base| base);
        enforce_unicity(&mut merged);
        *dict = Some(merged);
    }

    fn apply_include(&mut self, cfg: &mut Node, working_dir: &Path, included: &[PathBuf]) {
        let Value::Mapping(entries) = &mut cfg.value else {
            return;
        };
        let Some(index) = entries.iter().position(|e| e.key == "include") else {
            return;
        };
        let include = entries.remove(index);
        let Some(items) = include.value.as_sequence() else {
            if !include.value.is_null() {
                self.problem(include.value.loc, "`include` must be a list".to_string());
            }
            return;
        };
        for item in items {
            let (paths, project_dir): (Vec<(String, Loc)>, Option<&str>) = match item.as_str() {
                Some(path) => (vec![(path.to_string(), item.loc)], None),
                None => {
                    let paths = match item.get("path") {
                        Some(p) if p.as_str().is_some() => {
                            vec![(p.as_str().unwrap_or_default().to_string(), p.loc)]
                        }
                        Some(p) => p
                            .as_sequence()
                            .unwrap_or_default()
                            .iter()
                            .filter_map(|n| n.as_str().map(|s| (s.to_string(), n.loc)))
                            .collect(),
                        None => Vec::new(),
                    };
                    (paths, item.get("project_directory").and_then(Node::as_str))
                }
            };
            let mut env_files: Vec<PathBuf> = Vec::new();
            let written_env_files: Vec<&Node> = match item.get("env_file") {
                Some(file) if file.as_str().is_some() => vec![file],
                Some(files) => files.as_sequence().unwrap_or_default().iter().collect(),
                None => Vec::new(),
            };
            for node in written_env_files {
                let Some(written) = node.as_str() else {
                    continue;
                };
                let path = resolve(working_dir, written);
                if self.loader.exists(&path) {
                    env_files.push(path);
                } else {
                    self.problem(node.loc, format!("env file `{written}` not found"));
                }
            }
            let Some((first, _)) = paths.first() else {
                self.problem(item.loc, "an `include` item needs a `path`".to_string());
                continue;
            };
            let first = resolve(working_dir, first);
            let project_dir = match project_dir {
                Some(dir) => resolve(working_dir, dir),
                None => first.parent().map(Path::to_path_buf).unwrap_or_default(),
            };
            if included.contains(&first) {
                self.problem(
                    item.loc,
                    format!(
                        "include cycle: `{}` is already being loaded",
                        self.shown(&first)
                    ),
                );
                continue;
            }
            let mut imported = None;
            for (written, loc) in &paths {
                let path = resolve(working_dir, written);
                let role = (FileRole::Included, env_files.clone());
                self.load_into(
                    &mut imported,
                    &path,
                    &project_dir,
                    Some(*loc),
                    role,
                    included,
                );
            }
            if let Some(imported) = imported {
                self.import(imported, cfg_entries(cfg), item.loc);
            }
        }
    }

    /// Services, volumes, … of an included project added to `entries`; a service defined on
    /// both sides is a conflict (Compose rejects the project).
    fn import(&mut self, imported: Node, entries: &mut Vec<Entry>, reference: Loc) {
        let Value::Mapping(imported) = imported.value else {
            return;
        };
        for resource in imported {
            if !matches!(
                resource.key.as_str(),
                "services" | "volumes" | "networks" | "secrets" | "configs" | "models"
            ) {
                continue;
            }
            let Value::Mapping(items) = resource.value.value else {
                continue;
            };
            let target = match entries.iter().position(|e| e.key == resource.key) {
                Some(i) => i,
                None => {
                    entries.push(Entry {
                        key: resource.key.clone(),
                        key_loc: resource.key_loc,
                        value: Node::empty_mapping(resource.value.loc),
                    });
                    entries.len() - 1
                }
            };
            if entries[target].value.is_null() {
                entries[target].value = Node::empty_mapping(entries[target].value.loc);
            }
            let Value::Mapping(existing) = &mut entries[target].value.value else {
                continue;
            };
            for item in items {
                match existing.iter().find(|e| e.key == item.key) {
                    None => existing.push(item),
                    Some(local) if resource.key == "services" => {
                        let loc = local.key_loc;
                        self.project.problems.push(Problem {
                            loc,
                            message: format!(
                                "services.{} conflicts with a service of an included file",
                                item.key
                            ),
                        });
                        let _ = reference;
                    }
                    Some(_) => {}
                }
            }
        }
    }

    fn apply_extends(&mut self, cfg: &mut Node, file: FileId) {
        let entries = cfg_entries(cfg);
        let Some(services) = entries.iter_mut().find(|e| e.key == "services") else {
            return;
        };
        let Value::Mapping(services) = &mut services.value.value else {
            return;
        };
        let names: Vec<String> = services.iter().map(|e| e.key.clone()).collect();
        for name in names {
            self.extend(services, file, &name, &mut Vec::new());
        }
    }

    /// The service `name` of `services` (a file's) with its `extends` applied, written back.
    fn extend(
        &mut self,
        services: &mut [Entry],
        file: FileId,
        name: &str,
        chain: &mut Vec<(PathBuf, String)>,
    ) -> Option<Node> {
        let index = services.iter().position(|e| e.key == name)?;
        let service = services[index].value.clone();
        service.as_mapping()?;
        let Some(extends) = service.entry("extends").cloned() else {
            return Some(service);
        };
        let without_extends = |mut node: Node| {
            if let Value::Mapping(entries) = &mut node.value {
                entries.retain(|e| e.key != "extends");
            }
            node
        };
        let reference = extends.value.loc;
        let (target, other_file) = match extends.value.as_str() {
            Some(target) => (Some(target.to_string()), None),
            None => (
                extends
                    .value
                    .get("service")
                    .and_then(Node::as_str)
                    .map(str::to_string),
                extends
                    .value
                    .get("file")
                    .and_then(|f| f.as_str().map(|s| (s.to_string(), f.loc))),
            ),
        };
        let Some(target) = target else {
            self.problem(reference, format!("extends.{name}.service is required"));
            services[index].value = without_extends(service);
            return Some(services[index].value.clone());
        };
        let path = self.project.files[file].path.clone();
        let key = (path.clone(), name.to_string());
        if chain.contains(&key) {
            self.problem(
                reference,
                format!(
                    "extends cycle: service `{name}` of `{}` extends itself",
                    self.shown(&path)
                ),
            );
            services[index].value = without_extends(service);
            return None;
        }
        chain.push(key);
        let base = match other_file {
            Some((written, loc)) => {
                let base_dir = self.project.files[file].base_dir.clone();
                let other = resolve(&base_dir, &written);
                let other_dir = other.parent().map(Path::to_path_buf).unwrap_or_default();
                match self.open(
                    &other,
                    &other_dir,
                    Some(loc),
                    (FileRole::Extended, Vec::new()),
                ) {
                    Some((other_id, mut other_cfg)) => {
                        let entries = cfg_entries(&mut other_cfg);
                        match entries
                            .iter_mut()
                            .find(|e| e.key == "services")
                            .and_then(|e| match &mut e.value.value {
                                Value::Mapping(s) => Some(s),
                                _ => None,
                            }) {
                            Some(other_services)
                                if other_services.iter().any(|e| e.key == target) =>
                            {
                                self.project.extended.push((other_id, target.clone()));
                                self.extend(other_services, other_id, &target, chain)
                            }
                            _ => {
                                self.problem(
                                    reference,
                                    format!(
                                        "cannot extend service `{name}`: service `{target}` not found in `{written}`"
                                    ),
                                );
                                None
                            }
                        }
                    }
                    None => None,
                }
            }
            None => {
                if services.iter().any(|e| e.key == target) {
                    self.extend(services, file, &target, chain)
                } else {
                    self.problem(
                        reference,
                        format!("cannot extend service `{name}`: service `{target}` not found"),
                    );
                    None
                }
            }
        };
        chain.pop();
        let merged = match base {
            Some(base) => {
                let loc = service.loc;
                let mut path = vec!["services".to_string(), "x".to_string()];
                match merge(base, service.clone(), &mut path) {
                    Ok(merged) => without_extends(merged),
                    Err(message) => {
                        self.problem(loc, message);
                        without_extends(service)
                    }
                }
            }
            None => without_extends(service),
        };
        services[index].value = merged.clone();
        Some(merged)
    }
}

fn cfg_entries(cfg: &mut Node) -> &mut Vec<Entry> {
    if !matches!(cfg.value, Value::Mapping(_)) {
        cfg.value = Value::Mapping(Vec::new());
    }
    match &mut cfg.value {
        Value::Mapping(entries) => entries,
        _ => unreachable!(),
    }
}
