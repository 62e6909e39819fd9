//! Feature flags: the features this release can turn on and off without a redeploy. A flag is
//! named in code, so an operator can only set one that exists; where it is on (everyone, or
//! chosen accounts first) lives in the database.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Feature {
    /// "Export CSV" on the board: every task of a project as a spreadsheet file.
    ProjectExport,
}

impl Feature {
    pub const ALL: [Feature; 1] = [Feature::ProjectExport];

    /// The flag's name in the database, on the command line and on the admin page.
    pub fn as_str(self) -> &'static str {
        match self {
            Feature::ProjectExport => "project-export",
        }
    }

    /// What turning it on changes, for the people who decide.
    pub fn description(self) -> &'static str {
        match self {
            Feature::ProjectExport => {
                "\"Export CSV\" on the board downloads every task of the project as a CSV file"
            }
        }
    }

    pub fn parse(name: &str) -> Result<Feature, UnknownFeature> {
        Feature::ALL
            .into_iter()
            .find(|feature| feature.as_str() == name.trim())
            .ok_or_else(|| UnknownFeature(name.trim().to_owned()))
    }
}

impl std::fmt::Display for Feature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // `pad`, so a width (`{:<16}` in `taskdeck flags`) lines the names up.
        f.pad(self.as_str())
    }
}

/// A flag name this release does not have; the message lists the ones it does.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("there is no feature flag named \"{0}\"; this release has: {names}", names = Feature::ALL.map(Feature::as_str).join(", "))]
pub struct UnknownFeature(pub String);

/// Where a flag is on, as the admin page and `taskdeck flags` show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlagState {
    pub feature: Feature,
    /// On for every account.
    pub everyone: bool,
    /// The accounts it is on for even when not for everyone (their emails, sorted).
    pub accounts: Vec<String>,
}

impl FlagState {
    /// Off everywhere: what a flag is until someone sets it.
    pub fn off(feature: Feature) -> Self {
        Self {
            feature,
            everyone: false,
            accounts: Vec::new(),
        }
    }

    /// One line for people: "on for everyone", "on for 2 accounts", "off".
    pub fn summary(&self) -> String {
        match (self.everyone, self.accounts.len()) {
            (true, _) => "on for everyone".to_owned(),
            (false, 0) => "off".to_owned(),
            (false, 1) => "on for 1 account".to_owned(),
            (false, n) => format!("on for {n} accounts"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_are_known_by_name_and_an_unknown_one_lists_the_real_ones() {
        for feature in Feature::ALL {
            assert_eq!(Feature::parse(feature.as_str()), Ok(feature));
        }
        let err = Feature::parse("dark-launch").expect_err("unknown");
        assert_eq!(
            err.to_string(),
            "there is no feature flag named \"dark-launch\"; this release has: project-export"
        );
    }

    #[test]
    fn a_flag_summarises_where_it_is_on() {
        let mut state = FlagState::off(Feature::ProjectExport);
        assert_eq!(state.summary(), "off");
        state.accounts = vec!["a@example.com".into(), "b@example.com".into()];
        assert_eq!(state.summary(), "on for 2 accounts");
        state.everyone = true;
        assert_eq!(state.summary(), "on for everyone");
    }
}
