//! A project's board: columns by status, a page of cards each. Cards move by drag and drop, by
//! Alt+arrow keys (announced to screen readers), or with their buttons, which are plain forms
//! that also work without JavaScript. Moves show at once and are reconciled with the server's
//! order when the live stream reports the change.

use super::route_id;
use crate::api::features::features_for_me;
use crate::api::tasks::{get_board, CreateTask, MoveTask};
use crate::components::badges::{task_badges, DueBadge, PriorityBadge};
use crate::components::form::{field_error, last_error, Field, FormMessage};
use crate::components::lazy_links::PAGE_LOAD;
use crate::components::live::{follow_project, LiveBoard};
use crate::components::outcome::failed;
use crate::error::AppError;
use crate::pages::list::ViewSwitch;
use domain::{
    Board, Column, ColumnLimits, Feature, Landing, Nudge, Placement, Status, Task, TaskTitle,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use server_fn::ServerFn;

#[component]
pub fn BoardPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let project_id = move || params.with(route_id);
    let limits = move || query.with(|q| ColumnLimits::from_query(|key| q.get(key)));
    let create = ServerAction::<CreateTask>::new();
    let move_task = ServerAction::<MoveTask>::new();
    let live = LiveBoard::new();
    // Loaded once per project and page size; later changes update the board in place (see
    // `BoardView`), so a form being typed into is never rebuilt under the person's fingers.
    let board = Resource::new(
        move || (project_id(), limits()),
        |(id, limits)| async move {
            match id {
                Some(id) => get_board(id, limits).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    follow_project(project_id, live);
    // A refused move was shown already: put the server's order back.
    Effect::new(move |_| {
        if matches!(move_task.value().get(), Some(Err(_))) {
            live.refresh();
        }
    });
    // Survives the board being rendered again, so keyboard focus stays on the moved card.
    let focused = RwSignal::new(None::<i32>);
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading the board…"</p> }>
            {move || Suspend::new(async move {
                match board.await {
                    Ok(board) => {
                        live.showing(board.revision);
                        let limits = query
                            .with_untracked(|q| ColumnLimits::from_query(|key| q.get(key)));
                        view! { <BoardView board limits create move_task live focused /> }
                            .into_any()
                    }
                    Err(e) => failed(e),
                }
            })}
        </Transition>
    }
}

/// Everything a card's handlers need, all `Copy`.
#[derive(Clone, Copy)]
struct Moves {
    board: RwSignal<Board>,
    action: ServerAction<MoveTask>,
    announcement: RwSignal<String>,
    focused: RwSignal<Option<i32>>,
    dragging: RwSignal<Option<i32>>,
    drop_at: RwSignal<Option<Placement>>,
    can_edit: bool,
}

impl Moves {
    /// Shows the move at once, says where the card went, and asks the server to make it.
    fn apply(self, task_id: i32, placement: Placement) {
        let mut moved = None;
        self.board.update(|board| {
            let title = board
                .columns
                .iter()
                .flat_map(|column| &column.tasks)
                .find(|task| task.id == task_id)
                .map(|task| task.title.clone());
            moved = title.zip(board.apply_move(task_id, placement));
        });
        if let Some((title, landing)) = moved {
            self.announcement.set(announce(&title, landing));
        }
        self.action.dispatch(MoveTask {
            id: task_id,
            to: placement.to_param(),
        });
    }
}

fn announce(title: &str, landing: Landing) -> String {
    let column = landing.status.label();
    match landing.place {
        Some(place) => format!(
            "Moved “{title}” to {column}, position {place} of {}.",
            landing.total
        ),
        None => format!(
            "Moved “{title}” to the bottom of {column}, {} cards.",
            landing.total
        ),
    }
}

#[component]
fn BoardView(
    board: Board,
    limits: ColumnLimits,
    create: ServerAction<CreateTask>,
    move_task: ServerAction<MoveTask>,
    live: LiveBoard,
    focused: RwSignal<Option<i32>>,
) -> impl IntoView {
    let error = last_error(create);
    let move_error = last_error(move_task);
    // What was typed after a refused submit; empty again after one that worked.
    let title = Signal::derive(move || {
        create.version().track();
        error
            .get()
            .and_then(|e| e.typed_value("title"))
            .unwrap_or_default()
    });
    let project = board.project.clone();
    let can_edit = project.role.can_edit();
    let moves = Moves {
        board: RwSignal::new(board),
        action: move_task,
        announcement: RwSignal::new(String::new()),
        focused,
        dragging: RwSignal::new(None),
        drop_at: RwSignal::new(None),
        can_edit,
    };
    // The board again after a change (anyone's, announced by the live stream, or a new task),
    // unless a move of ours is still on its way: its optimistic place would flicker back.
    let project_id = project.id;
    let stale = StoredValue::new(false);
    let reload = move || {
        leptos::task::spawn_local(async move {
            let Ok(fresh) = get_board(project_id, limits).await else {
                return;
            };
            if move_task.pending().get_untracked() {
                stale.set_value(true);
            } else if fresh.revision >= live.shown() {
                live.showing(fresh.revision);
                moves.board.set(fresh);
            }
        });
    };
    Effect::new(move |seen: Option<(u64, usize)>| {
        let now = (live.version(), create.version().get());
        if seen.is_some() {
            reload();
        }
        now
    });
    Effect::new(move |_| {
        if !move_task.pending().get() && stale.get_value() {
            stale.set_value(false);
            reload();
        }
    });
    // After every render: if the focused card was replaced, focus its new copy.
    Effect::new(move |_| {
        moves.board.track();
        if let Some(id) = focused.get_untracked() {
            // Once the new cards are in the document.
            request_animation_frame(move || refocus(id, false));
        }
    });
    view! {
        <Title text=project.name.clone() />
        <div class="board-header">
            <h1>{project.name.clone()}</h1>
            <ViewSwitch project_id=project.id current="board" />
            <span class="live" class:live-on=move || live.connected()>
                {move || if live.connected() { "Live" } else { "" }}
            </span>
            <ExportLink project_id=project.id />
            <a
                class="button secondary"
                href=format!("/projects/{}/settings", project.id)
                rel=PAGE_LOAD
            >
                "Project settings"
            </a>
        </div>
        {(!can_edit)
            .then(|| {
                view! {
                    <p class="notice" role="status">
                        "You are a viewer of this project: you can see everything but not change it."
                    </p>
                }
            })}
        {can_edit
            .then(|| {
                view! {
                    <section class="panel">
                        <ActionForm action=create attr:class="inline-fields" attr:novalidate=true>
                            <input type="hidden" name="project_id" value=project.id />
                            <Field
                                id="new-task-title"
                                label="Task title"
                                name=TaskTitle::FIELD
                                value=title
                                error=field_error(error, TaskTitle::FIELD)
                            />
                            <button type="submit" class="button">
                                "Add task"
                            </button>
                        </ActionForm>
                        <FormMessage error />
                        <FormMessage error=move_error />
                        <p id="board-keys" class="hint">
                            "Drag cards, or focus one and press Alt with an arrow key to move it. Press ? for every keyboard shortcut."
                        </p>
                    </section>
                }
            })}
        {can_edit
            .then(|| {
                view! {
                    <p class="visually-hidden" role="status" aria-live="polite">
                        {move || moves.announcement.get()}
                    </p>
                }
            })}
        <div class="board">
            {move || {
                moves
                    .board
                    .with(|board| {
                        board
                            .columns
                            .iter()
                            .map(|column| render_column(board, column, limits, moves))
                            .collect_view()
                    })
            }}
        </div>
    }
}

fn render_column(board: &Board, column: &Column, limits: ColumnLimits, moves: Moves) -> AnyView {
    let status = column.status;
    let total = column.total;
    let shown = column.tasks.len() as u64;
    let cards = column
        .tasks
        .iter()
        .map(|task| render_card(board, task, moves))
        .collect_view();
    let more = (shown < total).then(|| {
        let next = limits.more(status);
        let href = format!("?{}", next.to_query());
        view! {
            <a class="show-more" href=href>
                {format!("Show more ({shown} of {total} shown)")}
            </a>
        }
    });
    let on_dragover = move |ev: leptos::ev::DragEvent| {
        if moves.dragging.get_untracked().is_none() {
            return;
        }
        ev.prevent_default();
        let placement = drop_placement(&ev, status);
        if moves.drop_at.get_untracked() != Some(placement) {
            moves.drop_at.set(Some(placement));
        }
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        let Some(task_id) = moves.dragging.get_untracked() else {
            return;
        };
        ev.prevent_default();
        let placement = drop_placement(&ev, status);
        moves.dragging.set(None);
        moves.drop_at.set(None);
        if placement.before != Some(task_id) {
            moves.apply(task_id, placement);
        }
    };
    view! {
        <section class="column" aria-label=status.label() data-status=status.as_str()>
            <h2>
                {status.label()}
                <span class="count" aria-label=format!("{total} tasks")>{total}</span>
            </h2>
            <ol
                class="cards"
                class:drop-at-end=move || {
                    moves.drop_at.get() == Some(Placement::bottom_of(status))
                }
                on:dragover=on_dragover
                on:drop=on_drop
            >
                {cards}
            </ol>
            {more}
        </section>
    }
    .into_any()
}

/// Where a card dropped at the pointer goes: above the first card whose middle is below the
/// pointer, else at the bottom.
fn drop_placement(ev: &leptos::ev::DragEvent, status: Status) -> Placement {
    use wasm_bindgen::JsCast;
    let y = f64::from(ev.client_y());
    let list = ev
        .current_target()
        .and_then(|target| target.dyn_into::<web_sys::Element>().ok());
    let Some(cards) = list.and_then(|list| list.query_selector_all(":scope > li").ok()) else {
        return Placement::bottom_of(status);
    };
    for index in 0..cards.length() {
        let Some(card) = cards
            .item(index)
            .and_then(|node| node.dyn_into::<web_sys::Element>().ok())
        else {
            continue;
        };
        let rect = card.get_bounding_client_rect();
        if y < rect.top() + rect.height() / 2.0 {
            if let Some(id) = card
                .get_attribute("data-task-id")
                .and_then(|id| id.parse().ok())
            {
                return Placement::before(status, id);
            }
        }
    }
    Placement::bottom_of(status)
}

/// Focuses the card's title link: always right after a move made from the card (`force`),
/// otherwise only if focus was lost with the old copy of the card, not moved elsewhere.
fn refocus(task_id: i32, force: bool) {
    use wasm_bindgen::JsCast;
    let document = document();
    let lost = document
        .active_element()
        .is_none_or(|active| Some(active) == document.body().map(Into::into));
    if !lost && !force {
        return;
    }
    if let Some(link) = document
        .query_selector(&format!("li[data-task-id=\"{task_id}\"] .task-title"))
        .ok()
        .flatten()
        .and_then(|link| link.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let options = web_sys::FocusOptions::new();
        options.set_prevent_scroll(false);
        let _ = link.focus_with_options(&options);
    }
}

fn nudge_for_key(ev: &leptos::ev::KeyboardEvent) -> Option<Nudge> {
    if !ev.alt_key() || ev.ctrl_key() || ev.meta_key() || ev.shift_key() {
        return None;
    }
    match ev.key().as_str() {
        "ArrowUp" => Some(Nudge::Up),
        "ArrowDown" => Some(Nudge::Down),
        "ArrowLeft" => Some(Nudge::Left),
        "ArrowRight" => Some(Nudge::Right),
        _ => None,
    }
}

fn render_card(board: &Board, task: &Task, moves: Moves) -> AnyView {
    let id = task.id;
    let status = task.status;
    let buttons = moves.can_edit.then(|| {
        let nudge = |nudge: Nudge, label: &'static str, symbol: &'static str| {
            board.nudge(id, nudge).map(|placement| {
                view! {
                    <button
                        type="submit"
                        class="chip"
                        name=Placement::FIELD
                        value=placement.to_param()
                        aria-label=label
                        title=label
                    >
                        {symbol}
                    </button>
                }
            })
        };
        let across = Status::ALL
            .into_iter()
            .filter(|other| *other != status)
            .map(|other| {
                view! {
                    <button
                        type="submit"
                        class="chip"
                        name=Placement::FIELD
                        value=board.top_of(other).to_param()
                    >
                        {format!("Move to {}", other.label())}
                    </button>
                }
            })
            .collect_view();
        let on_submit = move |ev: leptos::ev::SubmitEvent| {
            let Some(to) = ev
                .submitter()
                .and_then(|button| button.get_attribute("value"))
                .and_then(|value| Placement::parse(&value).ok())
            else {
                return;
            };
            ev.prevent_default();
            moves.focused.set(Some(id));
            moves.apply(id, to);
            set_timeout(move || refocus(id, true), std::time::Duration::ZERO);
        };
        view! {
            <form class="card-actions" method="post" action=MoveTask::url() on:submit=on_submit>
                <input type="hidden" name="id" value=id />
                {nudge(Nudge::Up, "Move up", "↑")}
                {nudge(Nudge::Down, "Move down", "↓")}
                {across}
            </form>
        }
    });
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if !moves.can_edit {
            return;
        }
        let Some(nudge) = nudge_for_key(&ev) else {
            return;
        };
        // Alt+Left would otherwise go back a page.
        ev.prevent_default();
        let placement = moves.board.with_untracked(|board| board.nudge(id, nudge));
        if let Some(placement) = placement {
            moves.focused.set(Some(id));
            moves.apply(id, placement);
            set_timeout(move || refocus(id, true), std::time::Duration::ZERO);
        }
    };
    let on_dragstart = move |ev: leptos::ev::DragEvent| {
        if let Some(transfer) = ev.data_transfer() {
            let _ = transfer.set_data("text/plain", &id.to_string());
            transfer.set_effect_allowed("move");
        }
        moves.dragging.set(Some(id));
    };
    let on_dragend = move |_| {
        moves.dragging.set(None);
        moves.drop_at.set(None);
    };
    let drop_here = Placement::before(status, id);
    view! {
        <li
            data-task-id=id
            draggable=moves.can_edit.then_some("true")
            class:dragging=move || moves.dragging.get() == Some(id)
            class:drop-before=move || moves.drop_at.get() == Some(drop_here)
            on:keydown=on_keydown
            on:dragstart=on_dragstart
            on:dragend=on_dragend
            on:focusin=move |_| moves.focused.set(Some(id))
        >
            <article class="task-card">
                <a
                    class="task-title"
                    href=format!("/tasks/{id}")
                    aria-describedby=moves.can_edit.then_some("board-keys")
                >
                    {task.title.clone()}
                </a>
                <p class="task-meta">
                    <PriorityBadge priority=task.priority />
                    {task.due_date.map(|date| view! { <DueBadge date /> })}
                </p>
                {task_badges(task)}
                {buttons}
            </article>
        </li>
    }
    .into_any()
}

/// "Export CSV", for those the `project-export` feature flag is on for.
#[component]
fn ExportLink(project_id: i32) -> impl IntoView {
    let features = Resource::new(|| (), |_| features_for_me());
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                let on = features
                    .await
                    .is_ok_and(|features| features.contains(&Feature::ProjectExport));
                on.then(|| {
                    view! {
                        // A file, not a page: `rel=external` keeps the router from taking the click.
                        <a
                            class="button secondary"
                            href=format!("/projects/{project_id}/export.csv")
                            rel="external"
                            download=""
                        >
                            "Export CSV"
                        </a>
                    }
                })
            })}
        </Suspense>
    }
}
