//! Recursive Rego functions, found before evaluation as OPA's compiler does
//! (`rego_recursion_error`): regorus stops a rule that depends on itself while evaluating, but a
//! function that calls itself, directly or through other functions, recurses on the native
//! stack until the process dies. Read from regorus' AST (as JSON); walked with explicit stacks.

use serde_json::Value as Json;

/// A call that closes a cycle of functions.
#[derive(Debug, PartialEq, Eq)]
pub struct Cycle {
    /// The policy file (as given to regorus) and 1-based line and column of the call.
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// The functions on the cycle, `data.`-rooted, the first one again at the end.
    pub functions: Vec<String>,
}

/// A call of a user function: whom and where.
struct Call {
    callee: String,
    file: String,
    line: usize,
    column: usize,
}

/// The cycles of function calls in the modules of `ast` (regorus' `get_ast_as_json`), at
/// most one per function that starts one.
pub fn cycles(ast: &Json) -> Vec<Cycle> {
    let mut functions: Vec<(String, Vec<Call>)> = Vec::new();
    for policy in ast.as_array().map_or(&[][..], Vec::as_slice) {
        let file = policy["source"]["file"].as_str().unwrap_or_default();
        let text = policy["source"]["contents"].as_str().unwrap_or_default();
        let module = &policy["ast"];
        let Some(package) = ref_path(&module["package"]["refr"]) else {
            continue;
        };
        let imports = imports(module, text);
        for rule in module["rules"].as_array().map_or(&[][..], Vec::as_slice) {
            let spec = &rule["Spec"];
            let head = &spec["head"]["Func"];
            let Some(name) = ref_path(&head["refr"]) else {
                continue;
            };
            let id = format!("data.{package}.{name}");
            let calls = calls_in(spec, file, &package, &imports);
            match functions.iter_mut().find(|(f, _)| *f == id) {
                Some((_, known)) => known.extend(calls),
                None => functions.push((id, calls)),
            }
        }
    }
    find_cycles(&functions)
}

/// `import data.x.y as z` → (`z`, `data.x.y`); without `as`, the last component names it.
fn imports(module: &Json, text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for import in module["imports"].as_array().map_or(&[][..], Vec::as_slice) {
        let Some(target) = ref_path(&import["refr"]) else {
            continue;
        };
        let alias = match import["as"]["start"]
            .as_u64()
            .zip(import["as"]["end"].as_u64())
        {
            Some((start, end)) => usize::try_from(start)
                .ok()
                .zip(usize::try_from(end).ok())
                .and_then(|(start, end)| text.get(start..end))
                .map(str::to_string),
            None => target.rsplit('.').next().map(str::to_string),
        };
        if let Some(alias) = alias {
            out.push((alias, target));
        }
    }
    out
}

/// The dotted path of a `Var`/`RefDot` chain (`data.lib.f`), and the span of its first `Var`.
fn ref_path_and_start(expr: &Json) -> Option<(String, &Json)> {
    let mut fields = Vec::new();
    let mut node = expr;
    loop {
        if let Some(dot) = node.get("RefDot") {
            fields.push(dot["field"][1].as_str()?);
            node = &dot["refr"];
        } else if let Some(var) = node.get("Var") {
            let mut path = var["value"].as_str()?.to_string();
            for field in fields.iter().rev() {
                path.push('.');
                path.push_str(field);
            }
            return Some((path, &var["span"]));
        } else {
            return None;
        }
    }
}

fn ref_path(expr: &Json) -> Option<String> {
    ref_path_and_start(expr).map(|(path, _)| path)
}

/// Every call in `node` whose function path resolves (import aliases, `data.` paths, the
/// package's own names) to a `data.`-rooted path; whether it names a user function is
/// decided later.
fn calls_in(node: &Json, file: &str, package: &str, imports: &[(String, String)]) -> Vec<Call> {
    let mut out = Vec::new();
    let mut stack = vec![node];
    while let Some(node) = stack.pop() {
        match node {
            Json::Object(map) => {
                if let Some(call) = map.get("Call")
                    && let Some((path, span)) = ref_path_and_start(&call["fcn"])
                {
                    let (first, rest) = path.split_once('.').unwrap_or((&path, ""));
                    let callee = if first == "data" {
                        path.clone()
                    } else if let Some((_, target)) = imports.iter().find(|(a, _)| a == first) {
                        if rest.is_empty() {
                            target.clone()
                        } else {
                            format!("{target}.{rest}")
                        }
                    } else {
                        format!("data.{package}.{path}")
                    };
                    let number = |key: &str| {
                        span[key]
                            .as_u64()
                            .and_then(|n| usize::try_from(n).ok())
                            .unwrap_or(1)
                    };
                    out.push(Call {
                        callee,
                        file: file.to_string(),
                        line: number("line"),
                        column: number("col"),
                    });
                }
                stack.extend(map.values());
            }
            Json::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    // Source order, so the cycle reported first is the one written first.
    out.sort_by_key(|c| (c.line, c.column));
    out
}

/// Depth-first search over the call graph with an explicit stack; a call to a function that
/// is still on the path closes a cycle.
fn find_cycles(functions: &[(String, Vec<Call>)]) -> Vec<Cycle> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        New,
        OnPath,
        Done,
    }
    let index_of = |id: &str| functions.iter().position(|(f, _)| f == id);
    let mut state = vec![State::New; functions.len()];
    let mut out = Vec::new();
    for root in 0..functions.len() {
        if state[root] != State::New {
            continue;
        }
        // (function, index of its next call to follow)
        let mut path: Vec<(usize, usize)> = vec![(root, 0)];
        state[root] = State::OnPath;
        while let Some(&mut (function, ref mut next)) = path.last_mut() {
            let calls = &functions[function].1;
            let Some(call) = calls.get(*next) else {
                state[function] = State::Done;
                path.pop();
                continue;
            };
            *next += 1;
            let Some(callee) = index_of(&call.callee) else {
                continue;
            };
            match state[callee] {
                State::New => {
                    state[callee] = State::OnPath;
                    path.push((callee, 0));
                }
                State::OnPath => {
                    let from = path.iter().position(|(f, _)| *f == callee).unwrap_or(0);
                    let mut names: Vec<String> = path[from..]
                        .iter()
                        .map(|(f, _)| functions[*f].0.clone())
                        .collect();
                    names.push(functions[callee].0.clone());
                    out.push(Cycle {
                        file: call.file.clone(),
                        line: call.line,
                        column: call.column,
                        functions: names,
                    });
                }
                State::Done => {}
            }
        }
    }
    out
}
