//! The board: columns of cards by status, each shown a page at a time, and where a moved card goes.

use crate::{FieldError, Project, Status, Task};
use serde::{Deserialize, Serialize};

/// Where a moved card goes: a column, and the card it goes just above (none: the bottom).
///
/// Written `status` or `status:before`, e.g. `in_progress:42`, so one form field (a button's
/// value, with JavaScript off) says it all. Naming a neighbour rather than an index keeps the
/// intent when someone else has moved cards in the meantime.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placement {
    pub status: Status,
    pub before: Option<i32>,
}

impl Placement {
    pub const FIELD: &'static str = "to";

    pub fn bottom_of(status: Status) -> Self {
        Self {
            status,
            before: None,
        }
    }

    pub fn before(status: Status, task_id: i32) -> Self {
        Self {
            status,
            before: Some(task_id),
        }
    }

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let invalid = || FieldError::new(Self::FIELD, "Choose where the card goes.");
        let (status, before) = match raw.trim().split_once(':') {
            Some((status, before)) => (status, Some(before.parse().map_err(|_| invalid())?)),
            None => (raw.trim(), None),
        };
        let status = Status::parse(status).map_err(|_| invalid())?;
        Ok(Self { status, before })
    }

    /// The form value [`Placement::parse`] reads.
    pub fn to_param(self) -> String {
        match self.before {
            Some(id) => format!("{}:{id}", self.status.as_str()),
            None => self.status.as_str().to_owned(),
        }
    }
}

/// How many cards each column shows; more are a "Show more" away, so a board with thousands
/// of cards still opens fast.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ColumnLimits {
    todo: u32,
    in_progress: u32,
    done: u32,
}

impl Default for ColumnLimits {
    fn default() -> Self {
        Self {
            todo: Self::PAGE,
            in_progress: Self::PAGE,
            done: Self::PAGE,
        }
    }
}

impl ColumnLimits {
    /// Cards per page of a column.
    pub const PAGE: u32 = 50;
    /// No single answer carries more cards than this per column.
    pub const MAX: u32 = 5_000;

    fn slot(&mut self, status: Status) -> &mut u32 {
        match status {
            Status::Todo => &mut self.todo,
            Status::InProgress => &mut self.in_progress,
            Status::Done => &mut self.done,
        }
    }

    /// Cards to show of `status`; bounded however the limits were made (callers of the API
    /// send them as they like).
    pub fn get(mut self, status: Status) -> u32 {
        (*self.slot(status)).clamp(Self::PAGE, Self::MAX)
    }

    /// The limits with one more page of `status`.
    pub fn more(mut self, status: Status) -> Self {
        let shown = self.slot(status);
        *shown = shown.saturating_add(Self::PAGE).min(Self::MAX);
        self
    }

    /// Reads `?todo=100&in_progress=50`; a missing or unreadable count means one page, and
    /// anything is kept between one page and [`ColumnLimits::MAX`].
    pub fn from_query(value: impl Fn(&str) -> Option<String>) -> Self {
        let mut limits = Self::default();
        for status in Status::ALL {
            *limits.slot(status) = value(status.as_str())
                .and_then(|raw| raw.trim().parse::<u32>().ok())
                .map_or(Self::PAGE, |n| n.clamp(Self::PAGE, Self::MAX));
        }
        limits
    }

    /// The query string that [`ColumnLimits::from_query`] reads, leaving out single pages.
    pub fn to_query(self) -> String {
        Status::ALL
            .into_iter()
            .filter(|status| self.get(*status) != Self::PAGE)
            .map(|status| format!("{}={}", status.as_str(), self.get(status)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// One column of the board: the first cards in order, and how many there are in all.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub status: Status,
    pub tasks: Vec<Task>,
    pub total: u64,
}

/// A project's board as one member sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Board {
    pub project: Project,
    /// The project's revision when this was read; live updates carry later ones.
    pub revision: i64,
    pub columns: Vec<Column>,
}

/// Where a card ended up after [`Board::apply_move`], for announcing it: its place in its new
/// column (1-based, `None` when it went below the cards shown) and the column's card count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Landing {
    pub status: Status,
    pub place: Option<usize>,
    pub total: u64,
}

/// A one-step move of a card, from the keyboard or a card's arrow buttons.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nudge {
    Up,
    Down,
    /// To the top of the column on the left.
    Left,
    /// To the top of the column on the right.
    Right,
}

