//! Where a card goes in its column: position arithmetic with gaps, so a card can be placed
//! between two others without renumbering the column (until the gap runs out).

use crate::entities::task;
use crate::error::StoreError;
use crate::tasks::select::{in_board_order, in_column, in_reverse_order};
use domain::Placement;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, IntoActiveModel, QueryFilter, Set,
};

/// Space left between neighbours in a column, so a card can later be placed between two others
/// without renumbering the column.
const POSITION_GAP: i64 = 1024;

/// The position that puts a card where `placement` says, among the column's other cards
/// (`moving` is left out: it is the card being placed). A card named in `before` that is no
/// longer in that column (someone moved it meanwhile) means the bottom.
pub(crate) async fn position_for<C: ConnectionTrait>(
    conn: &C,
    project_id: i32,
    moving: Option<i32>,
    placement: Placement,
) -> Result<i64, StoreError> {
    let others = || {
        let column = in_column(project_id, placement.status);
        match moving {
            Some(id) => column.filter(task::Column::Id.ne(id)),
            None => column,
        }
    };
    let before = match placement.before {
        Some(id) if Some(id) != moving => {
            others().filter(task::Column::Id.eq(id)).one(conn).await?
        }
        _ => None,
    };
    let Some(before) = before else {
        let last = in_reverse_order(others()).one(conn).await?;
        return Ok(last.map_or(0, |last| last.position + POSITION_GAP));
    };
    // The card just above `before`, in board order (ties in position fall back to the id).
    let above = in_reverse_order(others())
        .filter(
            Condition::any()
                .add(task::Column::Position.lt(before.position))
                .add(
                    Condition::all()
                        .add(task::Column::Position.eq(before.position))
                        .add(task::Column::Id.lt(before.id)),
                ),
        )
        .one(conn)
        .await?;
    match above {
        None => Ok(before.position - POSITION_GAP),
        Some(above) if before.position - above.position >= 2 => {
            Ok(above.position + (before.position - above.position) / 2)
        }
        // No room left between the two: space the column out again, then go between them.
        Some(_) => {
            let column = in_board_order(others()).all(conn).await?;
            let mut position_of_before = 0;
            for (index, card) in column.into_iter().enumerate() {
                let position = i64::try_from(index).unwrap_or(i64::MAX / 2) * POSITION_GAP;
                if card.id == before.id {
                    position_of_before = position;
                }
                if card.position != position {
                    let mut active = card.into_active_model();
                    active.position = Set(position);
                    active.update(conn).await?;
                }
            }
            Ok(position_of_before - POSITION_GAP / 2)
        }
    }
}
