//! The console's files, held in memory and answered with the right encoding and cache headers.
//!
//! They come from one of two places, and are served the same way from both
//! (`docs/design/013-deployment.md`):
//! * **the binary itself** — a build with the `embed-console` feature carries Trunk's `dist/`
//!   (with the `.br` and `.gz` copies `scripts/precompress.sh` writes), so a school installs one
//!   file;
//! * **a directory** read once at start-up (`console_dir`, `./dist` by default): `make run`, the
//!   tests, and anyone who wants to serve a console of their own build.
//!
//! Hashed assets (Trunk names them `name-<16 hex>…`) never change under their name, so browsers
//! may keep them for a year (`immutable`); anything else must be revalidated (`no-cache`). A
//! compressed copy is sent when `Accept-Encoding` allows it, always with `Vary: Accept-Encoding`.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// `Cache-Control` of a hashed asset: a year, never revalidated.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of anything whose name does not change with its content.
const REVALIDATE: &str = "no-cache";
/// Deepest directory nesting read from a console directory (Trunk's output is flat).
const MAX_DEPTH: usize = 4;
/// Largest console directory read at start-up; a wrong `console_dir` (say, `/`) must not fill
/// the memory.
const MAX_TOTAL_BYTES: u64 = 64 * 1024 * 1024;

/// A content coding we can send (RFC 9110 §8.4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    /// `br`.
    Brotli,
    /// `gzip`.
    Gzip,
    /// No coding.
    Identity,
}

impl Coding {
    fn header(self) -> Option<&'static str> {
        match self {
            Coding::Brotli => Some("br"),
            Coding::Gzip => Some("gzip"),
            Coding::Identity => None,
        }
    }
}

/// One file, with its compressed copies when the build wrote them.
#[derive(Debug)]
struct Asset {
    identity: Bytes,
    brotli: Option<Bytes>,
    gzip: Option<Bytes>,
    content_type: HeaderValue,
    /// Hex SHA-256 of the identity bytes (the ETag's base).
    digest: String,
    immutable: bool,
}

/// Where the files came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Carried in this binary.
    Embedded,
    /// Read from this directory at start-up.
    Directory(PathBuf),
    /// Nothing usable there: the console was not built (the page says how to build it).
    Missing(PathBuf),
}

/// The console's files.
#[derive(Debug)]
pub struct ConsoleFiles {
    files: HashMap<String, Asset>,
    /// Where they came from.
    pub origin: Origin,
}

/// A console directory that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ConsoleFilesError {
    /// Reading failed.
    #[error("cannot read the console in {path}: {source}")]
    Read {
        /// The file or directory.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// Far too much there to be a console build.
    #[error(
        "{path} holds more than {MAX_TOTAL_BYTES} bytes: that is not a console build (set console_dir to Trunk's dist/)"
    )]
    TooLarge {
        /// The directory.
        path: String,
    },
}

impl ConsoleFiles {
    /// The console this server serves: the configured directory when one is configured, else
    /// the one carried in the binary, else `dir` (the default `./dist`).
    pub fn for_config(dir: &Path, dir_configured: bool) -> Result<Self, ConsoleFilesError> {
        if !dir_configured && let Some(embedded) = Self::embedded() {
            return Ok(embedded);
        }
        Self::from_dir(dir)
    }

    /// No console: the page says how to build one.
    pub fn missing(dir: &Path) -> Self {
        ConsoleFiles {
            files: HashMap::new(),
            origin: Origin::Missing(dir.to_owned()),
        }
    }

    /// The console carried in this binary, if it was built with one (`embed-console`).
    pub fn embedded() -> Option<Self> {
        let mut builder = Builder::default();
        for (name, bytes, digest) in embedded::files() {
            builder.add(name, bytes, Some(digest));
        }
        builder.finish(Origin::Embedded)
    }

    /// Reads a console build from a directory; a directory without `index.html` is
    /// [`Origin::Missing`].
    pub fn from_dir(dir: &Path) -> Result<Self, ConsoleFilesError> {
        if !dir.join("index.html").is_file() {
            return Ok(Self::missing(dir));
        }
        let mut builder = Builder::default();
        let mut total = 0u64;
        read_dir_into(dir, dir, 0, &mut builder, &mut total)?;
        Ok(builder
            .finish(Origin::Directory(dir.to_owned()))
            .unwrap_or_else(|| Self::missing(dir)))
    }

