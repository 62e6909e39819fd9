//! What tables and columns a database holds, read from its own catalog, so that a backup covers
//! every table (a table added by a later migration included) without a list to keep up to date.

use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr, Statement};
use std::collections::{BTreeMap, BTreeSet};

/// How a column's values travel through a backup file. Both databases map onto these; the file
/// holds one form per class, so a dump from either restores onto either.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Class {
    Bool,
    Int32,
    Int64,
    Float,
    Text,
    /// An instant, kept in the file as RFC 3339 in UTC to the microsecond.
    Timestamp,
    /// A calendar date, `YYYY-MM-DD`.
    Date,
}

impl Class {
    /// From the type a column was declared with: PostgreSQL's `data_type` or SQLite's
    /// declared type (which SeaORM writes as, e.g., `timestamp_with_timezone_text`).
    fn of(declared: &str) -> Self {
        let t = declared.to_ascii_lowercase();
        if t.contains("bool") {
            Class::Bool
        } else if t.contains("timestamp") || t.contains("datetime") {
            Class::Timestamp
        } else if t.starts_with("date") {
            Class::Date
        } else if t.contains("bigint") || t == "int8" {
            Class::Int64
        } else if t.contains("int") {
            Class::Int32
        } else if ["real", "double", "float", "numeric", "decimal"]
            .iter()
            .any(|n| t.contains(n))
        {
            Class::Float
        } else {
            Class::Text
        }
    }
}

#[derive(Clone, Debug)]
pub(super) struct Column {
    pub name: String,
    pub class: Class,
}

