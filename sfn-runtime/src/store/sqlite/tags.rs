//! The `tags` table: one row per resource and key. A key keeps its row (and so its place in the
//! listing) when its value is replaced.

use rusqlite::{params, Connection};

use crate::store::Tag;

/// Adds `tags` to `arn`, replacing the values of keys it has.
pub(super) fn put(conn: &Connection, arn: &str, tags: &[Tag]) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO tags (resource_arn, key, value) VALUES (?1, ?2, ?3) \
         ON CONFLICT (resource_arn, key) DO UPDATE SET value = excluded.value",
    )?;
    for tag in tags {
        stmt.execute(params![arn, tag.key, tag.value])?;
    }
    Ok(())
}

/// Removes the tags of `arn` with these keys.
pub(super) fn remove(conn: &Connection, arn: &str, keys: &[String]) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached("DELETE FROM tags WHERE resource_arn = ?1 AND key = ?2")?;
    for key in keys {
        stmt.execute(params![arn, key])?;
    }
    Ok(())
}

/// Removes every tag of `arn`.
pub(super) fn remove_all(conn: &Connection, arn: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM tags WHERE resource_arn = ?1")?
        .execute([arn])
        .map(|_| ())
}

/// The tags of `arn`, in the order their keys were added.
pub(super) fn list(conn: &Connection, arn: &str) -> rusqlite::Result<Vec<Tag>> {
    let mut stmt =
        conn.prepare_cached("SELECT key, value FROM tags WHERE resource_arn = ?1 ORDER BY rowid")?;
    let rows = stmt.query_map([arn], |r| {
        Ok(Tag {
            key: r.get(0)?,
            value: r.get(1)?,
        })
    })?;
    rows.collect()
}
