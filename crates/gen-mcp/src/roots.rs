//! Which local files the server may read for an upload: only under the
//! allowed roots. Those are the client's MCP roots when it offers any,
//! else the `--allow-dir` folders (default: the working directory).
//!
//! A path is checked twice: as written (made absolute against the first
//! root, `.` and `..` resolved without touching the disk), then once more
//! after the file system resolves every symlink. The file read is the
//! resolved one.

use std::path::{Component, Path, PathBuf};

/// Where the allowed roots came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RootsSource {
    /// The client's MCP roots (`roots/list`).
    Client,
    /// `--allow-dir` (or the working directory).
    Server,
}

/// `path` with `.` and `..` resolved lexically (no symlinks followed).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

fn show(roots: &[PathBuf]) -> String {
    roots
        .iter()
        .map(|r| r.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn refusal(path: &str, roots: &[PathBuf], source: RootsSource) -> String {
    let from = match source {
        RootsSource::Client => "the client's MCP roots",
        RootsSource::Server => "`gen mcp --allow-dir DIR` (default: the working directory)",
    };
    format!(
        "`{path}` is outside the allowed roots ({}): this server reads files only under {from}",
        show(roots)
    )
}

/// The file `path` names, resolved (symlinks and `..`), when it lies under
/// one of `roots`; else an error naming the roots. A relative `path` is
/// taken from the first root.
pub fn resolve(path: &str, roots: &[PathBuf], source: RootsSource) -> Result<PathBuf, String> {
    let Some(first) = roots.first() else {
        return Err(format!(
            "`{path}` cannot be read: no allowed roots (the client offered none and no --allow-dir was given)"
        ));
    };
    let given = Path::new(path);
    let absolute = if given.is_absolute() {
        given.to_path_buf()
    } else {
        first.join(given)
    };
    let lexical = normalize(&absolute);
    let roots_lexical: Vec<PathBuf> = roots.iter().map(|r| normalize(r)).collect();
    if !roots_lexical.iter().any(|r| lexical.starts_with(r)) {
        return Err(refusal(path, roots, source));
    }
    let resolved =
        std::fs::canonicalize(&lexical).map_err(|e| format!("cannot read `{path}`: {e}"))?;
    let inside = roots
        .iter()
        .filter_map(|r| std::fs::canonicalize(r).ok())
        .any(|r| resolved.starts_with(&r));
    if !inside {
        return Err(refusal(path, roots, source));
    }
    Ok(resolved)
}

/// The local folders of `file://` root URIs (others are ignored).
pub fn from_uris<'a>(uris: impl IntoIterator<Item = &'a str>) -> Vec<PathBuf> {
    uris.into_iter()
        .filter_map(|uri| genpro_sdk::reqwest::Url::parse(uri).ok())
        .filter(|url| url.scheme() == "file")
        .filter_map(|url| url.to_file_path().ok())
        .map(|path| path.components().collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_resolves_dots_without_the_disk() {
        assert_eq!(
            normalize(Path::new("/a/b/../c/./d")),
            PathBuf::from("/a/c/d")
        );
        assert_eq!(normalize(Path::new("/a/../../etc")), PathBuf::from("/etc"));
    }

    #[test]
    fn file_uris_become_folders() {
        assert_eq!(
            from_uris([
                "file:///home/me/videos",
                "https://example.com/x",
                "file:///tmp/a%20b"
            ]),
            [PathBuf::from("/home/me/videos"), PathBuf::from("/tmp/a b")]
        );
    }

    #[test]
    fn no_roots_refuses_everything() {
        assert_eq!(
            resolve("x.mp4", &[], RootsSource::Client).unwrap_err(),
            "`x.mp4` cannot be read: no allowed roots (the client offered none and no --allow-dir was given)"
        );
    }
}
