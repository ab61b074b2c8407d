//! Where trusted roots come from, the same for every backend: `ca_file`, `ca_dir` and, under
//! `VerifyMode::PeerUseEnvVars`, `SSL_CERT_FILE` / `SSL_CERT_DIR`. For backends: they only
//! parse PEM (and word their own parse errors); which files are read, in which order, and
//! what is skipped or an error is decided here, once.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::error::TlsError;
use crate::options::{ContextOptions, VerifyMode};

/// The variable naming a CA file under `VerifyMode::PeerUseEnvVars`.
pub const CERT_FILE_ENV: &str = "SSL_CERT_FILE";
/// The variable naming CA directories (`:`-separated, as OpenSSL reads it).
pub const CERT_DIR_ENV: &str = "SSL_CERT_DIR";

/// The most a certificate, key or CA file may hold: ten times the largest system CA bundle,
/// so that a wrong path (`/dev/zero`, a disk image) is an error, not all of memory.
///
/// ```
/// assert_eq!(net::tls::MAX_FILE_SIZE, 16 << 20);
/// ```
pub const MAX_FILE_SIZE: u64 = 16 << 20;

/// For backends: reads a file of at most [`MAX_FILE_SIZE`] bytes, naming it in the error
/// (`what` is "CA file", "certificate file", "key file"...), as [`TlsError::File`].
///
/// ```
/// let err = net::tls::read_file("CA file", std::path::Path::new("/nonexistent.pem")).unwrap_err();
/// assert_eq!(err.to_string(), "could not load CA file \"/nonexistent.pem\"");
/// let why = std::error::Error::source(&err).unwrap();
/// assert_eq!(why.downcast_ref::<std::io::Error>().unwrap().kind(), std::io::ErrorKind::NotFound);
/// let endless = net::tls::read_file("certificate file", std::path::Path::new("/dev/zero")).unwrap_err();
/// assert!(std::error::Error::source(&endless).unwrap().to_string().contains("larger than"));
/// ```
pub fn read_file(what: &'static str, path: &Path) -> Result<Vec<u8>, TlsError> {
    read_capped(path).map_err(|source| TlsError::File { what, path: path.to_owned(), source })
}

/// A file's contents, refused past [`MAX_FILE_SIZE`]: by its size when it has one, else
/// (a device, a pipe) after reading one byte more than the cap.
fn read_capped(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let too_large =
        || std::io::Error::new(std::io::ErrorKind::InvalidData, format!("larger than {} MiB", MAX_FILE_SIZE >> 20));
    let file = std::fs::File::open(path)?;
    let size = file.metadata()?.len();
    if size > MAX_FILE_SIZE {
        return Err(too_large());
    }
    let mut contents = Vec::with_capacity(size as usize);
    file.take(MAX_FILE_SIZE + 1).read_to_end(&mut contents)?;
    if contents.len() as u64 > MAX_FILE_SIZE {
        return Err(too_large());
    }
    Ok(contents)
}

/// For backends: the contents of every regular file of a CA directory (links followed), in
/// name order. Subdirectories, other non-regular entries and files that cannot be read are
/// skipped; a directory that cannot be listed is a [`TlsError::File`] ("CA directory").
///
/// ```
/// let dir = std::env::temp_dir().join(format!("net-tls-cadir-{}", std::process::id()));
/// std::fs::create_dir_all(dir.join("sub"))?;
/// std::fs::write(dir.join("b.pem"), "B")?;
/// std::fs::write(dir.join("a.pem"), "A")?;
/// let files = net::tls::ca_dir_files(&dir)?;
/// assert_eq!(files, [b"A".to_vec(), b"B".to_vec()]); // the subdirectory is not a file
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn ca_dir_files(dir: &Path) -> Result<Vec<Vec<u8>>, TlsError> {
    let entries = std::fs::read_dir(dir).map_err(|source| TlsError::File {
        what: "CA directory",
        path: dir.to_owned(),
        source,
    })?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    Ok(paths
        .into_iter()
        .filter(|p| std::fs::metadata(p).is_ok_and(|m| m.is_file()))
        .filter_map(|p| read_capped(&p).ok())
        .collect())
}

