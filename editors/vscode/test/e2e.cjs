// End-to-end check of the packaged extension in a real VS Code workbench (code-server), driven by
// headless Chromium through playwright-core. Opens the fixture Dockerfile and compose file from
// the Explorer, waits until the Problems panel lists plimsoll's findings for both (by rule code
// and message), and saves a screenshot of the Dockerfile with its squiggle and the panel; then
// opens prod-compose.yml, which VS Code takes for plain YAML, and waits for its finding too;
// then applies the "ignore DF002 for this line" quick fix from the Ctrl+. menu and waits for
// the comment in the editor and the finding to leave the panel.
//
//   node test/e2e.cjs URL SCREENSHOT [SETTINGS_JSON]
//
// URL is the workbench with the fixture folder open (http://127.0.0.1:PORT/?folder=DIR). With
// SETTINGS_JSON (the workspace's .vscode/settings.json), the check then points
// `plimsoll.path` at a missing binary: the extension must restart, clear the findings and say
// that the binary is missing.
// Env: CHROMIUM (default: `chromium` on PATH). Exit 0 when every expected problem showed up,
// 1 when one is missing, 2 when the UI could not be driven. Run by .ci/vscode.sh.
"use strict";

const { execFileSync } = require("child_process");
const { chromium } = require("playwright-core");

const fs = require("fs");

const [url, screenshot = "vscode-diagnostics.png", settingsFile] = process.argv.slice(2);

// What the server must report for the two fixtures (see test/fixture/): the rule code and
// the message as the Problems panel shows them.
const expected = [
  { file: "Dockerfile", code: "DF002", message: "base image `node:latest` uses the `latest` tag", line: 2 },
  { file: "compose.yaml", code: "DC010", message: "service `web` runs privileged", line: 5 },
];
// A compose file VS Code opens as plain YAML: the extension's document selector matches it.
const byPattern = {
  file: "prod-compose.yml",
  code: "DC016",
  message: "service `cache` sets `network_mode: host`",
  line: 5,
};

const browserPath =
  process.env.CHROMIUM || execFileSync("sh", ["-c", "command -v chromium"]).toString().trim();

