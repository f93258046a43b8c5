//! The policy sandbox: Rego evaluations run in child processes of the `plimsoll` binary
//! (`plimsoll __rego-worker`, see [`super::worker`]), so a policy that overflows the stack,
//! allocates without bound (inside one builtin call too) or never returns kills its worker, not
//! the run. The parent talks to a worker in JSON lines over its stdin/stdout, waits at most
//! [`DEADLINE`] for a reply, kills it past that, and turns a dead worker into a PL002 finding.
//! Why a process and not a thread, a timer or regorus' allocator limits: docs/rego.md.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

/// The first argument that turns the `plimsoll` binary into a worker.
pub const WORKER_ARG: &str = "__rego-worker";
/// Address space of one worker (the binary, its stacks and every policy value it holds).
pub const MEMORY_BUDGET: u64 = 1 << 30;
/// How long the parent waits for one evaluation before it kills the worker: regorus' own
/// timer ([`super::TIME_BUDGET`]) stops a policy between two steps, this stops one that is
/// stuck inside a single builtin call.
pub const DEADLINE: Duration = super::TIME_BUDGET.saturating_mul(4);
/// How long a worker may take to start and compile the policy directory (generous: it is a
/// guard against a hang, on a loaded machine).
const START_DEADLINE: Duration = Duration::from_secs(60);
/// A dead worker's first stderr bytes kept to say why it died.
const STDERR_HEAD: usize = 4096;
/// The longest reply line read from a worker (results are capped at [`super::MAX_OUTPUT`]
/// per result rule in the worker already).
const MAX_REPLY: u64 = 256 << 20;

static EXECUTABLE: OnceLock<PathBuf> = OnceLock::new();

/// Evaluate policies in worker processes of this executable from now on (the `plimsoll`
/// binary calls this; a library user that does not evaluates in process, unguarded).
pub fn enable() {
    // On Linux, this very binary even when the file was replaced since (an upgrade while the
    // language server runs).
    let own = Path::new("/proc/self/exe");
    let exe = if own.exists() {
        Some(own.to_path_buf())
    } else {
        std::env::current_exe().ok()
    };
    if let Some(exe) = exe {
        let _ = EXECUTABLE.set(exe);
    }
}

/// The executable that serves as a worker, when the sandbox is enabled.
pub(super) fn executable() -> Option<&'static Path> {
    EXECUTABLE.get().map(PathBuf::as_path)
}

/// The first line sent to a worker: the policy directory to compile.
#[derive(Serialize, Deserialize)]
pub(super) struct Load {
    pub dir: PathBuf,
    pub files: Vec<(PathBuf, String)>,
}

/// One request after [`Load`].
#[derive(Serialize, Deserialize)]
pub(super) enum Request {
    /// Evaluate these result rules of `package` on `input`.
    Eval {
        package: String,
        results: Vec<String>,
        exception: bool,
        input: regorus::Value,
    },
    /// Run the unit test `data.package.name`.
    Test { package: String, name: String },
}

/// A worker's answer.
#[derive(Serialize, Deserialize)]
pub(super) enum Reply {
    Ready,
    /// The values of the result rules evaluated (by index in the request), or regorus' error.
    Eval(Result<Vec<(usize, Json)>, String>),
    Test(Result<(), String>),
}

/// One running worker, loaded with a policy directory.
pub(super) struct Worker {
    child: Child,
    stdin: ChildStdin,
    replies: Receiver<String>,
    stderr: Option<std::thread::JoinHandle<Vec<u8>>>,
}

impl Worker {
    /// Start a worker (`exe WORKER_ARG`; tests start stand-ins with other `args`) and load
    /// `load` into it.
    pub fn start(exe: &Path, args: &[&str], load: &Load) -> Result<Worker, String> {
        let mut child = Command::new(exe)
            .args(args)
            // mimalloc reserves 1 GiB of address space up front by default, which would be the
            // whole budget: reserve in small steps so the limit measures what is used.
            .env("MIMALLOC_ARENA_RESERVE", "16MiB")
            // Why a worker died is the first line it prints; no backtrace is read.
            .env("RUST_BACKTRACE", "0")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("the policy sandbox could not be started: {e}"))?;
        let (Some(stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            let _ = child.kill();
            let _ = child.wait();
            return Err("the policy sandbox could not be started: no pipes".to_string());
        };
        let (sender, replies) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout).take(MAX_REPLY);
            loop {
                let mut line = String::new();
                match reader.read_line(&mut line) {
                    Ok(n) if n > 0 && line.ends_with('\n') => {
                        if sender.send(line).is_err() {
                            break;
                        }
                        reader.set_limit(MAX_REPLY);
                    }
                    _ => break,
                }
            }
        });
        let stderr = std::thread::spawn(move || head_of(stderr));
        let mut worker = Worker {
            child,
            stdin,
            replies,
            stderr: Some(stderr),
        };
        let line = serde_json::to_string(load).map_err(|e| e.to_string())?;
        match worker.call(&line, START_DEADLINE)? {
            Reply::Ready => Ok(worker),
            _ => Err("the policy sandbox did not start".to_string()),
        }
    }

    /// Send `request`, wait for the reply until [`DEADLINE`]. An error means the worker is
    /// dead and says why (`out of memory (budget 1024 MiB)`); it must then be dropped.
    pub fn request(&mut self, request: &Request) -> Result<Reply, String> {
        let line = serde_json::to_string(request).map_err(|e| e.to_string())?;
        self.call(&line, DEADLINE)
    }

    fn call(&mut self, line: &str, deadline: Duration) -> Result<Reply, String> {
        let sent = writeln!(self.stdin, "{line}").and_then(|()| self.stdin.flush());
        if sent.is_err() {
            return Err(self.death());
        }
        match self.replies.recv_timeout(deadline) {
            Ok(reply) => serde_json::from_str(&reply).map_err(|e| e.to_string()),
            Err(RecvTimeoutError::Timeout) => {
                let _ = self.child.kill();
                let _ = self.child.wait();
                Err(format!("no result within {} ms", deadline.as_millis()))
            }
            Err(RecvTimeoutError::Disconnected) => Err(self.death()),
        }
    }

    /// Why the worker stopped, from its exit status and the end of its stderr.
    fn death(&mut self) -> String {
        let status = self.child.wait();
        let head = self
            .stderr
            .take()
            .and_then(|handle| handle.join().ok())
            .unwrap_or_default();
        let head = String::from_utf8_lossy(&head);
        if head.contains("memory allocation of") || head.contains("out of memory") {
            format!("out of memory (budget {} MiB)", MEMORY_BUDGET >> 20)
        } else if head.contains("overflowed its stack") {
            "stack overflow (unbounded recursion?)".to_string()
        } else {
            match status {
                Ok(status) => format!("the policy sandbox crashed ({status})"),
                Err(error) => format!("the policy sandbox crashed ({error})"),
            }
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The first [`STDERR_HEAD`] bytes of `pipe`, read to its end (policies' `print` output
/// comes here too and is dropped).
fn head_of(mut pipe: impl Read) -> Vec<u8> {
    let mut head = Vec::new();
    let mut chunk = [0u8; 4096];
    while let Ok(n) = pipe.read(&mut chunk) {
        if n == 0 {
            break;
        }
        let room = STDERR_HEAD.saturating_sub(head.len());
        head.extend_from_slice(&chunk[..n.min(room)]);
    }
    head
}