/// For backends: the places the options name for trusted roots.
///
/// Files and directories the options give must be usable; those from the environment add
/// nothing when they are missing, as in OpenSSL. Empty means "the system's roots"
/// ([`RootSources::system`]).
///
/// ```
/// use net::tls::{ContextOptions, RootSources};
/// let sources = RootSources::from_options(&ContextOptions::new().ca_file("ca.pem"));
/// assert_eq!(sources.files, [std::path::PathBuf::from("ca.pem")]);
/// assert!(RootSources::from_options(&ContextOptions::new()).is_empty());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RootSources {
    /// `ca_file`.
    pub files: Vec<PathBuf>,
    /// `ca_dir`.
    pub dirs: Vec<PathBuf>,
    /// `SSL_CERT_FILE`, under `PeerUseEnvVars`.
    pub env_files: Vec<PathBuf>,
    /// `SSL_CERT_DIR`, under `PeerUseEnvVars`.
    pub env_dirs: Vec<PathBuf>,
}

impl RootSources {
    /// The sources `options` name (reading the environment under `PeerUseEnvVars`): a
    /// variable that is unset or empty names nothing, and `SSL_CERT_DIR` is a `:`-separated
    /// list, as OpenSSL reads it, for every backend.
    ///
    /// ```
    /// use net::tls::{ContextOptions, RootSources, VerifyMode};
    /// let opts = ContextOptions::new().verify_mode(VerifyMode::None).ca_dir("/etc/ssl/certs");
    /// assert_eq!(RootSources::from_options(&opts).dirs.len(), 1);
    /// // (A doc example runs in its own process: changing the environment is harmless.)
    /// std::env::set_var("SSL_CERT_DIR", "/etc/ssl/certs:/usr/local/share/certs");
    /// std::env::set_var("SSL_CERT_FILE", "");
    /// let env = RootSources::from_options(&ContextOptions::new().verify_mode(VerifyMode::PeerUseEnvVars));
    /// assert_eq!(env.env_dirs.len(), 2);
    /// assert!(env.env_files.is_empty(), "an empty variable names nothing");
    /// ```
    pub fn from_options(options: &ContextOptions) -> RootSources {
        RootSources::from_options_and_env(options, |name| std::env::var_os(name))
    }

    /// [`RootSources::from_options`] with `env` standing for the process environment. A
    /// variable that is unset or empty names nothing; `SSL_CERT_DIR` is split at `:` and its
    /// empty parts are dropped.
    fn from_options_and_env(options: &ContextOptions, env: impl Fn(&str) -> Option<OsString>) -> RootSources {
        let mut sources = RootSources {
            files: options.ca_file.iter().cloned().collect(),
            dirs: options.ca_dir.iter().cloned().collect(),
            ..RootSources::default()
        };
        if options.verify_mode == VerifyMode::PeerUseEnvVars {
            let value = |name| env(name).filter(|v| !v.is_empty());
            sources.env_files.extend(value(CERT_FILE_ENV).map(PathBuf::from));
            if let Some(list) = value(CERT_DIR_ENV) {
                sources.env_dirs.extend(std::env::split_paths(&list).filter(|p| !p.as_os_str().is_empty()));
            }
        }
        sources
    }

