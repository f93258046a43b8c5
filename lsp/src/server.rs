//! The server: document state, debounced checking, and the LSP requests on top of [`Linter`].
//!
//! tower-lsp-server runs handlers concurrently, so every document update goes through one async
//! mutex and carries the client's version: a check runs on a snapshot and its result is stored
//! and published only if the document still has that version (the newest version wins, stale
//! results are dropped). Checks run on blocking threads under `catch_unwind`: a panicking rule
//! is logged to the client and the document keeps its last good diagnostics.
//!
//! A check may come in two rounds ([`Checked::late`]): the quick findings are stored and
//! published at once, then the complete check runs in the background on the same snapshot
//! and replaces them under the same rules (dropped when the document changed meanwhile).
//! What is published is always the document's stored result, read under the lock, so a quick
//! result can never overwrite the complete one of the same version.

use std::collections::{HashMap, HashSet};
use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use tokio::sync::Mutex;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer, LspService, Server};

use crate::position::{Encoding, LineIndex};
use crate::{Checked, ConfigProblem, Document, Finding, Level, Linter, OpenFile, SessionEnd, Tag};

/// How long a document must stay unchanged before it is checked (typing bursts coalesce).
const DEBOUNCE: Duration = Duration::from_millis(50);

/// The code action kind of "apply every safe fix".
const FIX_ALL: CodeActionKind = CodeActionKind::new("source.fixAll.plimsoll");

/// Stack size of the threads that check documents: parsers may go deep on odd input.
const STACK_SIZE: usize = 8 << 20;

/// Serve LSP on stdin/stdout until the client sends `exit`; how the session ended (the
/// process's exit code follows from it).
pub fn run<L: Linter>(linter: L) -> std::io::Result<SessionEnd> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(4)
        .thread_stack_size(STACK_SIZE)
        .thread_name("plimsoll-lsp")
        .enable_all()
        .build()?;
    let end = runtime.block_on(serve_session(
        linter,
        tokio::io::stdin(),
        tokio::io::stdout(),
    ));
    // Blocking reads of stdin would otherwise keep the process alive after `exit`.
    runtime.shutdown_background();
    Ok(end)
}

/// Serve LSP on any byte streams (in-process tests use a pipe) until the client sends `exit`
/// or closes `input`. Needs a multi-threaded tokio runtime.
pub async fn serve<L, I, O>(linter: L, input: I, output: O)
where
    L: Linter,
    I: tokio::io::AsyncRead + Unpin,
    O: tokio::io::AsyncWrite,
{
    serve_session(linter, input, output).await;
}

/// [`serve`], saying how the session ended.
pub async fn serve_session<L, I, O>(linter: L, input: I, output: O) -> SessionEnd
where
    L: Linter,
    I: tokio::io::AsyncRead + Unpin,
    O: tokio::io::AsyncWrite,
{
    let linter: Arc<dyn Linter> = Arc::new(linter);
    let (service, socket) = LspService::new(|client| Backend {
        inner: Arc::new(Inner::new(client, linter)),
    });
    // Bad messages are answered by the checking layer: the library would end the session.
    crate::framing::checked(input, output, |input, output| {
        Server::new(input, output, socket).serve(service)
    })
    .await
}

/// What the client said it can do, fixed at `initialize`.
#[derive(Clone, Copy, Debug, Default)]
struct Negotiated {
    encoding: Encoding,
    /// The client pulls diagnostics (`textDocument/diagnostic`): do not push document ones.
    pull: bool,
    pull_refresh: bool,
    watch_registration: bool,
    /// The client takes watchers relative to a base directory (LSP 3.17).
    relative_patterns: bool,
}

/// One open document.
struct Doc {
    text: Arc<str>,
    version: i32,
    /// Changes whenever the result must be recomputed, even at the same version (a file the
    /// check read changed): a check stores and publishes its result only if it still matches.
    stamp: u64,
    language_id: String,
    /// The result for `version`: `Some(None)` when the linter does not handle the document.
    checked: Option<Option<Arc<Checked>>>,
}

