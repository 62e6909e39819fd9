//! Who shares a project: its members with their roles, and invitations waiting for people who
//! have no account yet.

use crate::Role;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub user_id: i32,
    pub email: String,
    pub role: Role,
}

/// An invitation waiting for someone to sign up with this email.
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