#[derive(Clone, Debug)]
pub(super) struct Table {
    pub name: String,
    pub columns: Vec<Column>,
    /// The primary key's columns, in key order: rows are read in this order so that the same
    /// data gives the same checksum on either database.
    pub key: Vec<String>,
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// Quotes an identifier the catalog gave us.
pub(super) fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Every table but the migration ledger (the file records the schema version instead), parents
/// before the tables whose foreign keys point at them.
pub(super) async fn tables(conn: &impl ConnectionTrait) -> Result<Vec<Table>, DbErr> {
    let backend = conn.get_database_backend();
    let (names, mut columns, mut keys, parents) = match backend {
        DatabaseBackend::Postgres => postgres_catalog(conn).await?,
        _ => sqlite_catalog(conn).await?,
    };
    let tables: BTreeMap<String, Table> = names
        .into_iter()
        .map(|name| {
            let table = Table {
                columns: columns.remove(&name).unwrap_or_default(),
                key: keys.remove(&name).unwrap_or_default(),
                name: name.clone(),
            };
            (name, table)
        })
        .collect();
    Ok(parents_first(tables, &parents))
}

type Catalog = (
    Vec<String>,
    BTreeMap<String, Vec<Column>>,
    BTreeMap<String, Vec<String>>,
    BTreeMap<String, BTreeSet<String>>,
);

/// Runs a catalog query whose `width` columns are all text.
async fn strings(
    conn: &impl ConnectionTrait,
    sql: &str,
    width: usize,
) -> Result<Vec<Vec<String>>, DbErr> {
    let backend = conn.get_database_backend();
    let rows = conn
        .query_all(Statement::from_string(backend, sql.to_owned()))
        .await?;
    rows.iter()
        .map(|row| (0..width).map(|i| row.try_get_by_index(i)).collect())
        .collect()
}

async fn postgres_catalog(conn: &impl ConnectionTrait) -> Result<Catalog, DbErr> {
    let names = strings(
        conn,
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
           AND table_name <> 'seaql_migrations' ORDER BY 1",
        1,
    )
    .await?
    .into_iter()
    .filter_map(|row| row.into_iter().next())
    .collect();
    let mut columns: BTreeMap<String, Vec<Column>> = BTreeMap::new();
    for row in strings(
        conn,
        "SELECT table_name::text, column_name::text, data_type::text FROM information_schema.columns \
         WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position",
        3,
    )
    .await?
    {
        if let [table, name, declared] = row.as_slice() {
            columns.entry(table.clone()).or_default().push(Column {
                name: name.clone(),
                class: Class::of(declared),
            });
        }
    }
    let mut keys: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in strings(
        conn,
        "SELECT kcu.table_name::text, kcu.column_name::text \
         FROM information_schema.table_constraints tc \
         JOIN information_schema.key_column_usage kcu \
           ON tc.constraint_name = kcu.constraint_name AND tc.table_schema = kcu.table_schema \
          AND tc.table_name = kcu.table_name \
         WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = current_schema() \
         ORDER BY kcu.table_name, kcu.ordinal_position",
        2,
    )
    .await?
    {
        if let [table, column] = row.as_slice() {
            keys.entry(table.clone()).or_default().push(column.clone());
        }
    }
    let mut parents: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for row in strings(
        conn,
        "SELECT DISTINCT tc.table_name::text, ccu.table_name::text \
         FROM information_schema.table_constraints tc \
         JOIN information_schema.constraint_column_usage ccu \
           ON tc.constraint_name = ccu.constraint_name AND tc.table_schema = ccu.table_schema \
         WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = current_schema()",
        2,
    )
    .await?
    {
        if let [child, parent] = row.as_slice() {
            parents
                .entry(child.clone())
                .or_default()
                .insert(parent.clone());
        }
    }
    Ok((names, columns, keys, parents))
}

async fn sqlite_catalog(conn: &impl ConnectionTrait) -> Result<Catalog, DbErr> {
    let names: Vec<String> = strings(
        conn,
        "SELECT name FROM sqlite_master WHERE type = 'table' \
           AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> 'seaql_migrations' ORDER BY 1",
        1,
    )
    .await?
    .into_iter()
    .filter_map(|row| row.into_iter().next())
    .collect();
    let backend = conn.get_database_backend();
    let mut columns = BTreeMap::new();
    let mut keys = BTreeMap::new();
    let mut parents = BTreeMap::new();
    for name in &names {
        let info = conn
            .query_all(Statement::from_sql_and_values(
                backend,
                "SELECT name, type, pk FROM pragma_table_info(?) ORDER BY cid",
                [name.clone().into()],
            ))
            .await?;
        let mut table_columns = Vec::new();
        let mut key: Vec<(i64, String)> = Vec::new();
        for row in info {
            let column: String = row.try_get_by_index(0)?;
            let declared: String = row.try_get_by_index(1)?;
            let position: i64 = row.try_get_by_index(2)?;
            if position > 0 {
                key.push((position, column.clone()));
            }
            table_columns.push(Column {
                class: Class::of(&declared),
                name: column,
            });
        }
        key.sort();
        columns.insert(name.clone(), table_columns);
        keys.insert(name.clone(), key.into_iter().map(|(_, c)| c).collect());
        let references = conn
            .query_all(Statement::from_sql_and_values(
                backend,
                "SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(?)",
                [name.clone().into()],
            ))
            .await?;
        let mut set = BTreeSet::new();
        for row in references {
            set.insert(row.try_get_by_index::<String>(0)?);
        }
        parents.insert(name.clone(), set);
    }
    Ok((names, columns, keys, parents))
}

/// Orders tables so that each comes after the tables it references (a self-reference is
/// ignored; a cycle, which the schema does not have, keeps name order for what is left).
fn parents_first(
    mut tables: BTreeMap<String, Table>,
    parents: &BTreeMap<String, BTreeSet<String>>,
) -> Vec<Table> {
    let mut ordered = Vec::with_capacity(tables.len());
    while !tables.is_empty() {
        let ready: Vec<String> = tables
            .keys()
            .filter(|name| {
                parents.get(*name).is_none_or(|ps| {
                    ps.iter()
                        .all(|p| p == *name || !tables.contains_key(p.as_str()))
                })
            })
            .cloned()
            .collect();
        let next = if ready.is_empty() {
            tables.keys().next().cloned().into_iter().collect()
        } else {
            ready
        };
        for name in next {
            if let Some(table) = tables.remove(&name) {
                ordered.push(table);
            }
        }
    }
    ordered
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_types_of_both_databases_map_to_one_class() {
        for (declared, class) in [
            ("integer", Class::Int32),
            ("bigint", Class::Int64),
            ("boolean", Class::Bool),
            ("timestamp with time zone", Class::Timestamp),
            ("timestamp_with_timezone_text", Class::Timestamp),
            ("date", Class::Date),
            ("date_text", Class::Date),
            ("character varying", Class::Text),
            ("varchar(254)", Class::Text),
            ("text", Class::Text),
            ("double precision", Class::Float),
        ] {
            assert_eq!(Class::of(declared), class, "{declared}");
        }
    }

    #[test]
    fn parents_come_before_the_tables_that_reference_them() {
        let table = |name: &str| Table {
            name: name.to_owned(),
            columns: Vec::new(),
            key: Vec::new(),
        };
        let tables = ["comments", "projects", "tasks", "users"]
            .into_iter()
            .map(|n| (n.to_owned(), table(n)))
            .collect();
        let parents = BTreeMap::from([
            (
                "comments".to_owned(),
                BTreeSet::from(["tasks".to_owned(), "users".to_owned()]),
            ),
            (
                "tasks".to_owned(),
                BTreeSet::from(["projects".to_owned(), "tasks".to_owned()]),
            ),
            ("projects".to_owned(), BTreeSet::from(["users".to_owned()])),
        ]);
        let order: Vec<String> = parents_first(tables, &parents)
            .into_iter()
            .map(|t| t.name)
            .collect();
        assert_eq!(order, ["users", "projects", "tasks", "comments"]);
    }
}
