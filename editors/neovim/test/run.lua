-- End-to-end test of the language server in a real Neovim (0.7+), run by .ci/nvim.sh:
--   PLIMSOLL_BIN=target/debug/plimsoll PLIMSOLL_NVIM_OUT=out.txt \
--   nvim --headless -u NONE -c 'luafile editors/neovim/test/run.lua' (from a copy of the fixtures)
-- Loads the user-facing setup (editors/neovim/plimsoll.lua, path in PLIMSOLL_NVIM_SETUP), opens
-- the Dockerfile and compose.yaml of the current directory so that filetype detection starts
-- the server, waits for each published diagnostics set, edits the buffers (fixing findings) and
-- waits for the new sets. Every set is written to PLIMSOLL_NVIM_OUT as
-- `line:col-line:col code severity` (1-based line, 0-based UTF-16 column as the protocol has
-- it) for the shell to compare with the golden file. Exit codes: 0 done, 2 timeout, 3 setup.
local timeout = tonumber(os.getenv("PLIMSOLL_NVIM_TIMEOUT_MS") or "20000")
local out_path = os.getenv("PLIMSOLL_NVIM_OUT") or "nvim-lsp.out"
local lines = {}

local function fail(code, message)
  io.stderr:write("nvim test: " .. message .. "\n")
  vim.cmd("cquit " .. code)
end

local bin = os.getenv("PLIMSOLL_BIN")
local setup = os.getenv("PLIMSOLL_NVIM_SETUP")
if not bin or not setup then
  fail(3, "PLIMSOLL_BIN and PLIMSOLL_NVIM_SETUP must be set")
end
vim.g.plimsoll_cmd = { bin, "lsp" }
local ok, err = pcall(dofile, setup)
if not ok then
  fail(3, "loading " .. setup .. ": " .. tostring(err))
end

-- Every published set, by URI, in arrival order.
local published = {}
local default = vim.lsp.handlers["textDocument/publishDiagnostics"]
vim.lsp.handlers["textDocument/publishDiagnostics"] = function(e, result, ctx, config)
  if result then
    published[result.uri] = published[result.uri] or {}
    table.insert(published[result.uri], result)
  end
  return default(e, result, ctx, config)
end

local severities = { "error", "warning", "info", "hint" }

local function record(title, result)
  table.insert(lines, title .. ": " .. #result.diagnostics .. " diagnostic(s)")
  local items = {}
  for _, d in ipairs(result.diagnostics) do
    local s, e = d.range.start, d.range["end"]
    table.insert(items, string.format("  %d:%d-%d:%d %s %s", s.line + 1, s.character,
      e.line + 1, e.character, tostring(d.code), severities[d.severity or 1]))
  end
  table.sort(items)
  vim.list_extend(lines, items)
end

-- Wait for a set newer than the `seen` first ones for the current buffer; record it.
local function wait_for(title, seen)
  local uri = vim.uri_from_bufnr(0)
  local arrived = vim.wait(timeout, function()
    return #(published[uri] or {}) > seen
  end, 10)
  if not arrived then
    fail(2, "timed out waiting for diagnostics: " .. title)
  end
  local sets = published[uri]
  record(title, sets[#sets])
  return #sets
end

local function count_for_buffer()
  return #(published[vim.uri_from_bufnr(0)] or {})
end

vim.cmd("filetype on")

-- Dockerfile: open, then fix the `latest` tag and the `apt` line (which has non-ASCII text
-- before the finding: UTF-16 columns differ from bytes and from code points there).
vim.cmd("edit Dockerfile")
if vim.bo.filetype ~= "dockerfile" then
  fail(3, "Dockerfile has filetype " .. vim.bo.filetype)
end
local seen = wait_for("Dockerfile opened", 0)
table.insert(lines, "  attached clients: " .. #vim.tbl_keys(vim.lsp.buf_get_clients(0)))
vim.api.nvim_buf_set_lines(0, 0, 1, false, { "FROM ubuntu:22.04" })
seen = wait_for("Dockerfile after fixing the tag", seen)
vim.api.nvim_buf_set_lines(0, 3, 4, false, { 'RUN echo "héllo 😀" && apt-get install -y --no-install-recommends curl' })
wait_for("Dockerfile after fixing the apt line", seen)
table.insert(lines, "  vim.diagnostic.get: " .. #vim.diagnostic.get(0))

-- compose.yaml: filetype yaml, started because the name says compose.
vim.cmd("edit compose.yaml")
seen = wait_for("compose.yaml opened", count_for_buffer())
vim.api.nvim_buf_set_lines(0, 3, 4, false, {})
wait_for("compose.yaml after removing privileged", seen)
table.insert(lines, "  vim.diagnostic.get: " .. #vim.diagnostic.get(0))

-- Other YAML: not attached.
vim.cmd("edit values.yaml")
table.insert(lines, "values.yaml attached clients: " .. #vim.tbl_keys(vim.lsp.buf_get_clients(0)))
-- One server for the whole root.
table.insert(lines, "servers running: " .. #vim.lsp.get_active_clients())

local file = io.open(out_path, "w")
if not file then
  fail(3, "cannot write " .. out_path)
end
file:write(table.concat(lines, "\n") .. "\n")
file:close()

for _, client in pairs(vim.lsp.get_active_clients()) do
  client.stop()
end
vim.wait(5000, function()
  return #vim.lsp.get_active_clients() == 0
end, 20)
vim.cmd("qall!")
