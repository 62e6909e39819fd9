//! The app's own files under `/pkg`: its script, its WebAssembly and its stylesheet.
//!
//! A release build names each file after its content (cargo-leptos `hash-files`), and leaves a
//! hash file beside the binary that says which names belong to this build. Every page is rendered
//! with the names of the build that serves it, so such a file can be kept for good: its name changes
//! whenever its content does, and an upgrade's first page already points at the new files. They are
//! served `immutable` for a year, brotli or gzip as the build precompressed them (`--precompress`),
//! never compressed again per request.
//!
//! A development build (`cargo leptos watch`) keeps plain names, which stay the same from one
//! build to the next: those are served `no-cache`, so a browser asks every time (a 304 without a
//! body when its copy is current) and never runs an old app against a new server.

use std::path::{Path, PathBuf};

use axum::extract::Request;
use axum::http::header::{CACHE_CONTROL, VARY};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::Router;
use leptos::config::LeptosOptions;
use tower_http::services::ServeDir;

/// The route the app's files are served under.
pub const ROUTE: &str = "/pkg/{*file}";

/// Why the app's files do not match the build that serves them; the server does not start, since
/// every page would point the browser at files that are not there.
#[derive(Debug, thiserror::Error)]
pub enum AssetsError {
    #[error("could not read the hash file {path}: {source} (the release build writes it beside the binary; copy it along, or point LEPTOS_HASH_FILE_NAME at it)")]
    ReadHashFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the hash file {path} names no {kind} file")]
    Incomplete { path: PathBuf, kind: &'static str },
    #[error("the hash file {hash_file} names {missing}, which is not there: the site directory (LEPTOS_SITE_ROOT) and the hash file come from different builds")]
    Missing {
        hash_file: PathBuf,
        missing: PathBuf,
    },
    #[error("{site_pkg} holds a build with hashed file names ({example}) but hashing is off (no hash file at {hash_file}, or LEPTOS_HASH_FILES=false): copy the build's hash.txt beside the binary or point LEPTOS_HASH_FILE_NAME at it, and leave LEPTOS_HASH_FILES unset")]
    NoHashFile {
        site_pkg: PathBuf,
        example: String,
        hash_file: PathBuf,
    },
}

/// Decides whether this build's file names are hashed and checks that the files the pages will
/// name are there. Hashing is on when `LEPTOS_HASH_FILES` says so (cargo-leptos sets it) or, when
/// that is unset, when the build left a hash file: a binary started by hand, by a script or in the
/// container finds its names the same way.
pub fn resolve_hashing(options: &mut LeptosOptions) -> Result<(), AssetsError> {
    let explicit = std::env::var_os("LEPTOS_HASH_FILES").is_some();
    resolve(options, explicit, &hash_file_path(options))
}

fn resolve(
    options: &mut LeptosOptions,
    explicit: bool,
    hash_file: &Path,
) -> Result<(), AssetsError> {
    if !explicit {
        options.hash_files = hash_file.exists();
    }
    let pkg = Path::new(&*options.site_root).join(&*options.site_pkg_dir);
    if !pkg.is_dir() {
        // No browser build here at all (a server started for its API or its database checks):
        // pages render, without their script and stylesheet, as before hashing.
        tracing::warn!(
            "no browser files at {}: pages are served without their script and stylesheet",
            pkg.display()
        );
        return Ok(());
    }
    if options.hash_files {
        let text =
            std::fs::read_to_string(hash_file).map_err(|source| AssetsError::ReadHashFile {
                path: hash_file.to_path_buf(),
                source,
            })?;
        let named = ["js", "wasm", "css"].into_iter().map(|kind| {
            let hash = hash_of(&text, kind).ok_or_else(|| AssetsError::Incomplete {
                path: hash_file.to_path_buf(),
                kind,
            })?;
            Ok(format!("{}.{hash}.{kind}", options.output_name))
        });
        // A build split into parts (`--split`) names the parts' loader and their manifest too.
        let split = [
            ("split", "__wasm_split", "js"),
            ("manifest", "__wasm_split_manifest", "json"),
        ]
        .into_iter()
        .filter_map(|(kind, stem, ext)| {
            Some(Ok(format!("{stem}.{}.{ext}", hash_of(&text, kind)?)))
        });
        for name in named.chain(split) {
            let file = pkg.join(name?);
            if !file.is_file() {
                return Err(AssetsError::Missing {
                    hash_file: hash_file.to_path_buf(),
                    missing: file,
                });
            }
        }
    } else if let Some(example) = hashed_bundle_without_plain_one(&pkg, &options.output_name) {
        return Err(AssetsError::NoHashFile {
            site_pkg: pkg,
            example,
            hash_file: hash_file.to_path_buf(),
        });
    }
    Ok(())
}

/// Where Leptos looks for the hash file when it renders a page (`HydrationScripts`,
/// `HashedStylesheet`): the binary's directory joined with `LEPTOS_HASH_FILE_NAME`, which may be
/// absolute.
fn hash_file_path(options: &LeptosOptions) -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(Path::to_path_buf))
        .unwrap_or_default()
        .join(&*options.hash_file)
}