    /// Whether the options name no source at all.
    ///
    /// ```
    /// assert!(net::tls::RootSources::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.files.is_empty() && self.dirs.is_empty() && self.env_files.is_empty() && self.env_dirs.is_empty()
    }

    /// Loads every certificate with the backend's PEM `parse`. `Ok(None)` when no source is
    /// named; `Ok(Some(empty))` when the sources hold nothing (whether that is an error,
    /// [`TlsError::NoCaCertificates`], depends on whether the context verifies). A named
    /// `ca_file` that is missing or holds no certificate, or a named `ca_dir` that cannot be
    /// read or holds no readable certificate, is a [`TlsError::File`] naming it.
    ///
    /// ```
    /// use net::tls::{ContextOptions, RootSources, TlsError};
    /// let parse = |pem: &[u8]| -> Result<Vec<Vec<u8>>, String> { Ok(vec![pem.to_vec()]) };
    /// assert!(RootSources::default().load(parse)?.is_none());
    /// let missing = RootSources::from_options(&ContextOptions::new().ca_file("/nonexistent.pem"));
    /// assert!(matches!(missing.load(parse), Err(TlsError::File { what: "CA file", .. })));
    /// # Ok::<(), TlsError>(())
    /// ```
    pub fn load<C>(&self, parse: impl Fn(&[u8]) -> Result<Vec<C>, String>) -> Result<Option<Vec<C>>, TlsError> {
        if self.is_empty() {
            return Ok(None);
        }
        let mut certs = Vec::new();
        for file in &self.files {
            let parsed = parse(&read_file("CA file", file)?).and_then(|c| {
                if c.is_empty() {
                    Err("no PEM certificate in the file".to_owned())
                } else {
                    Ok(c)
                }
            });
            certs.extend(parsed.map_err(|reason| TlsError::invalid_file("CA file", file, reason))?);
        }
        for dir in &self.dirs {
            let found: Vec<C> = ca_dir_files(dir)?.iter().filter_map(|pem| parse(pem).ok()).flatten().collect();
            if found.is_empty() {
                return Err(TlsError::invalid_file("CA directory", dir, "no readable certificate in the directory"));
            }
            certs.extend(found);
        }
        for file in &self.env_files {
            certs.extend(read_capped(file).ok().and_then(|pem| parse(&pem).ok()).unwrap_or_default());
        }
        for dir in &self.env_dirs {
            let files = ca_dir_files(dir).unwrap_or_default();
            certs.extend(files.iter().filter_map(|pem| parse(pem).ok()).flatten());
        }
        Ok(Some(certs))
    }
}

/// The usual places of the system's CA bundle (the list openssl-probe and Go search), most
/// common first: Debian and Ubuntu, Fedora and RHEL, openSUSE, Alpine, the BSDs.
const SYSTEM_BUNDLES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/pki/tls/cacert.pem",
    "/etc/ssl/cert.pem",
    "/usr/local/share/certs/ca-root-nss.crt",
    "/usr/local/etc/openssl/cert.pem",
];

/// The usual system CA directories, for a system without a bundle.
const SYSTEM_DIRS: &[&str] = &["/etc/ssl/certs", "/etc/pki/tls/certs", "/usr/local/share/certs", "/etc/openssl/certs"];

