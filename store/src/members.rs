//! Who shares a project, with which role, and invitations for people who have no account yet.
//! Any member may see the members; only owners change them, and a project always keeps an owner.

use crate::access::{access, access_as, ProjectWrite};
use crate::convert::parse_role;
use crate::db::Db;
use crate::entities::{project_invitation, project_member, user};
use crate::error::StoreError;
use crate::parts::assignees::unassign_from_project;
use crate::users::UserId;
use domain::{Email, Invitation, Member, Members, Role};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
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

/// What became of an invitation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Invited {
    /// The email has an account: it is a member now.
    Added,
    /// No account yet: the invitation waits until that person signs up.
    Pending,
    AlreadyMember,
}

/// Invites someone by email with a role; owners only.
pub async fn invite(
    db: &Db,
    owner: UserId,
    project_id: i32,
    email: &Email,
    role: Role,
) -> Result<Option<Invited>, StoreError> {
    let conn = db.lease().await?;
    // Under the project's write lock, so invitations to one email at once wait for each other
    // instead of racing to its unique index (a 500 for all but one).
    let Some(write) = ProjectWrite::begin(&conn, owner, project_id, Role::Owner).await? else {
        return Ok(None);
    };
    let txn = write.txn();
    let now = chrono::Utc::now();
    let existing = user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(txn)
        .await?;
    let outcome = match existing {
        Some(invitee) => {
            let already = project_member::Entity::find_by_id((project_id, invitee.id))
                .one(txn)
                .await?;
            if already.is_some() {
                Invited::AlreadyMember
            } else {
                project_member::ActiveModel {
                    project_id: Set(project_id),
                    user_id: Set(invitee.id),
                    role: Set(role.as_str().to_owned()),
                    created_at: Set(now),
                }
                .insert(txn)
                .await?;
                Invited::Added
            }
        }
        None => {
            // Inviting the same email again updates the role it will get.
            project_invitation::Entity::delete_many()
                .filter(project_invitation::Column::ProjectId.eq(project_id))
                .filter(project_invitation::Column::Email.eq(email.as_str()))
                .exec(txn)
                .await?;
            project_invitation::ActiveModel {
                project_id: Set(project_id),
                email: Set(email.as_str().to_owned()),
                role: Set(role.as_str().to_owned()),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(txn)
            .await?;
            Invited::Pending
        }
    };
    write.commit(db).await?;
    Ok(Some(outcome))
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