/// What a check reads: the document as it was when the check started.
#[derive(Clone)]
struct Snapshot {
    path: Option<PathBuf>,
    text: Arc<str>,
    language_id: String,
    /// The other open documents (cheap: the texts are shared).
    open: Vec<OpenFile>,
}

impl Snapshot {
    fn document(&self) -> Document<'_> {
        Document {
            path: self.path.as_deref(),
            text: &self.text,
            language_id: Some(&self.language_id),
            open: &self.open,
        }
    }
}

/// The message a panic was raised with.
fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string())
}

/// A fresh [`Doc::stamp`].
fn next_stamp() -> u64 {
    static STAMPS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    STAMPS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

impl Doc {
    /// The result must be computed again (a check in flight will not store its own); the
    /// version to check it at.
    fn invalidate(&mut self) -> i32 {
        self.checked = None;
        self.stamp = next_stamp();
        self.version
    }
}

struct Inner {
    client: Client,
    linter: Arc<dyn Linter>,
    negotiated: OnceLock<Negotiated>,
    docs: Mutex<HashMap<Uri, Doc>>,
    /// Diagnostics published on config files, to clear them when fixed.
    config_published: Mutex<HashMap<Uri, Vec<Diagnostic>>>,
    /// The file watchers registered with the client (id counter and what they cover); held
    /// while re-registering, so registrations never interleave.
    watching: Mutex<Watching>,
}

#[derive(Default)]
struct Watching {
    generation: u32,
    globs: Vec<String>,
    dirs: Vec<PathBuf>,
}

struct Backend {
    inner: Arc<Inner>,
}

fn path_of(uri: &Uri) -> Option<PathBuf> {
    uri.to_file_path().map(|p| p.into_owned())
}

impl Inner {
    fn new(client: Client, linter: Arc<dyn Linter>) -> Self {
        Self {
            client,
            linter,
            negotiated: OnceLock::new(),
            docs: Mutex::new(HashMap::new()),
            config_published: Mutex::new(HashMap::new()),
            watching: Mutex::new(Watching::default()),
        }
    }

    /// Ask the client to watch the config files, again whenever the linter learnt of new config
    /// directories (the old registration is dropped first).
    async fn update_watchers(&self) {
        let negotiated = self.negotiated();
        if !negotiated.watch_registration {
            return;
        }
        let mut watching = self.watching.lock().await;
        let mut globs = self.linter.config_globs();
        globs.extend(self.linter.dependency_globs());
        let dirs = self.linter.config_dirs();
        if watching.generation > 0 && watching.globs == globs && watching.dirs == dirs {
            return;
        }
        if watching.generation > 0 {
            let old = Unregistration {
                id: format!("plimsoll-config-files-{}", watching.generation),
                method: "workspace/didChangeWatchedFiles".to_string(),
            };
            let _ = self.client.unregister_capability(vec![old]).await;
        }
        let mut watchers: Vec<FileSystemWatcher> = globs
            .iter()
            .map(|glob| FileSystemWatcher {
                glob_pattern: GlobPattern::String(glob.clone()),
                kind: None,
            })
            .collect();
        for dir in &dirs {
            let pattern = "*.{yaml,yml}";
            let glob_pattern = match Uri::from_file_path(dir) {
                Some(base) if negotiated.relative_patterns => {
                    GlobPattern::Relative(RelativePattern {
                        base_uri: OneOf::Right(base),
                        pattern: pattern.to_string(),
                    })
                }
                _ => GlobPattern::String(format!("{}/{pattern}", dir.display())),
            };
            watchers.push(FileSystemWatcher {
                glob_pattern,
                kind: None,
            });
        }
        watching.generation += 1;
        watching.globs = globs;
        watching.dirs = dirs;
        let registration = Registration {
            id: format!("plimsoll-config-files-{}", watching.generation),
            method: "workspace/didChangeWatchedFiles".to_string(),
            register_options: serde_json::to_value(DidChangeWatchedFilesRegistrationOptions {
                watchers,
            })
            .ok(),
        };
        if let Err(err) = self.client.register_capability(vec![registration]).await {
            self.client
                .log_message(
                    MessageType::WARNING,
                    format!("cannot watch config files ({err}); re-checking on save only"),
                )
                .await;
        }
    }

    fn negotiated(&self) -> Negotiated {
        self.negotiated.get().copied().unwrap_or_default()
    }

    /// Check `uri` after the debounce delay, unless a newer version arrived meanwhile.
    fn schedule(self: &Arc<Self>, uri: Uri, version: i32) {
        let inner = Arc::clone(self);
        tokio::spawn(async move {
            tokio::time::sleep(DEBOUNCE).await;
            inner.check_and_publish(&uri, version).await;
            // The check may have met new policy directories.
            inner.update_watchers().await;
        });
    }

    /// The result for `uri` at `version`, checking if needed; `None` when the document is gone,
    /// has a newer version, or the check panicked. A result that says more findings come late
    /// starts the complete check in the background.
    async fn checked(self: &Arc<Self>, uri: &Uri, version: i32) -> Option<Option<Arc<Checked>>> {
        let (text, language_id, stamp, open) = {
            let docs = self.docs.lock().await;
            let doc = docs.get(uri).filter(|d| d.version == version)?;
            if let Some(checked) = &doc.checked {
                return Some(checked.clone());
            }
            // The other open documents as they are now (cheap: the texts are shared).
            let open: Vec<OpenFile> = docs
                .iter()
                .filter(|(other, _)| *other != uri)
                .filter_map(|(other, doc)| {
                    Some(OpenFile {
                        path: path_of(other)?,
                        text: Arc::clone(&doc.text),
                    })
                })
                .collect();
            (
                Arc::clone(&doc.text),
                doc.language_id.clone(),
                doc.stamp,
                open,
            )
        };
        let snapshot = Snapshot {
            path: path_of(uri),
            text,
            language_id,
            open,
        };
        let linter = Arc::clone(&self.linter);
        let taken = snapshot.clone();
        let outcome = tokio::task::spawn_blocking(move || {
            panic::catch_unwind(AssertUnwindSafe(|| linter.check(&taken.document())))
        })
        .await;
        let checked = match outcome {
            Ok(Ok(checked)) => {
                for error in checked.iter().flat_map(|c| &c.internal_errors) {
                    self.log_internal_error(uri, error).await;
                }
                checked.map(Arc::new)
            }
            Ok(Err(payload)) => {
                self.log_panic(
                    uri,
                    panic_text(&*payload),
                    "keeping the previous diagnostics",
                )
                .await;
                return None;
            }
            Err(err) => {
                self.client
                    .log_message(MessageType::ERROR, format!("check task failed: {err}"))
                    .await;
                return None;
            }
        };
        let mut docs = self.docs.lock().await;
        let doc = docs
            .get_mut(uri)
            .filter(|d| d.version == version && d.stamp == stamp)?;
        // A check of the same snapshot stored first (it may be the complete one): keep it.
        if let Some(stored) = &doc.checked {
            return Some(stored.clone());
        }
        doc.checked = Some(checked.clone());
        drop(docs);
        if let Some(quick) = checked.as_ref().filter(|c| c.late) {
            self.complete_later(uri.clone(), version, stamp, snapshot, quick);
        }
        Some(checked)
    }

    /// Whether `uri` still has `version` and `stamp`.
    async fn is_current(&self, uri: &Uri, version: i32, stamp: u64) -> bool {
        self.docs
            .lock()
            .await
            .get(uri)
            .is_some_and(|d| d.version == version && d.stamp == stamp)
    }

    /// The complete check of `snapshot` (whose quick result is `quick`), on a blocking thread:
    /// stored and published in place of the quick one if the document is still at `version`
    /// and `stamp`, dropped otherwise.
    fn complete_later(
        self: &Arc<Self>,
        uri: Uri,
        version: i32,
        stamp: u64,
        snapshot: Snapshot,
        quick: &Checked,
    ) {
        let inner = Arc::clone(self);
        let logged = quick.internal_errors.clone();
        tokio::spawn(async move {
            // A newer version arrived while the quick result was published: its own check
            // has work to do, this one has none.
            if !inner.is_current(&uri, version, stamp).await {
                return;
            }
            let linter = Arc::clone(&inner.linter);
            let outcome = tokio::task::spawn_blocking(move || {
                panic::catch_unwind(AssertUnwindSafe(|| linter.check_late(&snapshot.document())))
            })
            .await;
            let checked = match outcome {
                Ok(Ok(Some(checked))) => checked,
                Ok(Ok(None)) => return,
                Ok(Err(payload)) => {
                    inner
                        .log_panic(&uri, panic_text(&*payload), "keeping the findings shown")
                        .await;
                    return;
                }
                Err(err) => {
                    inner
                        .client
                        .log_message(MessageType::ERROR, format!("check task failed: {err}"))
                        .await;
                    return;
                }
            };
            // The rule failures of the quick round were logged already.
            for error in checked
                .internal_errors
                .iter()
                .filter(|e| !logged.contains(e))
            {
                inner.log_internal_error(&uri, error).await;
            }
            let checked = Arc::new(Checked {
                late: false,
                ..checked
            });
            {
                let mut docs = inner.docs.lock().await;
                let Some(doc) = docs
                    .get_mut(&uri)
                    .filter(|d| d.version == version && d.stamp == stamp)
                else {
                    return;
                };
                doc.checked = Some(Some(Arc::clone(&checked)));
            }
            inner.publish_config(&checked.config_problems).await;
            let negotiated = inner.negotiated();
            if negotiated.pull {
                if negotiated.pull_refresh {
                    let _ = inner.client.workspace_diagnostic_refresh().await;
                }
                return;
            }
            inner.publish_stored(&uri, version).await;
        });
    }

    async fn log_internal_error(&self, uri: &Uri, error: &str) {
        self.client
            .log_message(
                MessageType::ERROR,
                format!(
                    "{}: internal error while checking {}: {error} (please report); \
                     the other findings are shown",
                    self.linter.name(),
                    uri.as_str()
                ),
            )
            .await;
    }

    async fn log_panic(&self, uri: &Uri, what: String, keeping: &str) {
        self.client
            .log_message(
                MessageType::ERROR,
                format!(
                    "{}: internal error while checking {}: {what} (please report); {keeping}",
                    self.linter.name(),
                    uri.as_str()
                ),
            )
            .await;
    }

    /// The document at `path` changed, opened or closed: the open documents whose last check
    /// read it are checked again (a compose file whose service builds that Dockerfile).
    async fn dependents_changed(self: &Arc<Self>, uri: &Uri) {
        let Some(path) = path_of(uri) else {
            return;
        };
        // What the linter derived from the file (a listed build context) goes first.
        self.linter.files_changed(std::slice::from_ref(&path));
        let stale: Vec<(Uri, i32)> = {
            let mut docs = self.docs.lock().await;
            docs.iter_mut()
                .filter(|(other, doc)| {
                    *other != uri
                        && matches!(&doc.checked, Some(Some(c)) if c.reads.contains(&path))
                })
                .map(|(other, doc)| (other.clone(), doc.invalidate()))
                .collect()
        };
        if stale.is_empty() {
            return;
        }
        let negotiated = self.negotiated();
        if negotiated.pull {
            if negotiated.pull_refresh {
                // Not awaited here: this runs inside a notification handler, and the client's
                // answer must not hold up the next notifications.
                let client = self.client.clone();
                tokio::spawn(async move {
                    let _ = client.workspace_diagnostic_refresh().await;
                });
            }
            return;
        }
        for (uri, version) in stale {
            self.schedule(uri, version);
        }
    }

    /// Check and push diagnostics for `uri` at `version` (a no-op when stale).
    async fn check_and_publish(self: &Arc<Self>, uri: &Uri, version: i32) {
        let Some(checked) = self.checked(uri, version).await else {
            return;
        };
        let Some(checked) = checked else {
            return;
        };
        self.publish_config(&checked.config_problems).await;
        if self.negotiated().pull {
            return;
        }
        self.publish_stored(uri, version).await;
    }

    /// Push the stored result of `uri` if it is still at `version`. Under the lock, after
    /// checking the version once more: a newer version's diagnostics must never be overwritten
    /// by these, nor a complete result by the quick one it replaced.
    async fn publish_stored(&self, uri: &Uri, version: i32) {
        let docs = self.docs.lock().await;
        let Some(doc) = docs.get(uri).filter(|d| d.version == version) else {
            return;
        };
        let Some(Some(checked)) = &doc.checked else {
            return;
        };
        let diagnostics = self.diagnostics(uri, &doc.text, &checked.findings);
        self.client
            .publish_diagnostics(uri.clone(), diagnostics, Some(version))
            .await;
    }

    fn diagnostics(&self, uri: &Uri, text: &str, findings: &[Finding]) -> Vec<Diagnostic> {
        let index = LineIndex::new(text);
        let encoding = self.negotiated().encoding;
        findings
            .iter()
            .map(|f| diagnostic(uri, f, text, &index, encoding))
            .collect()
    }

    /// Push the config problems, clearing config files that no longer have any.
    async fn publish_config(&self, problems: &[ConfigProblem]) {
        let mut by_file: HashMap<Uri, Vec<Diagnostic>> = HashMap::new();
        let encoding = self.negotiated().encoding;
        for problem in problems {
            let Some(uri) = Uri::from_file_path(&problem.path) else {
                continue;
            };
            let range = match (problem.span, &problem.text) {
                (Some((start, end)), Some(text)) => {
                    let index = LineIndex::new(text);
                    range(text, &index, start, end, encoding)
                }
                _ => Range::default(),
            };
            by_file.entry(uri).or_default().push(Diagnostic {
                range,
                severity: Some(DiagnosticSeverity::ERROR),
                source: Some(self.linter.name().to_string()),
                message: problem.message.clone(),
                ..Diagnostic::default()
            });
        }
        let mut published = self.config_published.lock().await;
        for (uri, old) in published.iter() {
            if !by_file.contains_key(uri) && !old.is_empty() {
                self.client
                    .publish_diagnostics(uri.clone(), Vec::new(), None)
                    .await;
            }
        }
        for (uri, diagnostics) in &by_file {
            if published.get(uri) != Some(diagnostics) {
                self.client
                    .publish_diagnostics(uri.clone(), diagnostics.clone(), None)
                    .await;
            }
        }
        *published = by_file;
    }

    /// A config file changed: forget cached settings and check every open document again.
    async fn config_changed(self: &Arc<Self>) {
        self.linter.reload_config();
        let open: Vec<(Uri, i32)> = {
            let mut docs = self.docs.lock().await;
            docs.iter_mut()
                .map(|(uri, doc)| (uri.clone(), doc.invalidate()))
                .collect()
        };
        if open.is_empty() {
            self.publish_config(&[]).await;
        }
        for (uri, version) in open {
            self.check_and_publish(&uri, version).await;
        }
        let negotiated = self.negotiated();
        if negotiated.pull && negotiated.pull_refresh {
            let _ = self.client.workspace_diagnostic_refresh().await;
        }
    }

    /// The current text and result of `uri`, checking now if needed.
    async fn current(self: &Arc<Self>, uri: &Uri) -> Option<(Arc<str>, Arc<Checked>)> {
        let version = self.docs.lock().await.get(uri)?.version;
        let checked = self.checked(uri, version).await??;
        let text = Arc::clone(&self.docs.lock().await.get(uri)?.text);
        Some((text, checked))
    }
}

fn range(text: &str, index: &LineIndex, start: usize, end: usize, encoding: Encoding) -> Range {
    let (start_line, start_column) = index.position(text, start, encoding);
    let (end_line, end_column) = index.position(text, end.max(start), encoding);
    Range::new(
        Position::new(start_line, start_column),
        Position::new(end_line, end_column),
    )
}

fn diagnostic(
    uri: &Uri,
    finding: &Finding,
    text: &str,
    index: &LineIndex,
    encoding: Encoding,
) -> Diagnostic {
    let related: Vec<DiagnosticRelatedInformation> = finding
        .related
        .iter()
        .filter_map(|related| {
            let (uri, range) = match &related.path {
                None => (
                    uri.clone(),
                    range(text, index, related.start, related.end, encoding),
                ),
                Some(path) => {
                    // The text the check read (an open buffer may differ from the disk).
                    // The text the check read (an open buffer may differ from the disk);
                    // the server itself opens no file.
                    let other = related.text.clone()?;
                    let other_index = LineIndex::new(&other);
                    (
                        Uri::from_file_path(path)?,
                        range(&other, &other_index, related.start, related.end, encoding),
                    )
                }
            };
            Some(DiagnosticRelatedInformation {
                location: Location::new(uri, range),
                message: related.message.clone(),
            })
        })
        .collect();
    Diagnostic {
        range: range(text, index, finding.start, finding.end, encoding),
        severity: Some(match finding.level {
            Level::Error => DiagnosticSeverity::ERROR,
            Level::Warning => DiagnosticSeverity::WARNING,
            Level::Information => DiagnosticSeverity::INFORMATION,
            Level::Hint => DiagnosticSeverity::HINT,
        }),
        code: Some(NumberOrString::String(finding.code.clone())),
        code_description: finding
            .href
            .as_deref()
            .and_then(|href| href.parse::<Uri>().ok())
            .map(|href| CodeDescription { href }),
        source: Some("plimsoll".to_string()),
        message: finding.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        tags: (!finding.tags.is_empty()).then(|| {
            finding
                .tags
                .iter()
                .map(|tag| match tag {
                    Tag::Unnecessary => DiagnosticTag::UNNECESSARY,
                    Tag::Deprecated => DiagnosticTag::DEPRECATED,
                })
                .collect()
        }),
        data: None,
    }
}

/// `true` when the client asked for no particular kinds, or for `kind` or a parent of it.
fn wanted(only: Option<&[CodeActionKind]>, kind: &CodeActionKind) -> bool {
    only.is_none_or(|only| {
        only.iter().any(|k| {
            kind.as_str() == k.as_str()
                || kind
                    .as_str()
                    .strip_prefix(k.as_str())
                    .is_some_and(|rest| rest.starts_with('.'))
        })
    })
}

/// An edit of `uri` as a workspace edit.
fn workspace_edit(uri: &Uri, edits: Vec<TextEdit>) -> WorkspaceEdit {
    WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), edits)])),
        ..WorkspaceEdit::default()
    }
}