impl RootSources {
    /// For backends: where the system keeps its trusted roots, which every backend trusts
    /// when the options name no root (and do not ask for [`ContextOptions::bundled_roots`]):
    /// the first CA bundle file found in the usual places, else the first usual directory
    /// that exists. Empty when there is neither. Never the environment: `SSL_CERT_FILE` and
    /// `SSL_CERT_DIR` count under `VerifyMode::PeerUseEnvVars` only, on every backend.
    ///
    /// ```
    /// let system = net::tls::RootSources::system();
    /// assert!(system.files.len() + system.dirs.len() <= 1);
    /// assert!(system.env_files.is_empty() && system.env_dirs.is_empty());
    /// ```
    pub fn system() -> RootSources {
        let bundle = SYSTEM_BUNDLES.iter().map(Path::new).find(|p| p.is_file());
        let dir = || SYSTEM_DIRS.iter().map(Path::new).find(|p| p.is_dir());
        match bundle {
            Some(file) => RootSources { files: vec![file.to_owned()], ..RootSources::default() },
            None => RootSources { dirs: dir().into_iter().map(Path::to_owned).collect(), ..RootSources::default() },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("net-tls-roots-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// A stand-in parser: every line starting with "CERT" is a certificate.
    fn parse(pem: &[u8]) -> Result<Vec<String>, String> {
        let text = std::str::from_utf8(pem).map_err(|e| e.to_string())?;
        Ok(text.lines().filter(|l| l.starts_with("CERT")).map(str::to_owned).collect())
    }

    #[test]
    fn files_dirs_and_hostile_entries() {
        let dir = scratch("mixed");
        std::fs::write(dir.join("one.pem"), "CERT 1\nCERT 2\n").unwrap();
        std::fs::write(dir.join("junk.bin"), [0xff, 0xfe, 0x00]).unwrap();
        std::fs::write(dir.join("empty.pem"), "").unwrap();
        std::fs::create_dir_all(dir.join("nested")).unwrap();
        std::fs::write(dir.join("nested").join("deep.pem"), "CERT deep\n").unwrap();
        let sources = RootSources { dirs: vec![dir.clone()], ..RootSources::default() };
        assert_eq!(sources.load(parse).unwrap().unwrap(), ["CERT 1", "CERT 2"]);

        let empty_file = RootSources { files: vec![dir.join("empty.pem")], ..RootSources::default() };
        let err = empty_file.load(parse).unwrap_err();
        assert!(err.to_string().starts_with("could not load CA file "), "{err}");
        let why = std::error::Error::source(&err).map(ToString::to_string).unwrap_or_default();
        assert!(why.contains("no PEM certificate"), "{why}");

        let junk_dir = scratch("junk");
        std::fs::write(junk_dir.join("x"), "nothing here").unwrap();
        let nothing = RootSources { dirs: vec![junk_dir.clone()], ..RootSources::default() };
        let err = nothing.load(parse).unwrap_err();
        assert!(matches!(&err, TlsError::File { what: "CA directory", path, .. } if *path == junk_dir), "{err}");
        let why = std::error::Error::source(&err).map(ToString::to_string).unwrap_or_default();
        assert_eq!(why, "no readable certificate in the directory");

        let missing_dir = RootSources { dirs: vec![dir.join("absent")], ..RootSources::default() };
        assert!(matches!(missing_dir.load(parse), Err(TlsError::File { what: "CA directory", .. })));

        // From the environment, what is missing adds nothing.
        let env = RootSources {
            env_files: vec![dir.join("absent.pem")],
            env_dirs: vec![dir.join("absent"), dir.clone()],
            ..RootSources::default()
        };
        assert_eq!(env.load(parse).unwrap().unwrap().len(), 2);
        let env_only_missing = RootSources { env_files: vec![dir.join("absent.pem")], ..RootSources::default() };
        assert!(env_only_missing.load(parse).unwrap().unwrap().is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
        std::fs::remove_dir_all(&junk_dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn unreadable_and_odd_directory_entries_are_skipped() {
        use std::os::unix::fs::PermissionsExt;
        let dir = scratch("odd");
        std::fs::write(dir.join("a.pem"), "CERT a\n").unwrap();
        // Mode 000: unreadable, except to a privileged user (tests may run as root).
        let locked = dir.join("b.pem");
        std::fs::write(&locked, "CERT b\n").unwrap();
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
        let privileged = std::fs::read(&locked).is_ok();
        std::os::unix::fs::symlink(dir.join("absent.pem"), dir.join("c-dangling.pem")).unwrap();
        std::os::unix::fs::symlink(dir.join("a.pem"), dir.join("d-link.pem")).unwrap();
        std::fs::create_dir_all(dir.join("e-subdir.pem")).unwrap();
        std::fs::write(dir.join("e-subdir.pem").join("inner.pem"), "CERT inner\n").unwrap();
        // A socket file: not a regular file, and reading it would fail.
        let _socket = std::os::unix::net::UnixListener::bind(dir.join("f.sock")).unwrap();
        std::fs::write(dir.join("g.pem"), "CERT g\n").unwrap();

        let mut expected: Vec<&[u8]> = vec![b"CERT a\n"];
        if privileged {
            expected.push(b"CERT b\n");
        }
        expected.extend([&b"CERT a\n"[..], b"CERT g\n"]); // the link is followed
        assert_eq!(ca_dir_files(&dir).unwrap(), expected);

        // A named CA file that cannot be read is an error naming it.
        let sources = RootSources { files: vec![locked.clone()], ..RootSources::default() };
        match sources.load(parse) {
            Ok(certs) => assert!(privileged && certs == Some(vec!["CERT b".to_owned()]), "{certs:?}"),
            Err(err) => assert!(matches!(&err, TlsError::File { what: "CA file", path, .. } if *path == locked)),
        }
        // So is a directory or a dangling link given as a file, and a file given as a directory.
        let err = read_file("CA file", &dir).unwrap_err();
        assert!(matches!(&err, TlsError::File { what: "CA file", path, .. } if *path == dir), "{err}");
        let err = read_file("CA file", &dir.join("c-dangling.pem")).unwrap_err();
        assert!(matches!(err, TlsError::File { what: "CA file", .. }), "{err}");
        let err = ca_dir_files(&dir.join("a.pem")).unwrap_err();
        assert!(matches!(err, TlsError::File { what: "CA directory", .. }), "{err}");
        // From the environment, none of that is an error: it adds nothing.
        let env = RootSources {
            env_files: vec![dir.clone(), dir.join("c-dangling.pem")],
            env_dirs: vec![dir.join("a.pem")],
            ..RootSources::default()
        };
        assert!(env.load(parse).unwrap().unwrap().is_empty());
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o600)).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn files_are_read_with_a_cap() {
        let dir = scratch("cap");
        // A sparse file: large by its size, nothing on disk; refused without being read.
        let sparse = dir.join("sparse.pem");
        std::fs::File::create(&sparse).unwrap().set_len(1 << 40).unwrap();
        let exact = dir.join("exact.pem");
        std::fs::File::create(&exact).unwrap().set_len(MAX_FILE_SIZE).unwrap();
        for (path, what) in [(sparse.as_path(), "CA file"), (Path::new("/dev/zero"), "key file")] {
            let err = read_file(what, path).unwrap_err();
            assert!(matches!(&err, TlsError::File { what: w, path: p, .. } if w == &what && p == path), "{err}");
            let why = std::error::Error::source(&err).unwrap().to_string();
            assert_eq!(why, "larger than 16 MiB");
        }
        assert_eq!(read_file("CA file", &exact).unwrap().len() as u64, MAX_FILE_SIZE);
        // In a CA directory, an oversized file is skipped like an unreadable one.
        std::fs::write(dir.join("a.pem"), "CERT a\n").unwrap();
        std::fs::remove_file(&exact).unwrap();
        assert_eq!(ca_dir_files(&dir).unwrap(), [b"CERT a\n".to_vec()]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn which_sources_the_options_and_the_environment_name() {
        let env_opts = || ContextOptions::new().verify_mode(VerifyMode::PeerUseEnvVars);
        let vars = |file: &'static str, dirs: &'static str| {
            move |name: &str| match name {
                CERT_FILE_ENV => Some(OsString::from(file)),
                CERT_DIR_ENV => Some(OsString::from(dirs)),
                _ => None,
            }
        };
        // Unset and empty variables name nothing: the backend's own roots.
        assert!(RootSources::from_options_and_env(&env_opts(), |_| None).is_empty());
        assert!(RootSources::from_options_and_env(&env_opts(), vars("", "")).is_empty());
        // SSL_CERT_DIR is split at ':', empty parts dropped; SSL_CERT_FILE is one path.
        let both = RootSources::from_options_and_env(&env_opts(), vars("/x/ca.pem", ":/a::/b:"));
        assert_eq!(both.env_files, [PathBuf::from("/x/ca.pem")]);
        assert_eq!(both.env_dirs, [PathBuf::from("/a"), PathBuf::from("/b")]);
        let only_colons = RootSources::from_options_and_env(&env_opts(), vars("", ":::"));
        assert!(only_colons.is_empty(), "{only_colons:?}");
        // Only PeerUseEnvVars reads the variables.
        for mode in [VerifyMode::Peer, VerifyMode::None] {
            let opts = ContextOptions::new().verify_mode(mode);
            assert!(RootSources::from_options_and_env(&opts, vars("/x/ca.pem", "/a")).is_empty(), "{mode:?}");
        }
        // The options' own file and directory come first, whatever the mode.
        let given = env_opts().ca_file("/given/ca.pem").ca_dir("/given/dir");
        let sources = RootSources::from_options_and_env(&given, vars("/x/ca.pem", "/a"));
        assert_eq!(sources.files, [PathBuf::from("/given/ca.pem")]);
        assert_eq!(sources.dirs, [PathBuf::from("/given/dir")]);
        assert_eq!((sources.env_files.len(), sources.env_dirs.len()), (1, 1));
    }
}