/// The hash a hash file gives for one kind of file (its lines read `js: <hash>`).
fn hash_of<'a>(text: &'a str, kind: &str) -> Option<&'a str> {
    text.lines().find_map(|line| {
        let (name, hash) = line.split_once(':')?;
        (name.trim() == kind && !hash.trim().is_empty()).then(|| hash.trim())
    })
}

/// A hashed script (`taskdeck.<hash>.js`) in a directory without the plain `taskdeck.js`: the
/// sign of a release build whose hash file was left behind.
fn hashed_bundle_without_plain_one(pkg: &Path, output_name: &str) -> Option<String> {
    if pkg.join(format!("{output_name}.js")).exists() {
        return None;
    }
    let prefix = format!("{output_name}.");
    std::fs::read_dir(pkg).ok()?.find_map(|entry| {
        let name = entry.ok()?.file_name().into_string().ok()?;
        (name.starts_with(&prefix) && name.ends_with(".js")).then_some(name)
    })
}

/// Serves the site root's `pkg` directory under [`ROUTE`], with the caching its names allow.
pub fn app_files<S: Clone + Send + Sync + 'static>(options: &LeptosOptions) -> Router<S> {
    let hashed = options.hash_files;
    let output_name = options.output_name.to_string();
    let files = ServeDir::new(&*options.site_root)
        .precompressed_br()
        .precompressed_gzip();
    Router::new()
        .route_service(ROUTE, files)
        .layer(axum::middleware::from_fn(
            move |request: Request, next: Next| {
                let kept = hashed && carries_hash(request.uri().path(), &output_name);
                async move {
                    let mut response = next.run(request).await;
                    // A missing file may appear with the next deploy: only a file is kept.
                    let status = response.status();
                    let value = if !(status.is_success() || status == StatusCode::NOT_MODIFIED) {
                        "no-store"
                    } else if kept {
                        "public, max-age=31536000, immutable"
                    } else {
                        "no-cache"
                    };
                    response
                        .headers_mut()
                        .insert(CACHE_CONTROL, HeaderValue::from_static(value));
                    // One URL, a brotli, gzip or plain body by the request's Accept-Encoding: a shared
                    // cache must key on it, or it hands brotli to a client that cannot read it.
                    response
                        .headers_mut()
                        .insert(VARY, HeaderValue::from_static("accept-encoding"));
                    response
                }
            },
        ))
}

