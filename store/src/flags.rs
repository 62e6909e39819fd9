//! Feature flags: where each of the release's features (`domain::Feature`) is on, changed by
//! `taskdeck flags` and the admin page without a redeploy, and read on requests through a
//! [`Flags`] cache so that asking costs no query.

use crate::db::Db;
use crate::entities::{feature_flag, feature_flag_account, user};
use crate::error::StoreError;
use crate::users::UserId;
use domain::{Email, Feature, FlagState};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, TransactionTrait};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, RwLock};

/// Every feature of this release and where it is on. Rows for flags this release no longer
/// has are left alone (an older or newer release may still read them).
pub async fn states(db: &Db) -> Result<Vec<FlagState>, StoreError> {
    let conn = db.lease().await?;
    let (everyone, accounts) = read(&*conn).await?;
    let mut emails: HashMap<UserId, String> = HashMap::new();
    let ids: HashSet<UserId> = accounts.values().flatten().copied().collect();
    if !ids.is_empty() {
        for model in user::Entity::find()
            .filter(user::Column::Id.is_in(ids))
            .all(&*conn)
            .await?
        {
            emails.insert(model.id, model.email);
        }
    }
    Ok(Feature::ALL
        .into_iter()
        .map(|feature| {
            let mut listed: Vec<String> = accounts
                .get(&feature)
                .into_iter()
                .flatten()
                .filter_map(|id| emails.get(id).cloned())
                .collect();
            listed.sort();
            FlagState {
                feature,
                everyone: everyone.contains(&feature),
                accounts: listed,
            }
        })
        .collect())
}

