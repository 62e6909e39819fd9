//! What a member may do in a project.

use serde::{Deserialize, Serialize};

/// Owners manage the project and its members, editors change tasks, viewers only read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Role {
    Viewer,
    Editor,
    Owner,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Owner, Role::Editor, Role::Viewer];
    pub const FIELD: &'static str = "role";

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Editor => "editor",
            Role::Viewer => "viewer",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Owner => "Owner",
            Role::Editor => "Editor",
            Role::Viewer => "Viewer",
        }
    }

    pub fn parse(raw: &str) -> Result<Role, crate::FieldError> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == raw)
            .ok_or_else(|| crate::FieldError::new(Self::FIELD, "Choose owner, editor or viewer."))
    }

    /// Tasks may be added, edited, moved and deleted.
    pub fn can_edit(self) -> bool {
        self >= Role::Editor
    }

    /// The project may be renamed or deleted and its members managed.
    pub fn can_manage(self) -> bool {
        self == Role::Owner
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_can_do_what_its_name_says() {
        assert!(Role::Owner.can_manage() && Role::Owner.can_edit());
        assert!(!Role::Editor.can_manage() && Role::Editor.can_edit());
        assert!(!Role::Viewer.can_manage() && !Role::Viewer.can_edit());
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Ok(role));
        }
        assert!(Role::parse("admin").is_err());
    }
}
