//! Who shares a project, with which role, and invitations waiting to be accepted through their
//! links. Any member may see the members; only owners change them, and a project always keeps an
//! owner. Members may leave, owners excepted.

use crate::access::{access, access_as, ProjectWrite};
use crate::convert::parse_role;
use crate::db::Db;
use crate::entities::{project, project_invitation, project_member, user};
use crate::error::StoreError;
use crate::parts::assignees::unassign_from_project;
use crate::users::UserId;
use domain::{Email, Invitation, InvitationFor, Member, Members, Role};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, Set, TransactionTrait,
};

/// The members, owners first, and the pending invitations. `None` when the user is not a member.
pub async fn list(db: &Db, user: UserId, project_id: i32) -> Result<Option<Members>, StoreError> {
    let conn = db.lease().await?;
    if access(&*conn, user, project_id).await?.is_none() {
        return Ok(None);
    }
    let rows = project_member::Entity::find()
        .find_also_related(user::Entity)
        .filter(project_member::Column::ProjectId.eq(project_id))
        .order_by_asc(user::Column::Email)
        .all(&*conn)
        .await?;
    let mut members = rows
        .into_iter()
        .filter_map(|(member, user)| user.map(|u| (member, u)))
        .map(|(member, user)| {
            Ok(Member {
                user_id: user.id,
                email: user.email,
                role: parse_role(&member.role)?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    members.sort_by(|a, b| b.role.cmp(&a.role).then_with(|| a.email.cmp(&b.email)));
    let invitations = project_invitation::Entity::find()
        .filter(project_invitation::Column::ProjectId.eq(project_id))
        .order_by_asc(project_invitation::Column::Email)
        .all(&*conn)
        .await?
        .into_iter()
        .map(|row| {
            Ok(Invitation {
                email: row.email,
                role: parse_role(&row.role)?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(Some(Members {
        members,
        invitations,
    }))
}

/// Invites someone by email with a role; owners only. Whether the email has an account changes
/// nothing: every invitation waits until someone opens its link and accepts, so no one is added
/// without consent and the owner learns nothing about who has an account. Answers the link's
/// secret token, which is stored only as its hash. Inviting the same email again changes the role
/// and makes a new link; the old one stops working.
pub async fn invite(
    db: &Db,
    owner: UserId,
    project_id: i32,
    email: &Email,
    role: Role,
) -> Result<Option<String>, StoreError> {
    let conn = db.lease().await?;
    // Under the project's write lock: on SQLite, invitations at once would otherwise each read,
    // then fail to upgrade to writing ("database is locked").
    let Some(write) = ProjectWrite::begin(&conn, owner, project_id, Role::Owner).await? else {
        return Ok(None);
    };
    let txn = write.txn();
    // Only a member's email is refused: the owner sees the members already.
    let member = project_member::Entity::find()
        .inner_join(user::Entity)
        .filter(project_member::Column::ProjectId.eq(project_id))
        .filter(user::Column::Email.eq(email.as_str()))
        .one(txn)
        .await?;
    if member.is_some() {
        return Err(StoreError::AlreadyMember);
    }
    let token = new_token()?;
    // One statement, so invitations to the same email at once end as one, never as an error.
    let row = project_invitation::ActiveModel {
        project_id: Set(project_id),
        email: Set(email.as_str().to_owned()),
        role: Set(role.as_str().to_owned()),
        created_at: Set(chrono::Utc::now()),
        token_hash: Set(Some(token_hash(&token))),
        invited_by: Set(Some(owner)),
        ..Default::default()
    };
    project_invitation::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([
                project_invitation::Column::ProjectId,
                project_invitation::Column::Email,
            ])
            .update_columns([
                project_invitation::Column::Role,
                project_invitation::Column::CreatedAt,
                project_invitation::Column::TokenHash,
                project_invitation::Column::InvitedBy,
            ])
            .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    write.commit(db).await?;
    Ok(Some(token))
}

/// A new link's secret: 256 bits from the operating system's generator, in hex.
fn new_token() -> Result<String, StoreError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| StoreError::Random(e.to_string()))?;
    Ok(hex::encode(bytes))
}

/// What is stored of a link's token: its SHA-256, in hex.
fn token_hash(token: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The invitation a link names; `None` when the token is malformed, used, withdrawn or replaced.
async fn by_token<C: ConnectionTrait>(
    conn: &C,
    token: &str,
) -> Result<Option<project_invitation::Model>, StoreError> {
    if !domain::is_invitation_token(token) {
        return Ok(None);
    }
    Ok(project_invitation::Entity::find()
        .filter(project_invitation::Column::TokenHash.eq(token_hash(token)))
        .one(conn)
        .await?)
}

/// What the person invited sees of an invitation: the project's name, who sent it, the role.
async fn shown<C: ConnectionTrait>(
    conn: &C,
    row: project_invitation::Model,
) -> Result<Option<InvitationFor>, StoreError> {
    let Some(project) = project::Entity::find_by_id(row.project_id)
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let invited_by = match row.invited_by {
        Some(id) => user::Entity::find_by_id(id)
            .one(conn)
            .await?
            .map(|u| u.email),
        None => None,
    };
    Ok(Some(InvitationFor {
        id: row.id,
        project_name: project.name,
        invited_by,
        role: parse_role(&row.role)?,
    }))
}

/// The invitation behind a link, for its page. Anyone signed in who holds the link may see it:
/// the link is the secret.
pub async fn find_by_link(db: &Db, token: &str) -> Result<Option<InvitationFor>, StoreError> {
    let conn = db.lease().await?;
    match by_token(&*conn, token).await? {
        Some(row) => shown(&*conn, row).await,
        None => Ok(None),
    }
}

/// The email of this project's pending invitation behind `token`, for its owner to see its new
/// link once; `None` when the user is not an owner or the invitation is gone.
pub async fn pending_email(
    db: &Db,
    owner: UserId,
    project_id: i32,
    token: &str,
) -> Result<Option<String>, StoreError> {
    let conn = db.lease().await?;
    if !matches!(
        access(&*conn, owner, project_id).await?,
        Some((_, Role::Owner))
    ) {
        return Ok(None);
    }
    Ok(by_token(&*conn, token)
        .await?
        .filter(|row| row.project_id == project_id)
        .map(|row| row.email))
}

/// Accepts the invitation behind a link: `user` becomes a member with its role, and the link
/// stops working. Answers the project's id; `None` when the link is not (or no longer) valid.
/// The link is the only way in: until emails are verified, an account's email proves nothing,
/// so it neither accepts an invitation nor is needed to (the owner sent the link to someone).
pub async fn accept(db: &Db, user: UserId, token: &str) -> Result<Option<i32>, StoreError> {
    let conn = db.lease().await?;
    let txn = conn.begin().await?;
    let Some(row) = by_token(&txn, token).await? else {
        return Ok(None);
    };
    // Already a member (or accepting twice at once): the membership stays as it is.
    project_member::Entity::insert(project_member::ActiveModel {
        project_id: Set(row.project_id),
        user_id: Set(user),
        role: Set(row.role.clone()),
        created_at: Set(chrono::Utc::now()),
    })
    .on_conflict(
        OnConflict::columns([
            project_member::Column::ProjectId,
            project_member::Column::UserId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    project_invitation::Entity::delete_by_id(row.id)
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(Some(row.project_id))
}

/// Declines the invitation behind a link; it is gone. `None` when the link is not valid.
pub async fn decline(db: &Db, token: &str) -> Result<Option<()>, StoreError> {
    let conn = db.lease().await?;
    let Some(row) = by_token(&*conn, token).await? else {
        return Ok(None);
    };
    project_invitation::Entity::delete_by_id(row.id)
        .exec(&*conn)
        .await?;
    Ok(Some(()))
}

/// The invitations sent to this account's email, newest first, so its owner learns of them and
/// may decline them. Accepting one still takes its link (see [`accept`]).
pub async fn invitations_for(db: &Db, user: UserId) -> Result<Vec<InvitationFor>, StoreError> {
    let conn = db.lease().await?;
    let Some(account) = user::Entity::find_by_id(user).one(&*conn).await? else {
        return Ok(Vec::new());
    };
    let rows = project_invitation::Entity::find()
        .filter(project_invitation::Column::Email.eq(account.email))
        .order_by_desc(project_invitation::Column::CreatedAt)
        .all(&*conn)
        .await?;
    let mut shown_rows = Vec::with_capacity(rows.len());
    for row in rows {
        if let Some(invitation) = shown(&*conn, row).await? {
            shown_rows.push(invitation);
        }
    }
    Ok(shown_rows)
}

/// Declines one of the invitations sent to this account's email. `None` when there is no such
/// invitation for this email.
pub async fn decline_mine(
    db: &Db,
    user: UserId,
    invitation: i32,
) -> Result<Option<()>, StoreError> {
    let conn = db.lease().await?;
    let Some(account) = user::Entity::find_by_id(user).one(&*conn).await? else {
        return Ok(None);
    };
    let deleted = project_invitation::Entity::delete_many()
        .filter(project_invitation::Column::Id.eq(invitation))
        .filter(project_invitation::Column::Email.eq(account.email))
        .exec(&*conn)
        .await?;
    Ok((deleted.rows_affected > 0).then_some(()))
}

/// Leaves a project: the member's access ends and their tasks are unassigned. An owner cannot
/// leave (`OwnerCannotLeave`): they hand the project on or delete it. `None` for a non-member.
pub async fn leave(db: &Db, user: UserId, project_id: i32) -> Result<Option<()>, StoreError> {
    let conn = db.lease().await?;
    let Some(write) = ProjectWrite::begin(&conn, user, project_id, Role::Viewer).await? else {
        return Ok(None);
    };
    let txn = write.txn();
    let Some(row) = project_member::Entity::find_by_id((project_id, user))
        .one(txn)
        .await?
    else {
        return Ok(None);
    };
    if parse_role(&row.role)? == Role::Owner {
        return Err(StoreError::OwnerCannotLeave);
    }
    project_member::Entity::delete_by_id((project_id, user))
        .exec(txn)
        .await?;
    unassign_from_project(txn, project_id, user).await?;
    // Announced, so open boards drop them from the cards they were assigned to.
    write.commit(db).await?;
    Ok(Some(()))
}

/// Counts the owners other than `except`, so no change leaves a project without one.
async fn other_owners<C: ConnectionTrait>(
    conn: &C,
    project_id: i32,
    except: UserId,
) -> Result<u64, StoreError> {
    Ok(project_member::Entity::find()
        .filter(project_member::Column::ProjectId.eq(project_id))
        .filter(project_member::Column::Role.eq(Role::Owner.as_str()))
        .filter(project_member::Column::UserId.ne(except))
        .count(conn)
        .await?)
}

/// The membership `owner` wants to change: `None` when either is not a member, `Forbidden` when
/// the asker is not an owner.
async fn managed_member<C: ConnectionTrait>(
    conn: &C,
    owner: UserId,
    project_id: i32,
    member: UserId,
) -> Result<Option<project_member::Model>, StoreError> {
    if access_as(conn, owner, project_id, Role::Owner)
        .await?
        .is_none()
    {
        return Ok(None);
    }
    Ok(project_member::Entity::find_by_id((project_id, member))
        .one(conn)
        .await?)
}

/// Gives a member another role; owners only. `None` when there is no such member.
pub async fn change_role(
    db: &Db,
    owner: UserId,
    project_id: i32,
    member: UserId,
    role: Role,
) -> Result<Option<()>, StoreError> {
    let conn = db.lease().await?;
    let Some(write) = ProjectWrite::begin(&conn, owner, project_id, Role::Owner).await? else {
        return Ok(None);
    };
    let txn = write.txn();
    let Some(row) = managed_member(txn, owner, project_id, member).await? else {
        return Ok(None);
    };
    if role != Role::Owner && other_owners(txn, project_id, member).await? == 0 {
        return Err(StoreError::LastOwner);
    }
    let mut active = row.into_active_model();
    active.role = Set(role.as_str().to_owned());
    active.update(txn).await?;
    // A change like any other, so the member's open pages switch to what the new role allows.
    write.commit(db).await?;
    Ok(Some(()))
}

/// Removes a member; owners only, and never the last owner.
pub async fn remove(
    db: &Db,
    owner: UserId,
    project_id: i32,
    member: UserId,
) -> Result<Option<()>, StoreError> {
    let conn = db.lease().await?;
    let Some(write) = ProjectWrite::begin(&conn, owner, project_id, Role::Owner).await? else {
        return Ok(None);
    };
    let txn = write.txn();
    if managed_member(txn, owner, project_id, member)
        .await?
        .is_none()
    {
        return Ok(None);
    }
    if other_owners(txn, project_id, member).await? == 0 {
        return Err(StoreError::LastOwner);
    }
    project_member::Entity::delete_by_id((project_id, member))
        .exec(txn)
        .await?;
    unassign_from_project(txn, project_id, member).await?;
    // Announced, so open boards drop the member from the cards they were assigned to.
    write.commit(db).await?;
    Ok(Some(()))
}

/// Withdraws a pending invitation; owners only.
pub async fn cancel_invitation(
    db: &Db,
    owner: UserId,
    project_id: i32,
    email: &str,
) -> Result<Option<()>, StoreError> {
    let conn = db.lease().await?;
    if access_as(&*conn, owner, project_id, Role::Owner)
        .await?
        .is_none()
    {
        return Ok(None);
    }
    let deleted = project_invitation::Entity::delete_many()
        .filter(project_invitation::Column::ProjectId.eq(project_id))
        .filter(project_invitation::Column::Email.eq(email))
        .exec(&*conn)
        .await?;
    Ok((deleted.rows_affected > 0).then_some(()))
}
