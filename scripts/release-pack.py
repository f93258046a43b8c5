#!/usr/bin/env python3
"""Build, pack and check plimsoll's release archives (docs/release.md).

The one script behind the release workflow (.github/workflows/release.yml, once per target) and
CI (.ci/release.sh, the Linux gnu build of this machine). Standard library only: it runs on the
Linux, macOS and Windows runners as they come.

  release-pack.py dist --target TRIPLE --out DIR [--builder cargo|zigbuild] [--binary PATH]
                       [--runner CMD] [--expect-version X.Y.Z]
      Builds plimsoll for TRIPLE (`cargo build --release --locked`, or `cargo zigbuild`; with
      --binary, packs that binary instead), runs it to generate the shell completions and man
      pages, packs plimsoll-VERSION-TRIPLE.tar.gz (.zip for Windows) into DIR, then checks the
      archive as `check` does. Prints the archive's path last.
  release-pack.py check ARCHIVE [--runner CMD]
      Unpacks ARCHIVE into a temporary directory and checks it: the name, one top directory, the
      exact file list, the binary runs and names the version, and the completions and man pages
      are the ones that binary generates.
  release-pack.py sums DIR
      Writes DIR/SHA256SUMS (the `sha256sum` format) for every archive in DIR.

--runner runs a binary that this machine cannot run directly (`qemu-aarch64-static` for the
aarch64 build on an x86_64 runner). Archives are reproducible: sorted entries, owner 0, modes
0755/0644, and every time set to SOURCE_DATE_EPOCH or else the commit's time.

Archive layout (TRIPLE ending in windows-msvc: plimsoll.exe, and a .zip):
  plimsoll-VERSION-TRIPLE/
    plimsoll                     README.md  LICENSE-MIT  LICENSE-APACHE
    completions/plimsoll.bash    _plimsoll (zsh)  plimsoll.fish  _plimsoll.ps1  plimsoll.elv
    man/man1/plimsoll.1          plimsoll-check.1 ... (one page per subcommand)
"""

