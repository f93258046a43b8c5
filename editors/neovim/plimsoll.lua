-- plimsoll language server for Neovim 0.8+ (`vim.lsp.start`).
-- Put this file on your runtimepath (e.g. ~/.config/nvim/plugin/plimsoll.lua) or `dofile` it.
-- Dockerfiles are checked by filetype; YAML only when the file name says compose
-- (compose.yaml, docker-compose.yml, …): the server leaves other YAML alone anyway.
local function is_compose(name)
  local base = vim.fs.basename(name):lower()
  return base:find("compose", 1, true) ~= nil and (base:match("%.ya?ml$") ~= nil)
end

vim.api.nvim_create_autocmd("FileType", {
  pattern = { "dockerfile", "yaml", "yaml.docker-compose" },
  callback = function(args)
    local name = vim.api.nvim_buf_get_name(args.buf)
    if vim.bo[args.buf].filetype ~= "dockerfile" and not is_compose(name) then
      return
    end
    vim.lsp.start({
      name = "plimsoll",
      cmd = { "plimsoll", "lsp" },
      root_dir = vim.fs.dirname(vim.fs.find({ ".plimsoll.yaml", ".plimsoll.yml", ".git" }, {
        upward = true,
        path = vim.fs.dirname(name),
      })[1] or name),
    }, { bufnr = args.buf })
  end,
})
