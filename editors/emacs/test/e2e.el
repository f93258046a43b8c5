;;; e2e.el --- plimsoll lsp in a real (batch) Emacs through eglot  -*- lexical-binding: t; -*-

;; Run by .ci/emacs.sh in a scratch repository holding the fixtures of
;; editors/neovim/test/fixtures/. Loads the user-facing editors/emacs/plimsoll.el, opens the
;; Dockerfile, the compose file and other YAML, edits the Dockerfile, and writes every
;; diagnostics set flymake shows to $PLIMSOLL_EMACS_OUT, compared by .ci/emacs.sh with
;; editors/emacs/test/expected.txt. Columns count characters: `apt' after "héllo 😀" is at 22
;; (UTF-16: 23, bytes: 26), which eglot gets right only by reading the server's UTF-16 columns.
;; Exit codes: 0 done, 2 timed out waiting, 3 setup failed.

(require 'cl-lib)

(defvar e2e-out nil)
(defvar e2e-lines nil)

(defun e2e-fail (code format-string &rest args)
  (message "e2e: %s" (apply #'format format-string args))
  (kill-emacs code))

(condition-case err
    (progn
      ;; Batch Emacs skips the startup that activates installed packages (Debian's elpa-*).
      (package-initialize)
      (load (getenv "PLIMSOLL_EMACS_SETUP") nil t)
      (setq plimsoll-command (list (getenv "PLIMSOLL_BIN") "lsp"))
      (setq e2e-out (getenv "PLIMSOLL_EMACS_OUT")))
  (error (e2e-fail 3 "setup: %S" err)))

(defun e2e-wait (predicate seconds)
  "Process the server's messages until PREDICATE holds or SECONDS pass."
  (let ((deadline (+ (float-time) seconds)))
    (while (and (not (funcall predicate)) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (funcall predicate)))

(defun e2e-diagnostics ()
  "The current buffer's flymake diagnostics as sorted lines LINE:COL-LINE:COL CODE TYPE."
  (sort
   (mapcar
    (lambda (d)
      (let ((text (flymake-diagnostic-text d))
            (pos (lambda (p)
                   (save-excursion
                     (goto-char p)
                     ;; Characters from the line start (`current-column' counts display
                     ;; width, two for an emoji).
                     (format "%d:%d" (line-number-at-pos) (- (point) (line-beginning-position)))))))
        (format "%s-%s %s %s"
                (funcall pos (flymake-diagnostic-beg d))
                (funcall pos (flymake-diagnostic-end d))
                (if (string-match "\\[\\([A-Z]+[0-9]+\\)\\]" text) (match-string 1 text) "?")
                (flymake-diagnostic-type d))))
    (flymake-diagnostics))
   #'string<))

(defun e2e-record (title)
  (let ((found (e2e-diagnostics)))
    (push (format "%s: %d diagnostic(s)" title (length found)) e2e-lines)
    (dolist (line found) (push (concat "  " line) e2e-lines))))

(defun e2e-open (file)
  "Visit FILE the way a user does: its mode hook asks eglot to connect after the command."
  (find-file file)
  (run-hooks 'post-command-hook)
  (unless (e2e-wait (lambda () (bound-and-true-p eglot--managed-mode)) 30)
    (e2e-fail 2 "eglot did not manage %s" file))
  ;; flymake starts its backends after a command too.
  (flymake-start nil t))

(defun e2e-wait-for (file codes)
  "Wait until FILE's diagnostics hold exactly the rule CODES (in any order)."
  (unless (e2e-wait
           (lambda ()
             (equal (sort (mapcar (lambda (l) (nth 1 (split-string l))) (e2e-diagnostics))
                          #'string<)
                    (sort (copy-sequence codes) #'string<)))
           30)
    (e2e-fail 2 "%s: wanted %S, have %S" file codes (e2e-diagnostics))))

(e2e-open "Dockerfile")
(e2e-wait-for "Dockerfile" '("DF002" "DF062" "DF060"))
(e2e-record "Dockerfile opened")

;; Pin the tag: the buffer changes, eglot sends it, the DF002 finding goes.
(goto-char (point-min))
(search-forward "ubuntu:latest")
(replace-match "ubuntu:22.04")
(eglot--signal-textDocument/didChange)
(e2e-wait-for "Dockerfile" '("DF062" "DF060"))
(e2e-record "Dockerfile after pinning the tag")

(e2e-open "compose.yaml")
(e2e-wait-for "compose.yaml" '("DC002" "DC010" "DC053"))
(e2e-record "compose.yaml opened")

;; Other YAML: connected like any YAML buffer, and left alone by the server.
(e2e-open "values.yaml")
(e2e-wait (lambda () nil) 1)
(e2e-record "values.yaml opened")

(with-temp-file e2e-out
  (dolist (line (reverse e2e-lines)) (insert line "\n")))
(kill-emacs 0)
;;; e2e.el ends here
