# The plimsoll container image: a static binary (musl) on distroless, running as a non-root user.
#
#   docker build -t plimsoll .                    # the default image: no shell, ~2 MB plus plimsoll
#   docker run --rm -v "$PWD:/src:ro" plimsoll check
#   docker build --target ci -t plimsoll:ci .     # the same binary with a busybox shell, for CI
#                                                 # runners that run a script in the image (GitLab)
#
# Base images are pinned by digest; `plimsoll pin --update Dockerfile` moves the pins when their
# tags move. Checked in CI by plimsoll (every rule) and hadolint with no finding (.ci/wheel.sh);
# docs/container.md has the GitLab CI job.

# The official Rust image on Alpine: musl-dev and gcc are in it (for ring and mimalloc), and its
# host target is *-linux-musl, whose binaries are statically linked, so the build needs no
# extra packages and works for linux/amd64 and linux/arm64 alike.
FROM rust:1.95-alpine@sha256:606fd313a0f49743ee2a7bd49a0914bab7deedb12791f3a846a34a4711db7ed2 AS build
# The commit `plimsoll --version` names (the build context has no .git): pass
# `--build-arg PLIMSOLL_BUILD_COMMIT="$(git rev-parse --short=12 HEAD)"`.
ARG PLIMSOLL_BUILD_COMMIT=""
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin plimsoll \
    && mkdir -p /out \
    && cp target/release/plimsoll /out/plimsoll \
    && /out/plimsoll --version

# The CI variant: distroless static with busybox at /busybox/sh, because GitLab CI (and other
# runners that execute a job's `script` inside the image) need a shell.
FROM gcr.io/distroless/static-debian12:debug-nonroot@sha256:f414196eb26b4e7626e29e18776338e5dcc56a2afbe1c64321ab9bf7d7e57c45 AS ci
COPY --from=build /out/plimsoll /usr/local/bin/plimsoll
USER 65532:65532
WORKDIR /src
ENTRYPOINT ["/usr/local/bin/plimsoll"]
CMD ["check"]

# The default image: distroless static (CA roots, /etc/passwd with `nonroot`, /tmp; no shell,
# no package manager) and the binary.
FROM gcr.io/distroless/static-debian12:nonroot@sha256:afa5c872c891853ca7fcf1f12c3edb23f7eeef36189728842dd51042ff57f7ab
LABEL org.opencontainers.image.title="plimsoll" \
      org.opencontainers.image.description="Policy-as-code linter for Dockerfiles and Docker Compose files" \
      org.opencontainers.image.licenses="MIT OR Apache-2.0" \
      org.opencontainers.image.url="https://plimsoll.dev"
COPY --from=build /out/plimsoll /usr/local/bin/plimsoll
USER 65532:65532
WORKDIR /src
ENTRYPOINT ["/usr/local/bin/plimsoll"]
CMD ["check"]
