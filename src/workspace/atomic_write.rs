//! Replacing a file all at once: the new content goes to a temporary file in the same
//! directory, which is then renamed over the old one, so a write that fails half way (a full
//! disk) leaves the previous file as it was, never a truncated one.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Write the file at `path` with what `write` produces, atomically: readers see the old file or
/// the whole new one. An existing file keeps its permissions; a symlink is followed (its target
/// is replaced, the link stays); a device or FIFO is written in place. On failure nothing at
/// `path` has changed and the temporary file is gone.
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let existing = match fs::metadata(path) {
        Ok(meta) if meta.is_dir() => {
            return Err(io::Error::new(
                io::ErrorKind::IsADirectory,
                "is a directory",
            ));
        }
        // `/dev/stdout`, `/dev/null`, a FIFO: written in place, never replaced by a file.
        Ok(meta) if !meta.is_file() => return write_in_place(path, write),
        Ok(meta) => Some(meta.permissions()),
        Err(err) if err.kind() == io::ErrorKind::NotFound => None,
        Err(err) => return Err(err),
    };
    let target = resolve_symlink(path)?;
    let (temp_path, file) = create_temp_beside(&target)?;
    let written = fill(file, existing, write).and_then(|()| fs::rename(&temp_path, &target));
    if written.is_err() {
        let _ = fs::remove_file(&temp_path);
    }
    written
}

/// A device or FIFO: opened for writing as it is (there is no old content to keep).
fn write_in_place(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let mut out = BufWriter::new(OpenOptions::new().write(true).open(path)?);
    write(&mut out)?;
    out.flush()
}

/// Write, flush and sync the temporary file (a full disk may only show at the sync).
fn fill(
    file: File,
    permissions: Option<fs::Permissions>,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    if let Some(permissions) = permissions {
        file.set_permissions(permissions)?;
    }
    let mut out = BufWriter::new(file);
    write(&mut out)?;
    let file = out.into_inner().map_err(io::IntoInnerError::into_error)?;
    file.sync_all()
}

/// `path`, or the file its symlink (chain) points to.
fn resolve_symlink(path: &Path) -> io::Result<PathBuf> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => match fs::canonicalize(path) {
            Ok(target) => Ok(target),
            // A dangling link: create the file it names, relative to the link's directory.
            Err(_) => {
                let link = fs::read_link(path)?;
                Ok(path.parent().unwrap_or(Path::new("")).join(link))
            }
        },
        _ => Ok(path.to_path_buf()),
    }
}

/// A new, empty temporary file in the directory of `target`: `.NAME.plimsoll-PID-N.tmp`.
fn create_temp_beside(target: &Path) -> io::Result<(PathBuf, File)> {
    let dir = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name = target
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "names no file"))?;
    let mut attempt = 0u32;
    loop {
        let mut temp_name = std::ffi::OsString::from(".");
        temp_name.push(name);
        temp_name.push(format!(".plimsoll-{}-{attempt}.tmp", std::process::id()));
        let temp_path = dir.join(temp_name);
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp_path)
        {
            Ok(file) => return Ok((temp_path, file)),
            // Left over from a killed run with the same process id: try the next name.
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => {
                attempt += 1;
            }
            Err(err) => return Err(err),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes part of a report, then fails as a full disk does.
    fn failing_writer(out: &mut dyn Write) -> io::Result<()> {
        out.write_all(b"{\"half\": ")?;
        out.flush()?;
        Err(io::Error::from_raw_os_error(28))
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_failed_write_leaves_the_old_file_intact_and_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        fs::write(&path, "the previous good report").unwrap();
        let err = write_atomically(&path, failing_writer).unwrap_err();
        assert_eq!(err.raw_os_error(), Some(28));
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            "the previous good report"
        );
        assert_eq!(entries(dir.path()), ["report.json"]);
    }

    #[test]
    fn a_good_write_replaces_the_file_and_keeps_its_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        fs::write(&path, "old").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        write_atomically(&path, |out| out.write_all(b"new")).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new");
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
        assert_eq!(entries(dir.path()), ["report.json"]);
    }

    #[test]
    fn a_symlink_keeps_pointing_at_the_rewritten_file() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.sarif");
        let link = dir.path().join("link.sarif");
        fs::write(&real, "old").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_atomically(&link, |out| out.write_all(b"new")).unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&real).unwrap(), "new");
    }

    #[test]
    fn a_device_is_written_in_place_not_replaced() {
        write_atomically(Path::new("/dev/null"), |out| out.write_all(b"x")).unwrap();
        assert!(!fs::metadata("/dev/null").unwrap().is_file());
        // A device that fails every write (absent from some sandboxes).
        if Path::new("/dev/full").exists() {
            let err = write_atomically(Path::new("/dev/full"), |out| out.write_all(b"x"));
            assert_eq!(err.unwrap_err().raw_os_error(), Some(28));
            assert!(!fs::metadata("/dev/full").unwrap().is_file());
        }
    }

    #[test]
    fn a_directory_at_the_path_is_an_error_and_stays() {
        let dir = tempfile::tempdir().unwrap();
        let err = write_atomically(dir.path(), |out| out.write_all(b"x")).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::IsADirectory);
        assert!(dir.path().is_dir());
    }
}