    /// `index.html` as built, if there is one.
    pub fn index_html(&self) -> Option<&[u8]> {
        self.files.get("index.html").map(|a| a.identity.as_ref())
    }

    /// A short name for this build of the console: Trunk's hash of the wasm module (it is in the
    /// file's name), or the start of `index.html`'s digest.
    pub fn build_id(&self) -> Option<String> {
        let from_wasm = self.files.keys().find_map(|name| {
            let stem = name.strip_suffix("_bg.wasm")?;
            let (_, hash) = stem.rsplit_once('-')?;
            is_trunk_hash(hash).then(|| hash.to_owned())
        });
        from_wasm.or_else(|| {
            self.files
                .get("index.html")
                .map(|a| a.digest.chars().take(16).collect())
        })
    }

    /// Whether any file has compressed copies (what `--version` reports).
    pub fn has_compressed_copies(&self) -> bool {
        self.files
            .values()
            .any(|a| a.brotli.is_some() || a.gzip.is_some())
    }

    /// The answer for `path` (without its leading `/`), or `None` when there is no such file.
    /// `GET` and `HEAD` only; `If-None-Match` answers 304.
    pub fn respond(&self, method: &Method, path: &str, request: &HeaderMap) -> Option<Response> {
        let asset = self.files.get(path)?;
        if method != Method::GET && method != Method::HEAD {
            return Some(
                (
                    StatusCode::METHOD_NOT_ALLOWED,
                    [(header::ALLOW, "GET, HEAD")],
                )
                    .into_response(),
            );
        }
        let accept = request
            .get(header::ACCEPT_ENCODING)
            .and_then(|v| v.to_str().ok());
        let coding = choose_coding(accept, asset.brotli.is_some(), asset.gzip.is_some());
        let body = match coding {
            Coding::Brotli => asset.brotli.clone(),
            Coding::Gzip => asset.gzip.clone(),
            Coding::Identity => None,
        }
        .unwrap_or_else(|| asset.identity.clone());
        // Each representation has its own entity tag (RFC 9110 §8.8.3).
        let etag = match coding.header() {
            Some(c) => format!("\"{}-{c}\"", &asset.digest[..32]),
            None => format!("\"{}\"", &asset.digest[..32]),
        };
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, asset.content_type.clone());
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(if asset.immutable {
                IMMUTABLE
            } else {
                REVALIDATE
            }),
        );
        if asset.brotli.is_some() || asset.gzip.is_some() {
            headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        }
        if let Some(c) = coding.header() {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(c));
        }
        if let Ok(v) = HeaderValue::from_str(&etag) {
            headers.insert(header::ETAG, v);
        }
        if if_none_match(request, &etag) {
            return Some((StatusCode::NOT_MODIFIED, headers).into_response());
        }
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
        let body = if method == Method::HEAD {
            Body::empty()
        } else {
            Body::from(body)
        };
        Some((StatusCode::OK, headers, body).into_response())
    }
}

/// Collects files, pairing `x.br` and `x.gz` with `x`.
#[derive(Default)]
struct Builder {
    plain: Vec<(String, Bytes, Option<String>)>,
    compressed: HashMap<String, Bytes>,
}

impl Builder {
    fn add(&mut self, name: String, bytes: Bytes, digest: Option<String>) {
        if name.ends_with(".br") || name.ends_with(".gz") {
            self.compressed.insert(name, bytes);
        } else {
            self.plain.push((name, bytes, digest));
        }
    }

