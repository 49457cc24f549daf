//! The object store a distributed Map reads its items from (`ItemReader`) and writes its
//! results to (`ResultWriter`): buckets of keyed objects, as S3 holds them.
//!
//! [`LocalObjectStore`] keeps them in a folder: a bucket is a sub-folder, a key a relative path.
//!
//! ```
//! use sfn_runtime::{LocalObjectStore, ObjectStore};
//! let dir = std::env::temp_dir().join(format!("sfn-objects-doc-{}", std::process::id()));
//! let store = LocalObjectStore::new(&dir);
//! store.put("bucket", "data/items.json", b"[1, 2]").unwrap();
//! assert_eq!(store.get("bucket", "data/items.json").unwrap(), b"[1, 2]");
//! assert_eq!(store.list("bucket", "data/").unwrap()[0].key, "data/items.json");
//! assert!(store.get("bucket", "../escape").is_err());
//! # std::fs::remove_dir_all(&dir).unwrap();
//! ```

use std::fmt::Debug;
use std::path::{Component, Path, PathBuf};

/// Why an object could not be read, listed or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ObjectStoreError {
    /// No object has this key (S3's `NoSuchKey`).
    #[error("the key `{key}` does not exist in bucket `{bucket}`")]
    NoSuchKey {
        /// The bucket.
        bucket: String,
        /// The key.
        key: String,
    },
    /// The bucket or key names a place outside the store (`..`, an absolute path, empty).
    #[error("invalid object name `{0}`")]
    InvalidName(String),
    /// The underlying storage failed.
    #[error("object storage failed: {0}")]
    Io(String),
}

/// One object of a listing (`ListObjectsV2`'s `Contents` entry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectInfo {
    /// The key.
    pub key: String,
    /// Size in bytes.
    pub size: u64,
    /// The entity tag, when the store has one.
    pub etag: Option<String>,
    /// Last modification, ms since the Unix epoch.
    pub last_modified_ms: u64,
}

/// Buckets of keyed objects. Implementations must be usable from many executions at once.
pub trait ObjectStore: Send + Sync + Debug {
    /// The object's bytes.
    fn get(&self, bucket: &str, key: &str) -> Result<Vec<u8>, ObjectStoreError>;
    /// Writes (or replaces) an object.
    fn put(&self, bucket: &str, key: &str, body: &[u8]) -> Result<(), ObjectStoreError>;
    /// The objects whose key starts with `prefix`, in key order.
    fn list(&self, bucket: &str, prefix: &str) -> Result<Vec<ObjectInfo>, ObjectStoreError>;
    /// Whether the store holds `bucket`. An engine with AWS clients (the `aws` feature) reads
    /// and writes a bucket the store does not hold on Amazon S3; without them the store
    /// answers every bucket. Default: every bucket.
    fn has_bucket(&self, bucket: &str) -> bool {
        let _ = bucket;
        true
    }
}

/// An [`ObjectStore`] in a folder: bucket = sub-folder, key = path relative to it.
#[derive(Debug, Clone)]
pub struct LocalObjectStore {
    root: PathBuf,
}

impl LocalObjectStore {
    /// A store rooted at `root` (created on the first write).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        LocalObjectStore { root: root.into() }
    }

    /// The file of an object; bucket and key may not leave the root.
    fn path(&self, bucket: &str, key: &str) -> Result<PathBuf, ObjectStoreError> {
        let bucket_dir = self.bucket_dir(bucket)?;
        let rel = Path::new(key);
        if key.is_empty() || !rel.components().all(|c| matches!(c, Component::Normal(_))) {
            return Err(ObjectStoreError::InvalidName(key.to_owned()));
        }
        Ok(bucket_dir.join(rel))
    }

    fn bucket_dir(&self, bucket: &str) -> Result<PathBuf, ObjectStoreError> {
        let mut parts = Path::new(bucket).components();
        match (parts.next(), parts.next()) {
            (Some(Component::Normal(_)), None) => Ok(self.root.join(bucket)),
            _ => Err(ObjectStoreError::InvalidName(bucket.to_owned())),
        }
    }
}

fn io_error(e: std::io::Error) -> ObjectStoreError {
    ObjectStoreError::Io(e.to_string())
}

impl ObjectStore for LocalObjectStore {
    fn get(&self, bucket: &str, key: &str) -> Result<Vec<u8>, ObjectStoreError> {
        let path = self.path(bucket, key)?;
        std::fs::read(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound | std::io::ErrorKind::IsADirectory => {
                ObjectStoreError::NoSuchKey {
                    bucket: bucket.to_owned(),
                    key: key.to_owned(),
                }
            }
            _ => io_error(e),
        })
    }

    fn put(&self, bucket: &str, key: &str, body: &[u8]) -> Result<(), ObjectStoreError> {
        let path = self.path(bucket, key)?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io_error)?;
        }
        std::fs::write(&path, body).map_err(io_error)
    }

    /// A bucket is held when its folder exists.
    fn has_bucket(&self, bucket: &str) -> bool {
        self.bucket_dir(bucket).is_ok_and(|d| d.is_dir())
    }

    fn list(&self, bucket: &str, prefix: &str) -> Result<Vec<ObjectInfo>, ObjectStoreError> {
        let bucket_dir = self.bucket_dir(bucket)?;
        let mut out = Vec::new();
        // Iterative walk: a deep folder tree cannot exhaust the stack.
        let mut stack = vec![(bucket_dir, String::new())];
        while let Some((dir, rel)) = stack.pop() {
            let entries = match std::fs::read_dir(&dir) {
                Ok(e) => e,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(io_error(e)),
            };
            for entry in entries {
                let entry = entry.map_err(io_error)?;
                let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                    continue;
                };
                let key = if rel.is_empty() {
                    name
                } else {
                    format!("{rel}/{name}")
                };
                let meta = entry.metadata().map_err(io_error)?;
                if meta.is_dir() {
                    stack.push((entry.path(), key));
                } else if key.starts_with(prefix) {
                    let last_modified_ms = meta
                        .modified()
                        .ok()
                        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
                    out.push(ObjectInfo {
                        key,
                        size: meta.len(),
                        etag: None,
                        last_modified_ms,
                    });
                }
            }
        }
        out.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_cannot_leave_the_root() {
        let store = LocalObjectStore::new("/nonexistent-root");
        for key in ["../x", "/etc/passwd", "a/../../x", ""] {
            assert!(
                matches!(store.get("b", key), Err(ObjectStoreError::InvalidName(_))),
                "{key}"
            );
        }
        for bucket in ["..", "a/b", "/abs", ""] {
            assert!(
                matches!(
                    store.list(bucket, ""),
                    Err(ObjectStoreError::InvalidName(_))
                ),
                "{bucket}"
            );
        }
    }

    #[test]
    fn a_missing_key_is_no_such_key() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalObjectStore::new(dir.path());
        assert!(matches!(
            store.get("b", "k"),
            Err(ObjectStoreError::NoSuchKey { .. })
        ));
        assert_eq!(store.list("b", "").unwrap(), vec![]);
        assert!(!store.has_bucket("b"));
        store.put("b", "k", b"1").unwrap();
        assert!(store.has_bucket("b") && !store.has_bucket("other") && !store.has_bucket(".."));
    }
}