/// Turns a flag on for everyone, or off for everyone. Off is the kill switch: it also forgets
/// the accounts it was on for first, so nobody keeps the feature.
pub async fn set_everyone(db: &Db, feature: Feature, on: bool) -> Result<(), StoreError> {
    let conn = db.lease().await?;
    let txn = conn.begin().await?;
    upsert(&txn, feature, Some(on)).await?;
    if !on {
        feature_flag_account::Entity::delete_many()
            .filter(feature_flag_account::Column::Flag.eq(feature.as_str()))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// What came of turning a flag on or off for chosen accounts.
#[derive(Debug, PartialEq, Eq)]
pub enum AccountsChanged {
    Changed,
    /// No account has this email; nothing was changed for any of them.
    NoAccount(String),
    /// Off for chosen accounts while on for everyone would change nothing anyone notices:
    /// nothing was changed (turn it off for everyone instead).
    OnForEveryone,
}

/// Turns a flag on (or back off) for the accounts with these emails, leaving "everyone" as it
/// is. All or nothing: one unknown email changes nothing.
pub async fn set_for_accounts(
    db: &Db,
    feature: Feature,
    emails: &[Email],
    on: bool,
) -> Result<AccountsChanged, StoreError> {
    let conn = db.lease().await?;
    // The accounts are looked up before the transaction: on SQLite a transaction that reads and
    // then writes fails at its first write ("database is locked", whatever the busy timeout)
    // when another connection wrote in between; one that only writes waits its turn.
    let found: HashMap<String, UserId> = user::Entity::find()
        .filter(user::Column::Email.is_in(emails.iter().map(Email::as_str)))
        .all(&*conn)
        .await?
        .into_iter()
        .map(|model| (model.email, model.id))
        .collect();
    let mut ids = Vec::with_capacity(emails.len());
    for email in emails {
        match found.get(email.as_str()) {
            Some(&id) => ids.push(id),
            None => return Ok(AccountsChanged::NoAccount(email.as_str().to_owned())),
        }
    }
    if !on {
        let row = feature_flag::Entity::find_by_id(feature.as_str().to_owned())
            .one(&*conn)
            .await?;
        if row.is_some_and(|row| row.everyone) {
            return Ok(AccountsChanged::OnForEveryone);
        }
    }
    let txn = conn.begin().await?;
    upsert(&txn, feature, None).await?;
    for id in ids {
        if on {
            feature_flag_account::Entity::insert(feature_flag_account::ActiveModel {
                flag: Set(feature.as_str().to_owned()),
                user_id: Set(id),
            })
            .on_conflict(
                OnConflict::columns([
                    feature_flag_account::Column::Flag,
                    feature_flag_account::Column::UserId,
                ])
                .do_nothing()
                .to_owned(),
            )
            .do_nothing()
            .exec(&txn)
            .await?;
        } else {
            feature_flag_account::Entity::delete_many()
                .filter(feature_flag_account::Column::Flag.eq(feature.as_str()))
                .filter(feature_flag_account::Column::UserId.eq(id))
                .exec(&txn)
                .await?;
        }
    }
    txn.commit().await?;
    Ok(AccountsChanged::Changed)
}

/// Writes the flag's row, with `everyone` when given (else as it was, off for a new row).
async fn upsert<C: ConnectionTrait>(
    conn: &C,
    feature: Feature,
    everyone: Option<bool>,
) -> Result<(), StoreError> {
    let mut update = vec![feature_flag::Column::UpdatedAt];
    if everyone.is_some() {
        update.push(feature_flag::Column::Everyone);
    }
    feature_flag::Entity::insert(feature_flag::ActiveModel {
        name: Set(feature.as_str().to_owned()),
        everyone: Set(everyone.unwrap_or(false)),
        updated_at: Set(chrono::Utc::now()),
    })
    .on_conflict(
        OnConflict::column(feature_flag::Column::Name)
            .update_columns(update)
            .to_owned(),
    )
    .exec(conn)
    .await?;
    Ok(())
}

/// The features on for everyone, and the accounts each is on for first.
async fn read<C: ConnectionTrait>(
    conn: &C,
) -> Result<(HashSet<Feature>, HashMap<Feature, HashSet<UserId>>), StoreError> {
    let everyone = feature_flag::Entity::find()
        .filter(feature_flag::Column::Everyone.eq(true))
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|row| Feature::parse(&row.name).ok())
        .collect();
    let mut accounts: HashMap<Feature, HashSet<UserId>> = HashMap::new();
    for row in feature_flag_account::Entity::find().all(conn).await? {
        if let Ok(feature) = Feature::parse(&row.flag) {
            accounts.entry(feature).or_default().insert(row.user_id);
        }
    }
    Ok((everyone, accounts))
}

/// The flags as this process last read them, read again once they are older than the refresh
/// interval: a change made anywhere (another instance, `taskdeck flags`) is seen within it, and
/// a change made through this handle at once.
#[derive(Clone)]
pub struct Flags {
    db: Db,
    refresh: Duration,
    cached: Arc<RwLock<Cached>>,
    // One reader goes to the database when the copy is stale; the others wait for its answer.
    reading: Arc<Mutex<()>>,
    // Bumped by `forget`: a read that began before a change must not be kept as fresh after it.
    generation: Arc<AtomicU64>,
}

#[derive(Default)]
struct Cached {
    read_at: Option<Instant>,
    everyone: HashSet<Feature>,
    accounts: HashMap<Feature, HashSet<UserId>>,
}

impl Cached {
    fn is_on(&self, feature: Feature, user: Option<UserId>) -> bool {
        self.everyone.contains(&feature)
            || user.is_some_and(|user| {
                self.accounts
                    .get(&feature)
                    .is_some_and(|accounts| accounts.contains(&user))
            })
    }
}

impl Flags {
    pub fn new(db: Db, refresh: Duration) -> Self {
        Self {
            db,
            refresh,
            cached: Arc::default(),
            reading: Arc::default(),
            generation: Arc::default(),
        }
    }

    /// Whether `feature` is on for this person (`None`: signed out, so only "everyone" counts).
    pub async fn is_on(&self, feature: Feature, user: Option<UserId>) -> bool {
        self.fresh().await;
        self.cached.read().await.is_on(feature, user)
    }

    /// The features on for this person, in `Feature::ALL`'s order.
    pub async fn on_for(&self, user: Option<UserId>) -> Vec<Feature> {
        self.fresh().await;
        let cached = self.cached.read().await;
        Feature::ALL
            .into_iter()
            .filter(|feature| cached.is_on(*feature, user))
            .collect()
    }

    /// Makes the next question read the database (after a change through this process).
    pub async fn forget(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.cached.write().await.read_at = None;
    }

    async fn fresh(&self) {
        let stale = |cached: &Cached| {
            cached
                .read_at
                .is_none_or(|read_at| read_at.elapsed() >= self.refresh)
        };
        if !stale(&*self.cached.read().await) {
            return;
        }
        let _reading = self.reading.lock().await;
        if !stale(&*self.cached.read().await) {
            return;
        }
        let generation = self.generation.load(Ordering::SeqCst);
        let read = async {
            let conn = self.db.lease().await?;
            read(&*conn).await
        };
        let answer = read.await;
        let mut cached = self.cached.write().await;
        // Forgotten meanwhile (a change was made): keep what was read, but read again next time
        // rather than wait out the interval.
        let current = self.generation.load(Ordering::SeqCst) == generation;
        cached.read_at = current.then(Instant::now);
        match answer {
            Ok((everyone, accounts)) => {
                cached.everyone = everyone;
                cached.accounts = accounts;
            }
            // The database is having trouble: answer from the last copy (everything off if there
            // is none) rather than fail the page, and try again after the interval.
            Err(err) => {
                tracing::warn!(error = %err, "could not read the feature flags; using the last copy")
            }
        }
    }
}