    fn finish(mut self, origin: Origin) -> Option<ConsoleFiles> {
        if self.plain.is_empty() {
            return None;
        }
        let mut files = HashMap::new();
        for (name, identity, digest) in self.plain {
            let digest = digest.unwrap_or_else(|| hex::encode(Sha256::digest(&identity)));
            let content_type = mime_guess::from_path(&name)
                .first_raw()
                .map(HeaderValue::from_static)
                .unwrap_or_else(|| HeaderValue::from_static("application/octet-stream"));
            let asset = Asset {
                brotli: self.compressed.remove(&format!("{name}.br")),
                gzip: self.compressed.remove(&format!("{name}.gz")),
                immutable: is_hashed_name(&name),
                identity,
                content_type,
                digest,
            };
            files.insert(name, asset);
        }
        Some(ConsoleFiles { files, origin })
    }
}

fn read_dir_into(
    root: &Path,
    dir: &Path,
    depth: usize,
    builder: &mut Builder,
    total: &mut u64,
) -> Result<(), ConsoleFilesError> {
    let read_error = |path: &Path, source| ConsoleFilesError::Read {
        path: path.display().to_string(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(|e| read_error(dir, e))? {
        let path = entry.map_err(|e| read_error(dir, e))?.path();
        if path.is_dir() {
            if depth < MAX_DEPTH {
                read_dir_into(root, &path, depth + 1, builder, total)?;
            }
            continue;
        }
        let Some(name) = path
            .strip_prefix(root)
            .ok()
            .and_then(|p| p.to_str())
            .map(|p| p.replace('\\', "/"))
        else {
            continue;
        };
        let bytes = std::fs::read(&path).map_err(|e| read_error(&path, e))?;
        *total += bytes.len() as u64;
        if *total > MAX_TOTAL_BYTES {
            return Err(ConsoleFilesError::TooLarge {
                path: root.display().to_string(),
            });
        }
        builder.add(name, Bytes::from(bytes), None);
    }
    Ok(())
}

/// Trunk's content hash: 16 lowercase hex digits.
/// Trunk's content hash: a 64-bit hash written as lower-case hex *without leading zeros*
/// (`format!("{:x}")`), so 16 digits most of the time and fewer one time in sixteen
/// (`main-a35e43f24c05ec.css`). Fewer than 8 digits (one chance in 4 billion) is not taken for a
/// hash: such a file is only revalidated, never wrongly cached.
fn is_trunk_hash(s: &str) -> bool {
    (8..=16).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Whether a file name carries Trunk's content hash (`main-5e356458cfdbb591.css`,
/// `app-c644581a22d36a5f_bg.wasm`): such a name never names other content.
fn is_hashed_name(name: &str) -> bool {
    let base = name.rsplit('/').next().unwrap_or(name);
    base.match_indices('-').any(|(i, _)| {
        let rest = &base[i + 1..];
        let end = rest.find(['.', '_']).unwrap_or(rest.len());
        end < rest.len() && is_trunk_hash(&rest[..end])
    })
}

/// The coding to send, from the request's `Accept-Encoding` (RFC 9110 §12.5.3) and the copies
/// we have: the highest `q` wins, ties go to the smaller (brotli, then gzip). `identity` is
/// acceptable unless refused, but only as the last choice; when everything is refused we send
/// identity anyway (allowed, and more useful than a 406).
pub fn choose_coding(accept: Option<&str>, have_brotli: bool, have_gzip: bool) -> Coding {
    let Some(accept) = accept else {
        return Coding::Identity;
    };
    let (mut br, mut gzip, mut identity, mut star) = (None, None, None, None);
    for item in accept.split(',') {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let mut q = 1.0f32;
        for param in parts {
            let param = param.trim();
            if let Some(v) = param
                .strip_prefix("q=")
                .or_else(|| param.strip_prefix("Q="))
            {
                q = v.trim().parse().unwrap_or(0.0);
            }
        }
        let slot = match name.as_str() {
            "br" => &mut br,
            "gzip" | "x-gzip" => &mut gzip,
            "identity" => &mut identity,
            "*" => &mut star,
            _ => continue,
        };
        *slot = Some(q);
    }
    let weight = |explicit: Option<f32>, available: bool| {
        if available {
            explicit.or(star).unwrap_or(0.0)
        } else {
            0.0
        }
    };
    let candidates = [
        (Coding::Brotli, weight(br, have_brotli)),
        (Coding::Gzip, weight(gzip, have_gzip)),
        (Coding::Identity, identity.or(star).map_or(0.001, |q| q)),
    ];
    candidates
        .into_iter()
        .filter(|(_, q)| *q > 0.0)
        .fold(None, |best: Option<(Coding, f32)>, (c, q)| match best {
            Some((_, bq)) if bq >= q => best,
            _ => Some((c, q)),
        })
        .map_or(Coding::Identity, |(c, _)| c)
}

fn if_none_match(request: &HeaderMap, etag: &str) -> bool {
    request
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|t| t == "*" || t.trim_start_matches("W/") == etag)
}

/// The files carried in the binary (the `embed-console` feature), each with its SHA-256.
#[cfg(feature = "embed-console")]
mod embedded {
    use bytes::Bytes;
    use std::borrow::Cow;

    // The path is relative to this crate: the workspace's `dist/`, which `make console` builds
    // (with `.br`/`.gz` copies) before the server is compiled.
    #[derive(rust_embed::RustEmbed)]
    #[folder = "../../dist/"]
    struct Dist;

    pub fn files() -> Vec<(String, Bytes, String)> {
        Dist::iter()
            .filter_map(|name| {
                let file = Dist::get(&name)?;
                let digest = hex::encode(file.metadata.sha256_hash());
                let bytes = match file.data {
                    Cow::Borrowed(b) => Bytes::from_static(b),
                    Cow::Owned(v) => Bytes::from(v),
                };
                Some((name.into_owned(), bytes, digest))
            })
            .collect()
    }
}

#[cfg(not(feature = "embed-console"))]
mod embedded {
    use bytes::Bytes;

    /// Built without `embed-console`: nothing carried.
    pub fn files() -> Vec<(String, Bytes, String)> {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_best_coding_the_browser_accepts() {
        // What Chromium sends over https, and over plain http.
        assert_eq!(
            choose_coding(Some("gzip, deflate, br, zstd"), true, true),
            Coding::Brotli
        );
        assert_eq!(
            choose_coding(Some("gzip, deflate"), true, true),
            Coding::Gzip
        );
        assert_eq!(choose_coding(None, true, true), Coding::Identity);
        assert_eq!(
            choose_coding(Some("gzip, br"), false, true),
            Coding::Gzip,
            "only the copies we have"
        );
        assert_eq!(
            choose_coding(Some("br;q=0.5, gzip;q=0.8"), true, true),
            Coding::Gzip
        );
        assert_eq!(
            choose_coding(Some("br;q=0, gzip;q=0"), true, true),
            Coding::Identity
        );
        assert_eq!(choose_coding(Some("*"), true, true), Coding::Brotli);
        assert_eq!(
            choose_coding(Some("identity;q=1, br;q=0.2"), true, true),
            Coding::Identity
        );
        assert_eq!(
            choose_coding(Some("BR;Q=1"), true, false),
            Coding::Brotli,
            "case does not matter"
        );
        assert_eq!(
            choose_coding(Some("identity;q=0, *;q=0"), true, true),
            Coding::Identity,
            "nothing acceptable: identity anyway"
        );
        assert_eq!(choose_coding(Some("deflate"), true, true), Coding::Identity);
    }

    #[test]
    fn only_trunk_hashed_names_are_immutable() {
        assert!(is_hashed_name("main-5e356458cfdbb591.css"));
        assert!(is_hashed_name(
            "schoolbridge-console-c644581a22d36a5f_bg.wasm"
        ));
        assert!(is_hashed_name("snippets/x-0123456789abcdef.js"));
        assert!(!is_hashed_name("index.html"));
        assert!(!is_hashed_name("favicon.ico"));
        assert!(!is_hashed_name("main-5E356458CFDBB591.css"));
        // Trunk drops leading zeros: 14 digits is a hash too (it failed the cache test once).
        assert!(is_hashed_name("main-a35e43f24c05ec.css"));
        assert!(!is_hashed_name("main-5e35645.css"));
        assert!(!is_hashed_name("main-5e356458cfdbb5910.css"));
        assert!(!is_hashed_name("main-5e356458cfdbb591"));
    }

    fn sample() -> ConsoleFiles {
        let mut b = Builder::default();
        b.add("index.html".into(), Bytes::from_static(b"<html>"), None);
        b.add(
            "app-0123456789abcdef_bg.wasm".into(),
            Bytes::from_static(b"raw wasm bytes"),
            None,
        );
        b.add(
            "app-0123456789abcdef_bg.wasm.br".into(),
            Bytes::from_static(b"br"),
            None,
        );
        b.add(
            "app-0123456789abcdef_bg.wasm.gz".into(),
            Bytes::from_static(b"gz!"),
            None,
        );
        b.finish(Origin::Embedded).unwrap()
    }

    fn get(files: &ConsoleFiles, path: &str, headers: &[(&str, &str)]) -> Response {
        let mut h = HeaderMap::new();
        for (k, v) in headers {
            h.insert(
                axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        files.respond(&Method::GET, path, &h).unwrap()
    }

    #[test]
    fn hashed_assets_go_out_compressed_and_cached_for_a_year() {
        let files = sample();
        assert_eq!(files.build_id().as_deref(), Some("0123456789abcdef"));
        assert!(files.has_compressed_copies());
        let r = get(
            &files,
            "app-0123456789abcdef_bg.wasm",
            &[("accept-encoding", "gzip, deflate, br, zstd")],
        );
        assert_eq!(r.status(), StatusCode::OK);
        let h = r.headers();
        assert_eq!(h[header::CONTENT_ENCODING], "br");
        assert_eq!(h[header::CONTENT_TYPE], "application/wasm");
        assert_eq!(h[header::CONTENT_LENGTH], "2");
        assert_eq!(h[header::VARY], "accept-encoding");
        assert_eq!(h[header::CACHE_CONTROL], IMMUTABLE);
        let br_etag = h[header::ETAG].to_str().unwrap().to_owned();

        let r = get(&files, "app-0123456789abcdef_bg.wasm", &[]);
        assert!(r.headers().get(header::CONTENT_ENCODING).is_none());
        assert_eq!(r.headers()[header::CONTENT_LENGTH], "14");
        assert_eq!(r.headers()[header::VARY], "accept-encoding");
        assert_ne!(r.headers()[header::ETAG], br_etag.as_str());

        let r = get(
            &files,
            "app-0123456789abcdef_bg.wasm",
            &[("accept-encoding", "br"), ("if-none-match", &br_etag)],
        );
        assert_eq!(r.status(), StatusCode::NOT_MODIFIED);

        let r = get(&files, "index.html", &[("accept-encoding", "br")]);
        assert_eq!(r.headers()[header::CACHE_CONTROL], REVALIDATE);
        assert!(r.headers().get(header::VARY).is_none());
        assert!(
            files
                .respond(&Method::GET, "nope.js", &HeaderMap::new())
                .is_none()
        );
        let r = files
            .respond(&Method::POST, "index.html", &HeaderMap::new())
            .unwrap();
        assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    }

    #[test]
    fn a_directory_without_a_build_is_missing_and_copies_pair_with_their_file() {
        let dir = tempfile::tempdir().unwrap();
        let files = ConsoleFiles::from_dir(dir.path()).unwrap();
        assert_eq!(files.origin, Origin::Missing(dir.path().to_owned()));
        std::fs::write(dir.path().join("index.html"), "<html>").unwrap();
        std::fs::write(dir.path().join("main-5e356458cfdbb591.css"), "body{}").unwrap();
        std::fs::write(dir.path().join("main-5e356458cfdbb591.css.gz"), "gz").unwrap();
        let files = ConsoleFiles::from_dir(dir.path()).unwrap();
        assert_eq!(files.origin, Origin::Directory(dir.path().to_owned()));
        assert_eq!(files.index_html(), Some(&b"<html>"[..]));
        let r = get(
            &files,
            "main-5e356458cfdbb591.css",
            &[("accept-encoding", "gzip, br")],
        );
        assert_eq!(r.headers()[header::CONTENT_ENCODING], "gzip");
        assert!(
            files
                .respond(
                    &Method::GET,
                    "main-5e356458cfdbb591.css.gz",
                    &HeaderMap::new()
                )
                .is_none(),
            "a copy is not a file of its own"
        );
    }
}