impl Board {
    /// Where a card moved to another column goes: the top, where it can be seen however long
    /// the column is.
    pub fn top_of(&self, status: Status) -> Placement {
        match self.column(status).and_then(|column| column.tasks.first()) {
            Some(first) => Placement::before(status, first.id),
            None => Placement::bottom_of(status),
        }
    }

    /// Where `nudge` takes the card; `None` when it cannot go that way (already at the edge, or
    /// the place is below the cards shown).
    pub fn nudge(&self, task_id: i32, nudge: Nudge) -> Option<Placement> {
        let (c, column) = self
            .columns
            .iter()
            .enumerate()
            .find(|(_, column)| column.tasks.iter().any(|task| task.id == task_id))?;
        let index = column.tasks.iter().position(|task| task.id == task_id)?;
        let complete = column.tasks.len() as u64 == column.total;
        match nudge {
            Nudge::Up => {
                let above = column.tasks.get(index.checked_sub(1)?)?;
                Some(Placement::before(column.status, above.id))
            }
            Nudge::Down => match column.tasks.get(index + 2) {
                Some(after_next) => Some(Placement::before(column.status, after_next.id)),
                None if index + 2 == column.tasks.len() && complete => {
                    Some(Placement::bottom_of(column.status))
                }
                None => None,
            },
            Nudge::Left => Some(self.top_of(self.columns.get(c.checked_sub(1)?)?.status)),
            Nudge::Right => Some(self.top_of(self.columns.get(c + 1)?.status)),
        }
    }

    /// The column holding `status`.
    pub fn column(&self, status: Status) -> Option<&Column> {
        self.columns.iter().find(|column| column.status == status)
    }

