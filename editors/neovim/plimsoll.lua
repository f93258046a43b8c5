-- plimsoll language server for Neovim 0.7 or newer.
-- Put this file on your runtimepath (e.g. ~/.config/nvim/plugin/plimsoll.lua) or `dofile` it.
-- Dockerfiles are checked by filetype; YAML only when the file name says compose
-- (compose.yaml, docker-compose.yml, …): the server leaves other YAML alone anyway.
-- Set `vim.g.plimsoll_cmd = { "/path/to/plimsoll", "lsp" }` before loading it to use a binary
-- that is not on $PATH. CI loads this very file (editors/neovim/test/run.lua), so it is tested.
local cmd = vim.g.plimsoll_cmd or { "plimsoll", "lsp" }

local function is_compose(name)
  local base = vim.fn.fnamemodify(name, ":t"):lower()
  return base:find("compose", 1, true) ~= nil and base:match("%.ya?ml$") ~= nil
end

-- The nearest directory upwards holding a config file or a repository root, else the file's own
-- directory (vim.fs.find is 0.8+, so walk by hand).
local function root_for(name)
  local start = vim.fn.fnamemodify(name, ":p:h")
  local dir = start
  while true do
    for _, marker in ipairs({ ".plimsoll.yaml", ".plimsoll.yml", ".git" }) do
      local path = dir .. "/" .. marker
      if vim.fn.filereadable(path) == 1 or vim.fn.isdirectory(path) == 1 then
        return dir
      end
    end
    local parent = vim.fn.fnamemodify(dir, ":h")
    if parent == dir then
      return start
    end
    dir = parent
  end
end

-- Neovim 0.7 has no vim.lsp.start: one client per root, attached by hand.
local clients = {}
local function start(bufnr, root)
  local config = { name = "plimsoll", cmd = cmd, root_dir = root }
  if vim.lsp.start then
    return vim.lsp.start(config, { bufnr = bufnr })
  end
  local id = clients[root]
  local client = id and vim.lsp.get_client_by_id(id)
  if not client or client.is_stopped() then
    id = vim.lsp.start_client(config)
    clients[root] = id
  end
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
  return id
end

vim.api.nvim_create_autocmd("FileType", {
  pattern = { "dockerfile", "yaml", "yaml.docker-compose" },
  callback = function(args)
    local name = vim.api.nvim_buf_get_name(args.buf)
    if vim.bo[args.buf].filetype ~= "dockerfile" and not is_compose(name) then
      return
    end
    start(args.buf, root_for(name))
  end,
})