function log(message) {
  process.stdout.write(`[e2e ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

// Rows of the Problems panel, whitespace folded (a row reads like
// "base image `node:latest` uses the `latest` tag plimsoll(DF002) [Ln 2, Col 11]").
async function problemRows(page) {
  return page.$$eval(".markers-panel .monaco-list-row", (rows) =>
    rows.map((row) => row.innerText.replace(/\s+/g, " ").trim()),
  );
}

function matches(row, want) {
  return row.includes(want.code) && row.includes(want.message) && row.includes(`Ln ${want.line},`);
}

async function waitForProblems(page, wanted, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let rows = [];
  while (Date.now() < deadline) {
    rows = await problemRows(page);
    if (wanted.every((want) => rows.some((row) => matches(row, want)))) {
      return { ok: true, rows };
    }
    await page.waitForTimeout(250);
  }
  return { ok: false, rows };
}

async function openFromExplorer(page, name) {
  // Clicking the Explorer row is reliable; Quick Open (Ctrl+P) was not.
  const row = page
    .locator(".explorer-folders-view .monaco-list-row")
    .filter({ has: page.locator(".label-name", { hasText: new RegExp(`^${name.replace(".", "\\.")}$`) }) })
    .first();
  await row.click({ timeout: 30000 });
  await page.waitForSelector(`.tabs-container .tab.active[aria-label*="${name}"]`, { timeout: 30000 });
  await page.waitForSelector(".monaco-editor .view-lines", { timeout: 30000 });
}

async function gotoWithRetry(page, target, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await page.goto(target, { waitUntil: "domcontentloaded", timeout: 15000 });
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await page.waitForTimeout(500);
    }
  }
}

(async () => {
  if (!url) {
    console.error("usage: node test/e2e.cjs URL [SCREENSHOT]");
    process.exit(2);
  }
  const started = Date.now();
  const browser = await chromium.launch({
    executablePath: browserPath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  try {
    await gotoWithRetry(page, url, 60000);
    await page.waitForSelector(".monaco-workbench", { timeout: 60000 });
    await page.waitForSelector(".explorer-folders-view .monaco-list-row", { timeout: 60000 });
    log(`workbench up after ${((Date.now() - started) / 1000).toFixed(1)} s`);

    await openFromExplorer(page, "Dockerfile");
    await page.keyboard.press("Control+Shift+M"); // the Problems panel
    await page.waitForSelector(".markers-panel", { timeout: 30000 });
    let result = await waitForProblems(page, expected.slice(0, 1), 60000);
    if (!result.ok) {
      console.log(JSON.stringify({ missing: expected[0], rows: result.rows }, null, 1));
      await page.screenshot({ path: screenshot });
      process.exitCode = 1;
      return;
    }
    log(`Dockerfile diagnostic after ${((Date.now() - started) / 1000).toFixed(1)} s`);

    await openFromExplorer(page, "compose.yaml");
    result = await waitForProblems(page, expected, 60000);
    if (!result.ok) {
      console.log(JSON.stringify({ missing: expected, rows: result.rows }, null, 1));
      await page.screenshot({ path: screenshot });
      process.exitCode = 1;
      return;
    }
    log(`compose diagnostic after ${((Date.now() - started) / 1000).toFixed(1)} s`);

    // Back to the Dockerfile for the picture: the squiggle with its hover above, both files'
    // problems below.
    await page.locator('.tabs-container .tab[aria-label*="Dockerfile"]').first().click();
    const squiggle = page.locator(".monaco-editor .squiggly-warning").first();
    await squiggle.waitFor({ timeout: 30000 });
    const box = await squiggle.boundingBox();
    if (box) {
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2 - 4);
      const hover = page.locator(".monaco-hover", { hasText: expected[0].code }).first();
      await hover.waitFor({ state: "visible", timeout: 15000 }).catch(() => log("no hover shown"));
    }
    await page.waitForTimeout(300);
    await page.screenshot({ path: screenshot });
    console.log(JSON.stringify({ problems: result.rows }, null, 1));
    log(`ok: ${expected.map((want) => `${want.code} in ${want.file}`).join(", ")}`);

    await openFromExplorer(page, byPattern.file);
    result = await waitForProblems(page, [...expected, byPattern], 60000);
    if (!result.ok) {
      console.log(JSON.stringify({ missing: byPattern, rows: result.rows }, null, 1));
      process.exitCode = 1;
      return;
    }
    log(`ok: ${byPattern.code} in ${byPattern.file} (plain YAML, matched by name)`);

    // A quick fix from the light bulb menu (Ctrl+.): "ignore DF002 for this line" inserts the
    // suppression comment above the instruction, and the finding goes from the Problems panel
    // while the compose findings stay.
    await page.locator('.tabs-container .tab[aria-label*="Dockerfile"]').first().click();
    // The squiggle sits under the text layer: click its middle by position.
    const fixBox = await page.locator(".monaco-editor .squiggly-warning").first().boundingBox();
    await page.mouse.click(fixBox.x + fixBox.width / 2, fixBox.y + fixBox.height / 2 - 4);
    await page.keyboard.press("Escape"); // a hover may have opened over the squiggle
    await page.keyboard.press("Control+Period");
    const title = `plimsoll: ignore ${expected[0].code} for this line`;
    const action = page.locator(".action-widget .monaco-list-row", { hasText: title }).first();
    await action.waitFor({ state: "visible", timeout: 30000 });
    // The menu takes the keyboard (a pointer block covers it): move the focus to the action,
    // then Enter applies it.
    const focused = page.locator(".action-widget .monaco-list-row.focused", { hasText: title });
    for (let i = 0; i < 5 && (await focused.count()) === 0; i++) {
      await page.keyboard.press("ArrowDown");
    }
    await page.keyboard.press("Enter");
    const comment = `# plimsoll ignore=${expected[0].code}`;
    const editorText = async () =>
      (await page.locator(".monaco-editor .view-lines").first().innerText()).replace(/\u00a0/g, " ");
    let text = await editorText();
    for (let i = 0; i < 40 && !text.includes(comment); i++) {
      await page.waitForTimeout(250);
      text = await editorText();
    }
    if (!text.includes(comment)) {
      console.log(JSON.stringify({ quickFixNotApplied: text }, null, 1));
      process.exitCode = 1;
      return;
    }
    let rows = await problemRows(page);
    for (let i = 0; i < 60 && rows.some((row) => matches(row, expected[0])); i++) {
      await page.waitForTimeout(250);
      rows = await problemRows(page);
    }
    if (rows.some((row) => matches(row, expected[0])) || !rows.some((row) => matches(row, expected[1]))) {
      console.log(JSON.stringify({ afterQuickFix: rows }, null, 1));
      process.exitCode = 1;
      return;
    }
    log(`ok: quick fix "${title}" applied and ${expected[0].code} cleared`);

    if (settingsFile) {
      // VS Code watches the settings file: the extension sees the change and restarts.
      fs.mkdirSync(require("path").dirname(settingsFile), { recursive: true });
      fs.writeFileSync(settingsFile, JSON.stringify({ "plimsoll.path": "/nonexistent/plimsoll" }));
      const toast = page.locator(".notifications-toasts .notification-toast", {
        hasText: "is not an executable file",
      });
      await toast.first().waitFor({ state: "visible", timeout: 30000 });
      const text = (await toast.first().innerText()).replace(/\s+/g, " ").trim();
      rows = await problemRows(page);
      for (let i = 0; i < 40 && rows.some((row) => /plimsoll/.test(row)); i++) {
        await page.waitForTimeout(250);
        rows = await problemRows(page);
      }
      if (rows.some((row) => /plimsoll/.test(row))) {
        console.log(JSON.stringify({ notCleared: rows }, null, 1));
        process.exitCode = 1;
        return;
      }
      log(`ok: missing binary reported: ${text}`);
    }
  } catch (err) {
    console.error(`ERROR ${err && err.message ? err.message : err}`);
    await page.screenshot({ path: screenshot }).catch(() => {});
    process.exitCode = 2;
  } finally {
    await browser.close();
  }
})();