import argparse
import gzip
import hashlib
import io
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The shells of `plimsoll completions`, and the file each script is installed as (the names
# clap_complete's generators use).
COMPLETIONS = {
    "bash": "plimsoll.bash",
    "zsh": "_plimsoll",
    "fish": "plimsoll.fish",
    "powershell": "_plimsoll.ps1",
    "elvish": "plimsoll.elv",
}
DOCS = ["README.md", "LICENSE-MIT", "LICENSE-APACHE"]
# plimsoll-VERSION-TARGET.EXT; the target starts with its architecture, so that a pre-release
# version (1.2.0-rc.1) and the target (aarch64-unknown-linux-musl) come apart.
ARCHIVE_NAME = re.compile(
    r"^plimsoll-(?P<version>\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?)"
    r"-(?P<target>(?:x86_64|aarch64|i686|armv7|riscv64gc|powerpc64le|s390x)-[a-z0-9_]+-[a-z0-9_]+(?:-[a-z0-9_]+)?)"
    r"\.(?P<ext>tar\.gz|zip)$"
)


class Failure(Exception):
    """A check or a step that failed: its message is printed and the script exits 1."""


def package_version() -> str:
    with open(ROOT / "Cargo.toml", "rb") as f:
        return tomllib.load(f)["package"]["version"]


def is_windows(target: str) -> bool:
    return "windows" in target


def binary_name(target: str) -> str:
    return "plimsoll.exe" if is_windows(target) else "plimsoll"


def archive_name(version: str, target: str) -> str:
    return f"plimsoll-{version}-{target}." + ("zip" if is_windows(target) else "tar.gz")


def run(cmd, **kwargs) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(cmd, check=True, **kwargs)
    except FileNotFoundError as err:
        raise Failure(f"cannot run {cmd[0]}: {err}") from err
    except subprocess.CalledProcessError as err:
        detail = err.stderr.decode(errors="replace").strip() if isinstance(err.stderr, bytes) else ""
        raise Failure(f"{shlex.join(map(str, cmd))} exited with {err.returncode}" + (f": {detail}" if detail else "")) from err


def host_triple() -> str:
    out = run(["rustc", "-vV"], capture_output=True, text=True).stdout
    for line in out.splitlines():
        if line.startswith("host: "):
            return line.removeprefix("host: ").strip()
    raise Failure("rustc -vV named no host")


def build(target: str, builder: str) -> Path:
    """cargo build --release of the plimsoll binary for target; returns the binary's path."""
    cmd = ["cargo", "zigbuild"] if builder == "zigbuild" else ["cargo", "build"]
    cmd += ["--release", "--locked", "--bin", "plimsoll"]
    # For the host itself no --target: the output (and the dependencies) are those of a plain
    # `cargo build --release` or `cargo install`, which another build may already have left.
    cross = builder == "zigbuild" or target != host_triple()
    if cross:
        cmd += ["--target", target]
    env = dict(os.environ)
    if target.endswith("windows-msvc"):
        # The C runtime linked in: the .exe needs no Visual C++ redistributable.
        key = "CARGO_TARGET_" + target.upper().replace("-", "_") + "_RUSTFLAGS"
        env[key] = (env.get(key, "") + " -C target-feature=+crt-static").strip()
    print(f"release-pack: {shlex.join(cmd)}", file=sys.stderr, flush=True)
    started, cpu = time.monotonic(), os.times()
    run(cmd, cwd=ROOT, env=env)
    used = os.times()
    cpu_s = used.children_user + used.children_system - cpu.children_user - cpu.children_system
    print(f"release-pack: built in {time.monotonic() - started:.0f} s ({cpu_s:.0f} s of CPU)", file=sys.stderr)
    meta = json.loads(run(["cargo", "metadata", "--format-version", "1", "--no-deps"], cwd=ROOT, capture_output=True).stdout)
    out = Path(meta["target_directory"])
    if cross:
        out = out / target
    return out / "release" / binary_name(target)


def source_date_epoch() -> int:
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return int(os.environ["SOURCE_DATE_EPOCH"])
    try:
        out = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
        return int(out.strip())
    except (OSError, subprocess.CalledProcessError, ValueError):
        return 315532800  # 1980-01-01, the earliest time a zip file can hold


def generate(binary: Path, runner: list[str], into: Path) -> None:
    """The completions and man pages, as the binary itself generates them."""
    (into / "completions").mkdir(parents=True)
    for shell, name in COMPLETIONS.items():
        script = run([*runner, str(binary), "completions", shell], capture_output=True).stdout
        if not script.strip():
            raise Failure(f"`plimsoll completions {shell}` printed nothing")
        (into / "completions" / name).write_bytes(script)
    run([*runner, str(binary), "manpages", str(into / "man" / "man1")], capture_output=True)


def pack(binary: Path, target: str, version: str, out_dir: Path, runner: list[str]) -> Path:
    top = f"plimsoll-{version}-{target}"
    with tempfile.TemporaryDirectory() as scratch:
        stage = Path(scratch) / top
        stage.mkdir()
        shutil.copy2(binary, stage / binary_name(target))
        for doc in DOCS:
            shutil.copyfile(ROOT / doc, stage / doc)
        generate(stage / binary_name(target), runner, stage)
        files = sorted(p for p in stage.rglob("*") if p.is_file())
        out_dir.mkdir(parents=True, exist_ok=True)
        archive = out_dir / archive_name(version, target)
        mtime = source_date_epoch()
        executable = {stage / binary_name(target)}
        if is_windows(target):
            write_zip(archive, top, stage, files, executable, mtime)
        else:
            write_tar_gz(archive, top, stage, files, executable, mtime)
    return archive


def write_tar_gz(archive: Path, top: str, stage: Path, files: list[Path], executable: set[Path], mtime: int) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        dirs = {stage}
        for path in files:
            dirs.update(d for d in path.parents if d.is_relative_to(stage))
        entries = sorted([(d, True) for d in dirs] + [(f, False) for f in files], key=lambda e: e[0].relative_to(stage.parent).as_posix())
        for path, is_dir in entries:
            info = tarfile.TarInfo(path.relative_to(stage.parent).as_posix())
            info.mtime = mtime
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            if is_dir:
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                tar.addfile(info)
            else:
                info.mode = 0o755 if path in executable else 0o644
                info.size = path.stat().st_size
                with open(path, "rb") as f:
                    tar.addfile(info, f)
    with open(archive, "wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", compresslevel=9, mtime=0) as gz:
        gz.write(buffer.getvalue())


def write_zip(archive: Path, top: str, stage: Path, files: list[Path], executable: set[Path], mtime: int) -> None:
    stamp = time.gmtime(max(mtime, 315532800))[:6]
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for path in files:
            info = zipfile.ZipInfo(path.relative_to(stage.parent).as_posix(), date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = ((0o100755 if path in executable else 0o100644) & 0xFFFF) << 16
            z.writestr(info, path.read_bytes())


def unpack(archive: Path, into: Path) -> list[str]:
    """Unpacks archive into `into`; returns the archive's file paths (no directories)."""
    if archive.name.endswith(".zip"):
        with zipfile.ZipFile(archive) as z:
            names = [n for n in z.namelist() if not n.endswith("/")]
            z.extractall(into)
            for info in z.infolist():
                mode = (info.external_attr >> 16) & 0o777
                if mode and not info.is_dir():
                    os.chmod(into / info.filename, mode)
        return names
    with tarfile.open(archive, "r:gz") as tar:
        members = tar.getmembers()
        for m in members:
            if not (m.isfile() or m.isdir()):
                raise Failure(f"{archive.name}: {m.name} is neither a file nor a directory")
        tar.extractall(into, filter="data")
        return [m.name for m in members if m.isfile()]


def check(archive: Path, runner: list[str]) -> str:
    """Checks one archive (see the module docs); returns the binary's --version line."""
    match = ARCHIVE_NAME.match(archive.name)
    if not match:
        raise Failure(f"{archive.name}: not a plimsoll-VERSION-TARGET.tar.gz or .zip name")
    version, target = match["version"], match["target"]
    if match["ext"] != ("zip" if is_windows(target) else "tar.gz"):
        raise Failure(f"{archive.name}: a {target} archive is a " + ("zip" if is_windows(target) else "tar.gz"))
    top = f"plimsoll-{version}-{target}"
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        names = unpack(archive, scratch / "unpacked")
        tops = {n.split("/", 1)[0] for n in names}
        if tops != {top}:
            raise Failure(f"{archive.name}: everything must be under {top}/, found {sorted(tops)}")
        root = scratch / "unpacked" / top
        binary = root / binary_name(target)
        if not is_windows(target) and not os.access(binary, os.X_OK):
            raise Failure(f"{archive.name}: {binary.name} is not executable")
        said = run([*runner, str(binary), "--version"], capture_output=True, text=True).stdout.strip()
        if not said.startswith(f"plimsoll {version}") or said[len(f"plimsoll {version}"):][:1] not in ("", " "):
            raise Failure(f"{archive.name}: the binary says `{said}`, not plimsoll {version}")
        # What the binary generates now must be what was packed, and nothing else is in there.
        generate(binary, runner, scratch / "fresh")
        generated = sorted(p.relative_to(scratch / "fresh").as_posix() for p in (scratch / "fresh").rglob("*") if p.is_file())
        man = [n for n in generated if n.startswith("man/man1/")]
        if "man/man1/plimsoll.1" not in man or "man/man1/plimsoll-check.1" not in man:
            raise Failure(f"{archive.name}: man pages {man} lack plimsoll.1 or plimsoll-check.1")
        expected = sorted([binary_name(target), *DOCS, *generated])
        found = sorted(n.removeprefix(top + "/") for n in names)
        if found != expected:
            missing, extra = sorted(set(expected) - set(found)), sorted(set(found) - set(expected))
            raise Failure(f"{archive.name}: missing {missing}, unexpected {extra}")
        for name in generated:
            if (root / name).read_bytes() != (scratch / "fresh" / name).read_bytes():
                raise Failure(f"{archive.name}: {name} differs from what the binary generates")
        for doc in DOCS:
            if (root / doc).read_bytes() != (ROOT / doc).read_bytes():
                raise Failure(f"{archive.name}: {doc} differs from the repository's")
    print(f"release-pack: {archive.name} ok ({len(names)} files, {said})", file=sys.stderr)
    return said


def write_sums(directory: Path) -> Path:
    archives = sorted(p for p in directory.iterdir() if ARCHIVE_NAME.match(p.name))
    if not archives:
        raise Failure(f"{directory}: no plimsoll-*.tar.gz or .zip archive")
    lines = []
    for path in archives:
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        lines.append(f"{digest.hexdigest()}  {path.name}\n")
    sums = directory / "SHA256SUMS"
    # Binary mode: `\n` line ends on Windows too, as sha256sum -c expects.
    sums.write_bytes("".join(lines).encode())
    print(f"release-pack: {sums} lists {len(lines)} archives", file=sys.stderr)
    return sums


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    dist = commands.add_parser("dist", help="build (or take --binary), pack and check one target")
    dist.add_argument("--target", required=True, help="Rust target triple, e.g. x86_64-unknown-linux-musl")
    dist.add_argument("--out", required=True, type=Path, help="directory the archive goes into")
    dist.add_argument("--builder", choices=["cargo", "zigbuild"], default="cargo")
    dist.add_argument("--binary", type=Path, help="pack this binary instead of building one")
    dist.add_argument("--runner", default="", help="command that runs a binary of the target (e.g. qemu-aarch64-static)")
    dist.add_argument("--expect-version", help="fail unless Cargo.toml has this version (the tag without its v)")
    chk = commands.add_parser("check", help="check one archive")
    chk.add_argument("archive", type=Path)
    chk.add_argument("--runner", default="")
    sums = commands.add_parser("sums", help="write DIR/SHA256SUMS")
    sums.add_argument("dir", type=Path)
    args = parser.parse_args()
    try:
        if args.command == "sums":
            write_sums(args.dir)
        elif args.command == "check":
            check(args.archive, shlex.split(args.runner))
        else:
            version = package_version()
            if args.expect_version is not None and args.expect_version.removeprefix("v") != version:
                raise Failure(f"the tag says {args.expect_version} but Cargo.toml says {version}: bump the version first")
            binary = args.binary or build(args.target, args.builder)
            if not binary.is_file():
                raise Failure(f"{binary}: no such binary")
            runner = shlex.split(args.runner)
            archive = pack(binary, args.target, version, args.out, runner)
            check(archive, runner)
            print(archive)
    except Failure as err:
        print(f"release-pack: error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