/// `/pkg/taskdeck.<hash>.wasm` and its script and stylesheet, and the parts the WASM is split
/// into (`split_<page>.<hash>.wasm`, `chunk_<n>.<hash>.wasm`, their loader
/// `__wasm_split.<hash>.js` and its manifest): the names the build gave after their content
/// (`scripts/content-names.mjs` makes them so after cargo-leptos).
/// Anything else under `/pkg` (a plain name, a wasm-bindgen snippet) can change under the same
/// name, so it is never kept for good.
fn carries_hash(path: &str, output_name: &str) -> bool {
    let Some(name) = path
        .strip_prefix("/pkg/")
        .filter(|name| !name.contains('/'))
    else {
        return false;
    };
    let Some((stem, rest)) = name.split_once('.') else {
        return false;
    };
    let ours = stem == output_name
        || stem.starts_with("split_")
        || stem.starts_with("chunk_")
        || stem == "__wasm_split"
        || stem == "__wasm_split_manifest";
    ours && matches!(
        rest.rsplit_once('.'),
        Some((hash, "js" | "wasm" | "css" | "json"))
            if !hash.is_empty()
                && hash.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    /// A site with a hashed build in it, and its hash file.
    fn hashed_site() -> (tempfile::TempDir, LeptosOptions, PathBuf) {
        let dir = tempfile::tempdir().expect("temp dir");
        let pkg = dir.path().join("site/pkg");
        std::fs::create_dir_all(&pkg).expect("pkg dir");
        for (kind, hash) in [
            ("js", "AAAAAAAAAAAA"),
            ("wasm", "BBBBBBBBBBBB"),
            ("css", "CCCCCCCCCCCC"),
        ] {
            std::fs::write(
                pkg.join(format!("taskdeck.{hash}.{kind}")),
                "plain plain plain plain",
            )
            .expect("file");
            std::fs::write(pkg.join(format!("taskdeck.{hash}.{kind}.br")), "br").expect("br file");
        }
        let hash_file = dir.path().join("hash.txt");
        std::fs::write(
            &hash_file,
            "js: AAAAAAAAAAAA\nwasm: BBBBBBBBBBBB\ncss: CCCCCCCCCCCC\n",
        )
        .expect("hash file");
        let options = LeptosOptions::builder()
            .output_name("taskdeck")
            .site_root(dir.path().join("site").to_string_lossy().into_owned())
            .build();
        (dir, options, hash_file)
    }

    #[test]
    fn only_the_builds_hashed_names_carry_a_hash() {
        assert!(carries_hash("/pkg/taskdeck.fA2x-K_9.wasm", "taskdeck"));
        assert!(carries_hash("/pkg/taskdeck.abc123.css", "taskdeck"));
        assert!(!carries_hash("/pkg/taskdeck.wasm", "taskdeck"));
        assert!(!carries_hash("/pkg/taskdeck.abc.wasm.br", "taskdeck"));
        assert!(!carries_hash("/pkg/snippets/taskdeck.abc.js", "taskdeck"));
        assert!(!carries_hash("/pkg/other.abc.js", "taskdeck"));
        assert!(!carries_hash("/pkg/taskdeck.a b.js", "taskdeck"));
        assert!(carries_hash("/pkg/split_board_9f.Qm3-x_Z.wasm", "taskdeck"));
        assert!(carries_hash("/pkg/chunk_3.Qm3-x_Z.wasm", "taskdeck"));
        assert!(carries_hash("/pkg/__wasm_split.Qm3-x_Z.js", "taskdeck"));
        assert!(carries_hash(
            "/pkg/__wasm_split_manifest.Qm3-x_Z.json",
            "taskdeck"
        ));
        assert!(!carries_hash("/pkg/__wasm_split_manifest.json", "taskdeck"));
        assert!(!carries_hash("/pkg/chunk_3.wasm", "taskdeck"));
    }

    #[test]
    fn reads_each_kind_from_a_hash_file() {
        let text = "js: abc\nwasm: def\ncss: ghi\n";
        assert_eq!(hash_of(text, "js"), Some("abc"));
        assert_eq!(hash_of(text, "wasm"), Some("def"));
        assert_eq!(hash_of(text, "css"), Some("ghi"));
        assert_eq!(hash_of("js:\n", "js"), None);
        assert_eq!(hash_of(text, "manifest"), None);
    }

    #[test]
    fn a_build_with_its_hash_file_is_hashed() {
        let (_dir, mut options, hash_file) = hashed_site();
        resolve(&mut options, false, &hash_file).expect("a complete build");
        assert!(options.hash_files);
    }

    #[test]
    fn a_hash_file_from_another_build_stops_the_server() {
        let (_dir, mut options, hash_file) = hashed_site();
        std::fs::write(
            &hash_file,
            "js: AAAAAAAAAAAA\nwasm: OTHERBUILD00\ncss: CCCCCCCCCCCC\n",
        )
        .expect("hash file");
        let error = resolve(&mut options, false, &hash_file).expect_err("a mismatch");
        assert!(
            error
                .to_string()
                .contains("taskdeck.OTHERBUILD00.wasm, which is not there"),
            "{error}"
        );
    }

    #[test]
    fn a_split_build_needs_its_loader_and_manifest() {
        let (dir, mut options, hash_file) = hashed_site();
        let pkg = dir.path().join("site/pkg");
        std::fs::write(pkg.join("__wasm_split.DDDDDDDDDDDD.js"), "loader").expect("loader");
        std::fs::write(
            &hash_file,
            "js: AAAAAAAAAAAA\nwasm: BBBBBBBBBBBB\ncss: CCCCCCCCCCCC\nmanifest: EEEEEEEEEEEE\nsplit: DDDDDDDDDDDD\n",
        )
        .expect("hash file");
        let error = resolve(&mut options, false, &hash_file).expect_err("no manifest");
        assert!(
            error
                .to_string()
                .contains("__wasm_split_manifest.EEEEEEEEEEEE.json, which is not there"),
            "{error}"
        );
        std::fs::write(pkg.join("__wasm_split_manifest.EEEEEEEEEEEE.json"), "{}")
            .expect("manifest");
        resolve(&mut options, false, &hash_file).expect("a complete split build");
        std::fs::remove_file(pkg.join("__wasm_split.DDDDDDDDDDDD.js")).expect("remove loader");
        let error = resolve(&mut options, false, &hash_file).expect_err("no loader");
        assert!(
            error
                .to_string()
                .contains("__wasm_split.DDDDDDDDDDDD.js, which is not there"),
            "{error}"
        );
    }

    #[test]
    fn a_hashed_build_whose_hash_file_was_left_behind_stops_the_server() {
        let (dir, mut options, _) = hashed_site();
        let error = resolve(&mut options, false, &dir.path().join("elsewhere/hash.txt"))
            .expect_err("no hash file");
        assert!(matches!(error, AssetsError::NoHashFile { .. }), "{error}");
        assert!(
            error.to_string().contains("copy the build's hash.txt"),
            "{error}"
        );
    }

    #[test]
    fn a_development_build_and_no_build_at_all_are_plain() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("pkg")).expect("pkg dir");
        std::fs::write(dir.path().join("pkg/taskdeck.js"), "js").expect("file");
        let mut options = LeptosOptions::builder()
            .output_name("taskdeck")
            .site_root(dir.path().to_string_lossy().into_owned())
            .build();
        resolve(&mut options, false, &dir.path().join("hash.txt")).expect("plain names");
        assert!(!options.hash_files);
        options.site_root = dir
            .path()
            .join("no-build")
            .to_string_lossy()
            .into_owned()
            .into();
        resolve(&mut options, false, &dir.path().join("hash.txt")).expect("nothing built yet");
    }

    #[test]
    fn a_release_binary_without_any_site_still_starts() {
        let (dir, mut options, hash_file) = hashed_site();
        options.site_root = dir
            .path()
            .join("no-site")
            .to_string_lossy()
            .into_owned()
            .into();
        resolve(&mut options, false, &hash_file).expect("no site at all");
    }

    async fn get(router: &Router, path: &str, accept: &str) -> axum::response::Response {
        let request = Request::get(path)
            .header("accept-encoding", accept)
            .body(Body::empty())
            .expect("request");
        router.clone().oneshot(request).await.expect("response")
    }

    #[tokio::test]
    async fn hashed_files_are_kept_for_good_and_sent_precompressed() {
        let (_dir, mut options, hash_file) = hashed_site();
        resolve(&mut options, false, &hash_file).expect("a complete build");
        let router: Router = app_files(&options);

        let response = get(&router, "/pkg/taskdeck.BBBBBBBBBBBB.wasm", "br, gzip").await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()[CACHE_CONTROL],
            "public, max-age=31536000, immutable"
        );
        assert_eq!(response.headers()["content-encoding"], "br");
        assert_eq!(response.headers()["content-length"], "2");
        assert_eq!(response.headers()[VARY], "accept-encoding");

        let plain = get(&router, "/pkg/taskdeck.BBBBBBBBBBBB.wasm", "identity").await;
        assert!(plain.headers().get("content-encoding").is_none());
        assert_eq!(plain.headers()["content-length"], "23");

        // A file under /pkg whose name carries no hash may change under that name.
        std::fs::create_dir_all(Path::new(&*options.site_root).join("pkg/snippets"))
            .expect("snippets dir");
        std::fs::write(
            Path::new(&*options.site_root).join("pkg/snippets/inline0.js"),
            "js",
        )
        .expect("snippet");
        let snippet = get(&router, "/pkg/snippets/inline0.js", "identity").await;
        assert_eq!(snippet.status(), StatusCode::OK);
        assert_eq!(snippet.headers()[CACHE_CONTROL], "no-cache");

        let missing = get(&router, "/pkg/taskdeck.NOTTHISBUILD.wasm", "br").await;
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
        assert_eq!(missing.headers()[CACHE_CONTROL], "no-store");
    }

    #[tokio::test]
    async fn plain_names_are_checked_every_time() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("pkg")).expect("pkg dir");
        std::fs::write(dir.path().join("pkg/taskdeck.js"), "js").expect("file");
        let options = LeptosOptions::builder()
            .output_name("taskdeck")
            .site_root(dir.path().to_string_lossy().into_owned())
            .build();
        let router: Router = app_files(&options);
        let response = get(&router, "/pkg/taskdeck.js", "br").await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()[CACHE_CONTROL], "no-cache");
    }
}
