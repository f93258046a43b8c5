#!/usr/bin/env bash
# Fails when a built-in rule's work grows faster than its input: each rule alone on generated
# inputs of size N and 4N, CPU time compared (scripts/rule_scaling.rs says how). Debug profile,
# the dependencies `cargo test` already built; about a minute on 2 cores.
# Usage: scripts/rule-scaling.sh [--scale S] [--rule CODE]…
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo run --quiet --locked --example rule_scaling -- "$@"
