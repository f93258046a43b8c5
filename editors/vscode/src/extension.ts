// The plimsoll extension for VS Code: finds the `plimsoll` binary and runs `plimsoll lsp` as a
// language server for Dockerfiles, compose files and plimsoll's own config files. Everything
// else (diagnostics, quick fixes, fix-all, hover) comes from the server.

import * as fs from "fs";
import * as path from "path";
import * as vscode from "vscode";
import {
  DocumentSelector,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
} from "vscode-languageclient/node";

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel | undefined;

// VS Code's built-in language ids; compose files that VS Code does not recognise by name (it
// knows compose.yaml, compose.*.yml and *docker*compose*.yml, not compose-dev.yml or
// prod-compose.yml) are matched by pattern, as `plimsoll check` picks them: YAML whose name
// contains "compose". The config files are included so that saving one makes the server check
// every open document again.
const documentSelector: DocumentSelector = [
  { scheme: "file", language: "dockerfile" },
  { scheme: "file", language: "dockercompose" },
  { scheme: "file", pattern: "**/*compose*.{yml,yaml}" },
  { scheme: "file", pattern: "**/.plimsoll.{yaml,yml}" },
  { scheme: "untitled", language: "dockerfile" },
  { scheme: "untitled", language: "dockercompose" },
];

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("plimsoll", { log: true });
  context.subscriptions.push(output);
  context.subscriptions.push(
    vscode.commands.registerCommand("plimsoll.restartServer", () => restart()),
    vscode.commands.registerCommand("plimsoll.showOutput", () => output?.show()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (
        event.affectsConfiguration("plimsoll.path") ||
        event.affectsConfiguration("plimsoll.args")
      ) {
        void restart();
      }
    }),
  );
  await start();
}

export async function deactivate(): Promise<void> {
  await stop();
}

async function restart(): Promise<void> {
  await stop();
  await start();
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) {
    try {
      await running.stop();
    } catch (err) {
      output?.error(`stopping the server failed: ${String(err)}`);
    }
  }
}

async function start(): Promise<void> {
  const config = vscode.workspace.getConfiguration("plimsoll");
  const configured = (config.get<string>("path") ?? "").trim();
  const extraArgs = config.get<string[]>("args") ?? [];
  const command = findBinary(configured);
  if (!command) {
    // Not awaited: activation must not wait for the user to dismiss the message.
    void reportMissingBinary(configured);
    return;
  }
  output?.info(`starting ${command} lsp ${extraArgs.join(" ")}`.trimEnd());

  // No `transport`: with TransportKind.stdio the client appends `--stdio` to the arguments,
  // which `plimsoll lsp` rejects. Without it the client still talks over stdin/stdout.
  // Started in the workspace folder: `plimsoll.args` paths such as `--config ci/plimsoll.yaml`
  // are relative to it, as they are for `plimsoll check` run from the repository root.
  const root = workspaceRoot();
  const serverOptions: ServerOptions = {
    command,
    args: ["lsp", ...extraArgs],
    options: root ? { cwd: root } : undefined,
  };
  const clientOptions: LanguageClientOptions = { documentSelector, outputChannel: output };
  // The id "plimsoll" makes the client read its trace level from `plimsoll.trace.server`.
  const next = new LanguageClient("plimsoll", "plimsoll", serverOptions, clientOptions);
  try {
    await next.start();
    client = next;
  } catch (err) {
    const message = `plimsoll: the language server (${command} lsp) did not start: ${String(err)}`;
    output?.error(message);
    void vscode.window.showErrorMessage(message, "Show Output").then((choice) => {
      if (choice) {
        output?.show();
      }
    });
  }
}

// `plimsoll.path` when set (a path, `~/…`, or a bare name looked up on PATH), else `plimsoll`
// on PATH. Undefined when nothing executable is found: spawning would only fail with ENOENT,
// which the client reports far less clearly than we can.
export function findBinary(configured: string): string | undefined {
  if (configured) {
    const expanded = configured.startsWith("~/")
      ? path.join(process.env.HOME ?? "", configured.slice(2))
      : configured;
    if (expanded.includes("/") || expanded.includes("\\")) {
      const absolute = path.resolve(workspaceRoot() ?? process.cwd(), expanded);
      return isExecutable(absolute) ? absolute : undefined;
    }
    return searchPath(expanded);
  }
  return searchPath("plimsoll");
}

function workspaceRoot(): string | undefined {
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder && folder.uri.scheme === "file" ? folder.uri.fsPath : undefined;
}

function searchPath(name: string): string | undefined {
  const dirs = (process.env.PATH ?? "").split(path.delimiter).filter((dir) => dir.length > 0);
  // On Windows a bare name may need an extension (PATHEXT); elsewhere the name is used as is.
  const extensions =
    process.platform === "win32"
      ? ["", ...(process.env.PATHEXT ?? ".EXE;.CMD;.BAT").split(";").filter((e) => e)]
      : [""];
  for (const dir of dirs) {
    for (const ext of extensions) {
      const candidate = path.join(dir, name + ext);
      if (isExecutable(candidate)) {
        return candidate;
      }
    }
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) {
      return false;
    }
    fs.accessSync(file, process.platform === "win32" ? fs.constants.F_OK : fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function reportMissingBinary(configured: string): Promise<void> {
  const message = configured
    ? `plimsoll: \`plimsoll.path\` is set to "${configured}", which is not an executable file. ` +
      "Fix the setting or clear it to use `plimsoll` from PATH."
    : "plimsoll: the `plimsoll` binary was not found on PATH. Install it " +
      "(`cargo install --path .` in a plimsoll checkout) or set `plimsoll.path` to the binary.";
  output?.error(message);
  const choice = await vscode.window.showErrorMessage(message, "Open Settings");
  if (choice === "Open Settings") {
    await vscode.commands.executeCommand("workbench.action.openSettings", "plimsoll.path");
  }
}