/// The code actions for the findings overlapping `start..end` (bytes), plus "fix all".
fn code_actions(
    uri: &Uri,
    text: &str,
    checked: &Checked,
    (start, end): (usize, usize),
    only: Option<&[CodeActionKind]>,
    encoding: Encoding,
) -> Vec<CodeActionOrCommand> {
    let index = LineIndex::new(text);
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let edit = |e: &crate::TextEdit| TextEdit {
        range: range(text, &index, e.start, e.end, encoding),
        new_text: e.new_text.clone(),
    };
    let insert = |offset: usize, new_text: String| TextEdit {
        range: range(text, &index, offset, offset, encoding),
        new_text,
    };
    let mut actions = Vec::new();
    let mut titles = HashSet::new();
    let quickfix = wanted(only, &CodeActionKind::QUICKFIX);
    for finding in &checked.findings {
        let overlaps = finding.start <= end && start <= finding.end;
        if !quickfix || !overlaps {
            continue;
        }
        let diagnostics = Some(vec![diagnostic(uri, finding, text, &index, encoding)]);
        if let Some(fix) = &finding.fix {
            actions.push(CodeAction {
                title: fix.title.clone(),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: diagnostics.clone(),
                edit: Some(workspace_edit(uri, fix.edits.iter().map(edit).collect())),
                is_preferred: Some(fix.safe),
                ..CodeAction::default()
            });
        }
        if let Some(at) = &finding.suppress_at {
            let title = format!("plimsoll: ignore {} for this line", finding.code);
            let new_text = format!("{}# plimsoll ignore={}{newline}", at.indent, finding.code);
            if titles.insert((title.clone(), at.offset)) {
                actions.push(CodeAction {
                    title,
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: diagnostics.clone(),
                    edit: Some(workspace_edit(uri, vec![insert(at.offset, new_text)])),
                    ..CodeAction::default()
                });
            }
        }
        let title = format!("plimsoll: ignore {} in this file", finding.code);
        if titles.insert((title.clone(), usize::MAX)) {
            let new_text = format!("# plimsoll ignore-file={}{newline}", finding.code);
            actions.push(CodeAction {
                title,
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics,
                edit: Some(workspace_edit(
                    uri,
                    vec![insert(checked.file_suppress_at, new_text)],
                )),
                ..CodeAction::default()
            });
        }
    }
    if wanted(only, &FIX_ALL) {
        // Every safe fix whose edits do not overlap an earlier fix's edits.
        let mut taken: Vec<&crate::TextEdit> = Vec::new();
        for fix in checked.findings.iter().filter_map(|f| f.fix.as_ref()) {
            let clashes = fix.edits.iter().any(|e| {
                taken
                    .iter()
                    .any(|t| e.start < t.end && t.start < e.end || e.start == t.start)
            });
            if fix.safe && !clashes {
                taken.extend(&fix.edits);
            }
        }
        if !taken.is_empty() {
            taken.sort_by_key(|e| (e.start, e.end));
            actions.push(CodeAction {
                title: "plimsoll: fix all safe problems".to_string(),
                kind: Some(FIX_ALL),
                edit: Some(workspace_edit(uri, taken.into_iter().map(edit).collect())),
                ..CodeAction::default()
            });
        }
    }
    actions
        .into_iter()
        .map(CodeActionOrCommand::CodeAction)
        .collect()
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let caps = &params.capabilities;
        let utf8 = caps
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_ref())
            .is_some_and(|e| e.contains(&PositionEncodingKind::UTF8));
        let pull = caps
            .text_document
            .as_ref()
            .is_some_and(|t| t.diagnostic.is_some());
        let workspace = caps.workspace.as_ref();
        let negotiated = Negotiated {
            encoding: if utf8 {
                Encoding::Utf8
            } else {
                Encoding::Utf16
            },
            pull,
            pull_refresh: workspace
                .and_then(|w| w.diagnostics.as_ref())
                .and_then(|d| d.refresh_support)
                .unwrap_or(false),
            watch_registration: workspace
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|w| w.dynamic_registration)
                .unwrap_or(false),
            relative_patterns: workspace
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|w| w.relative_pattern_support)
                .unwrap_or(false),
        };
        let _ = self.inner.negotiated.set(negotiated);
        Ok(InitializeResult {
            capabilities: ServerCapabilities {
                position_encoding: Some(if utf8 {
                    PositionEncodingKind::UTF8
                } else {
                    PositionEncodingKind::UTF16
                }),
                text_document_sync: Some(TextDocumentSyncCapability::Options(
                    TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(TextDocumentSyncKind::FULL),
                        save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                        ..TextDocumentSyncOptions::default()
                    },
                )),
                code_action_provider: Some(CodeActionProviderCapability::Options(
                    CodeActionOptions {
                        code_action_kinds: Some(vec![CodeActionKind::QUICKFIX, FIX_ALL]),
                        ..CodeActionOptions::default()
                    },
                )),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                diagnostic_provider: pull.then(|| {
                    DiagnosticServerCapabilities::Options(DiagnosticOptions {
                        identifier: Some(self.inner.linter.name().to_string()),
                        inter_file_dependencies: false,
                        workspace_diagnostics: false,
                        ..DiagnosticOptions::default()
                    })
                }),
                ..ServerCapabilities::default()
            },
            server_info: Some(ServerInfo {
                name: self.inner.linter.name().to_string(),
                version: None,
            }),
            ..InitializeResult::default()
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        self.inner.update_watchers().await;
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let item = params.text_document;
        self.inner.docs.lock().await.insert(
            item.uri.clone(),
            Doc {
                text: item.text.into(),
                version: item.version,
                stamp: next_stamp(),
                language_id: item.language_id,
                checked: None,
            },
        );
        self.inner.dependents_changed(&item.uri).await;
        self.inner.schedule(item.uri, item.version);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let version = params.text_document.version;
        // Full sync: the last change holds the whole text.
        let Some(change) = params.content_changes.into_iter().next_back() else {
            return;
        };
        {
            let mut docs = self.inner.docs.lock().await;
            let Some(doc) = docs.get_mut(&uri) else {
                return;
            };
            if version < doc.version {
                return;
            }
            doc.text = change.text.into();
            doc.version = version;
            doc.stamp = next_stamp();
            doc.checked = None;
        }
        self.inner.dependents_changed(&uri).await;
        self.inner.schedule(uri, version);
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        let uri = params.text_document.uri;
        let is_config = path_of(&uri).is_some_and(|path| self.inner.linter.is_config_file(&path));
        if is_config {
            self.inner.config_changed().await;
        } else if let Some(path) = path_of(&uri) {
            // The file on disk now has the buffer's text (its dependents already read the
            // buffer): what the linter derived from the old file (a listed build context it is
            // in) is stale.
            self.inner.linter.files_changed(&[path]);
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        let was_ours = self
            .inner
            .docs
            .lock()
            .await
            .remove(&uri)
            .is_some_and(|doc| !matches!(doc.checked, Some(None)));
        // Its dependents read the file from disk again.
        self.inner.dependents_changed(&uri).await;
        if was_ours && !self.inner.negotiated().pull {
            self.inner
                .client
                .publish_diagnostics(uri, Vec::new(), None)
                .await;
        }
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let config_changed = params.changes.iter().any(|change| {
            path_of(&change.uri).is_some_and(|path| self.inner.linter.is_config_file(&path))
        });
        if config_changed {
            self.inner.config_changed().await;
            return;
        }
        // A file that open documents read (a Dockerfile a compose service builds).
        for change in &params.changes {
            self.inner.dependents_changed(&change.uri).await;
        }
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        let uri = params.text_document.uri;
        let items = match self.inner.current(&uri).await {
            Some((text, checked)) => {
                self.inner.publish_config(&checked.config_problems).await;
                self.inner.diagnostics(&uri, &text, &checked.findings)
            }
            None => Vec::new(),
        };
        Ok(DocumentDiagnosticReportResult::Report(
            DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
                related_documents: None,
                full_document_diagnostic_report: FullDocumentDiagnosticReport {
                    result_id: None,
                    items,
                },
            }),
        ))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let uri = params.text_document.uri;
        let Some((text, checked)) = self.inner.current(&uri).await else {
            return Ok(None);
        };
        let encoding = self.inner.negotiated().encoding;
        let index = LineIndex::new(&text);
        let start = params.range.start;
        let end = params.range.end;
        let span = (
            index.offset(&text, start.line, start.character, encoding),
            index.offset(&text, end.line, end.character, encoding),
        );
        let actions = code_actions(
            &uri,
            &text,
            &checked,
            span,
            params.context.only.as_deref(),
            encoding,
        );
        Ok(Some(actions))
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let position = params.text_document_position_params;
        let uri = position.text_document.uri;
        let Some((text, language_id)) = self
            .inner
            .docs
            .lock()
            .await
            .get(&uri)
            .map(|doc| (Arc::clone(&doc.text), doc.language_id.clone()))
        else {
            return Ok(None);
        };
        let encoding = self.inner.negotiated().encoding;
        let index = LineIndex::new(&text);
        let offset = index.offset(
            &text,
            position.position.line,
            position.position.character,
            encoding,
        );
        let path = path_of(&uri);
        let document = Document {
            path: path.as_deref(),
            text: &text,
            language_id: Some(&language_id),
            open: &[],
        };
        let linter = &self.inner.linter;
        let info = panic::catch_unwind(AssertUnwindSafe(|| linter.hover(&document, offset)))
            .ok()
            .flatten();
        Ok(info.map(|info| Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: info.markdown,
            }),
            range: Some(range(&text, &index, info.start, info.end, encoding)),
        }))
    }
}