    /// Moves a card the way the server will, so the page can show the move before the server
    /// confirms it. `None` (and no change) when the card is not on the board.
    pub fn apply_move(&mut self, task_id: i32, placement: Placement) -> Option<Landing> {
        let (from, index) = self.columns.iter().enumerate().find_map(|(c, column)| {
            let index = column.tasks.iter().position(|task| task.id == task_id)?;
            Some((c, index))
        })?;
        let to = self
            .columns
            .iter()
            .position(|column| column.status == placement.status)?;
        let mut task = self.columns[from].tasks.remove(index);
        self.columns[from].total = self.columns[from].total.saturating_sub(1);
        task.status = placement.status;
        let column = &mut self.columns[to];
        column.total += 1;
        let before = placement
            .before
            .and_then(|id| column.tasks.iter().position(|task| task.id == id));
        let place = match before {
            Some(at) => {
                column.tasks.insert(at, task);
                Some(at + 1)
            }
            // The bottom is only on screen when the whole column is.
            None if column.tasks.len() as u64 + 1 == column.total => {
                column.tasks.push(task);
                Some(column.tasks.len())
            }
            None => None,
        };
        Some(Landing {
            status: placement.status,
            place,
            total: column.total,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placements_round_trip_through_a_form_value() {
        for placement in [
            Placement::bottom_of(Status::Done),
            Placement::before(Status::InProgress, 42),
        ] {
            assert_eq!(Placement::parse(&placement.to_param()), Ok(placement));
        }
        assert_eq!(
            Placement::parse("in_progress:42"),
            Ok(Placement::before(Status::InProgress, 42))
        );
        for bad in ["", "later", "todo:", "todo:x", "todo:1:2"] {
            let err = Placement::parse(bad).expect_err(bad);
            assert_eq!(err.message, "Choose where the card goes.");
        }
    }

    fn board(columns: [&[i32]; 3], hidden_done: u64) -> Board {
        let columns = Status::ALL
            .into_iter()
            .zip(columns)
            .map(|(status, ids)| Column {
                status,
                tasks: ids
                    .iter()
                    .map(|&id| Task {
                        id,
                        project_id: 1,
                        title: format!("Task {id}"),
                        description: String::new(),
                        status,
                        priority: crate::Priority::Medium,
                        due_date: None,
                        position: 0,
                        labels: Vec::new(),
                        assignees: Vec::new(),
                        progress: crate::Progress::default(),
                    })
                    .collect(),
                total: ids.len() as u64
                    + if status == Status::Done {
                        hidden_done
                    } else {
                        0
                    },
            })
            .collect();
        Board {
            project: Project {
                id: 1,
                name: "P".into(),
                role: crate::Role::Owner,
            },
            revision: 1,
            columns,
        }
    }

    fn ids(board: &Board, status: Status) -> Vec<i32> {
        let column = board.column(status).expect("column");
        column.tasks.iter().map(|t| t.id).collect()
    }

    #[test]
    fn a_move_shows_where_the_server_will_put_the_card() {
        let mut b = board([&[1, 2, 3], &[4], &[5]], 0);
        let landing = b.apply_move(3, Placement::before(Status::Todo, 1));
        assert_eq!(ids(&b, Status::Todo), [3, 1, 2]);
        assert_eq!(
            landing,
            Some(Landing {
                status: Status::Todo,
                place: Some(1),
                total: 3
            })
        );

        let landing = b.apply_move(1, Placement::bottom_of(Status::InProgress));
        assert_eq!(ids(&b, Status::Todo), [3, 2]);
        assert_eq!(ids(&b, Status::InProgress), [4, 1]);
        assert_eq!(b.column(Status::Todo).map(|c| c.total), Some(2));
        let task = &b.column(Status::InProgress).expect("column").tasks[1];
        assert_eq!(task.status, Status::InProgress);
        assert_eq!(landing.and_then(|l| l.place), Some(2));

        assert_eq!(b.apply_move(99, Placement::bottom_of(Status::Done)), None);
    }

    #[test]
    fn nudges_go_one_step_and_stop_at_the_edges() {
        let b = board([&[1, 2, 3], &[], &[5, 6]], 0);
        assert_eq!(
            b.nudge(2, Nudge::Up),
            Some(Placement::before(Status::Todo, 1))
        );
        assert_eq!(b.nudge(1, Nudge::Up), None);
        assert_eq!(
            b.nudge(1, Nudge::Down),
            Some(Placement::before(Status::Todo, 3))
        );
        assert_eq!(
            b.nudge(2, Nudge::Down),
            Some(Placement::bottom_of(Status::Todo))
        );
        assert_eq!(b.nudge(3, Nudge::Down), None);
        assert_eq!(b.nudge(1, Nudge::Left), None);
        assert_eq!(
            b.nudge(1, Nudge::Right),
            Some(Placement::bottom_of(Status::InProgress))
        );
        assert_eq!(
            b.nudge(6, Nudge::Left),
            Some(Placement::bottom_of(Status::InProgress))
        );
        assert_eq!(b.nudge(6, Nudge::Right), None);
        assert_eq!(b.top_of(Status::Done), Placement::before(Status::Done, 5));

        // Below the last card shown there are more: its place is unknown here.
        let truncated = board([&[], &[], &[5, 6]], 10);
        assert_eq!(truncated.nudge(5, Nudge::Down), None);
        assert_eq!(truncated.nudge(6, Nudge::Down), None);
    }

    #[test]
    fn a_card_sent_below_the_shown_cards_leaves_the_page() {
        let mut b = board([&[1], &[], &[5, 6]], 10);
        let landing = b.apply_move(1, Placement::bottom_of(Status::Done));
        assert_eq!(ids(&b, Status::Done), [5, 6]);
        assert_eq!(
            landing,
            Some(Landing {
                status: Status::Done,
                place: None,
                total: 13
            })
        );
    }

    #[test]
    fn column_limits_grow_a_page_at_a_time_within_bounds() {
        let limits = ColumnLimits::default();
        assert_eq!(limits.get(Status::Todo), 50);
        let more = limits.more(Status::Done).more(Status::Done);
        assert_eq!(more.get(Status::Done), 150);
        assert_eq!(more.get(Status::Todo), 50);
        assert_eq!(more.to_query(), "done=150");
        let query = |key: &str| match key {
            "todo" => Some("100".to_owned()),
            "in_progress" => Some("999999".to_owned()),
            "done" => Some("lots".to_owned()),
            _ => None,
        };
        let read = ColumnLimits::from_query(query);
        assert_eq!(read.get(Status::Todo), 100);
        assert_eq!(read.get(Status::InProgress), ColumnLimits::MAX);
        assert_eq!(read.get(Status::Done), 50);
        assert_eq!(
            ColumnLimits::from_query(|_| Some("1".into())).get(Status::Todo),
            50
        );
    }
}
