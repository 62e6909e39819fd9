//! Who shares a project: its members with their roles, and invitations waiting for the person
//! they were sent to. An invitation is accepted only through its own secret link, which the owner
//! passes on; whether its email has an account changes nothing the owner sees.

use crate::Role;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub user_id: i32,
    pub email: String,
    pub role: Role,
}

/// An invitation waiting for its link to be opened and accepted, as the project's members see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    pub email: String,
    pub role: Role,
}

/// A project's members, owners first, and its pending invitations.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Members {
    pub members: Vec<Member>,
    pub invitations: Vec<Invitation>,
}

/// An invitation as the person it was sent to sees it: on its link's page, or among the
/// invitations for their account's email.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationFor {
    pub id: i32,
    pub project_name: String,
    /// The email of whoever sent it, while that account exists.
    pub invited_by: Option<String>,
    pub role: Role,
}

/// A new invitation's link, shown to the owner right after inviting, to copy and pass on. Only
/// its hash is stored, so it cannot be shown again (inviting again makes a new one).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationLink {
    pub email: String,
    /// `/invitations/{token}`.
    pub path: String,
    /// The path on the app's address, to copy.
    pub url: String,
}

impl InvitationLink {
    pub const PREFIX: &str = "/invitations/";

    /// The link for `token`; `origin` is the app's address, without a trailing `/`.
    pub fn new(email: String, token: &str, origin: &str) -> Self {
        let path = format!("{}{token}", Self::PREFIX);
        Self {
            email,
            url: format!("{origin}{path}"),
            path,
        }
    }
}

/// True when `token` has the shape of an invitation link's token (64 lowercase hex digits).
pub fn is_invitation_token(token: &str) -> bool {
    token.len() == 64
        && token
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}
