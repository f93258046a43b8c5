;;; plimsoll.el --- plimsoll's language server in Emacs, through eglot  -*- lexical-binding: t; -*-

;; Load this file from your init file (or copy its forms there):
;;
;;   (load "/path/to/plimsoll/editors/emacs/plimsoll.el")
;;
;; Dockerfiles (dockerfile-mode, dockerfile-ts-mode) and YAML buffers (yaml-mode,
;; yaml-ts-mode) get `plimsoll lsp'; the server itself leaves YAML that is not a compose file
;; alone. eglot runs one server per buffer: if you use yaml-language-server for YAML, remove the
;; YAML group from `plimsoll-mode-groups' below. Needs eglot (built into Emacs 29; Debian's
;; `elpa-eglot' or GNU ELPA for Emacs 28). CI runs this file in a batch Emacs (.ci/emacs.sh).

(require 'eglot)

(defvar plimsoll-command '("plimsoll" "lsp")
  "How to start the server; use an absolute path when plimsoll is not on `exec-path'.")

(defvar plimsoll-mode-groups '((dockerfile-mode dockerfile-ts-mode) (yaml-mode yaml-ts-mode))
  "Major modes whose buffers plimsoll checks, one server per group.
One server per group because eglot (1.9, Emacs 28) sends every buffer of a server with the
language id of the first buffer it opened: YAML sent as `dockerfile' would be checked as one.")

(dolist (modes plimsoll-mode-groups)
  (add-to-list 'eglot-server-programs (cons modes (lambda (&rest _) plimsoll-command)))
  (dolist (mode modes)
    (add-hook (intern (format "%s-hook" mode)) #'eglot-ensure)))

(provide 'plimsoll)
;;; plimsoll.el ends here
