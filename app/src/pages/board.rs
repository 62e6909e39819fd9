use super::route_id;
use crate::api::tasks::{get_board, Board, CreateTask, MoveTask};
use crate::components::form::{field_error, last_error, typed_or, Field, FormMessage};
use crate::components::outcome::failed;
use crate::error::AppError;
use domain::{Status, Task};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn BoardPage() -> impl IntoView {
    let params = use_params_map();
    let project_id = move || params.with(route_id);
    let create = ServerAction::<CreateTask>::new();
    let move_task = ServerAction::<MoveTask>::new();
    let board = Resource::new(
        move || {
            (
                project_id(),
                create.version().get(),
                move_task.version().get(),
            )
        },
        |(id, _, _)| async move {
            match id {
                Some(id) => get_board(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading the board…"</p> }>
            {move || Suspend::new(async move {
                match board.await {
                    Ok(board) => view! { <BoardView board create move_task /> }.into_any(),
                    Err(e) => failed(e),
                }
            })}
        </Suspense>
    }
}

#[component]
fn BoardView(
    board: Board,
    create: ServerAction<CreateTask>,
    move_task: ServerAction<MoveTask>,
) -> impl IntoView {
    let error = last_error(create);
    let move_error = last_error(move_task);
    let Board { project, tasks } = board;
    let can_edit = project.role.can_edit();
    let columns = Status::ALL.map(|status| {
        let cards: Vec<Task> = tasks
            .iter()
            .filter(|t| t.status == status)
            .cloned()
            .collect();
        view! { <Column status cards move_task can_edit /> }
    });
    view! {
        <Title text=project.name.clone() />
        <div class="board-header">
            <h1>{project.name.clone()}</h1>
            <a class="button secondary" href=format!("/projects/{}/settings", project.id)>
                "Project settings"
            </a>
        </div>
        <Show when=move || !can_edit>
            <p class="notice" role="status">
                "You are a viewer of this project: you can see everything but not change it."
            </p>
        </Show>
        <Show when=move || can_edit>
        <section class="panel">
            <ActionForm action=create attr:class="inline-fields" attr:novalidate=true>
                <input type="hidden" name="project_id" value=project.id />
                <Field
                    id="new-task-title"
                    label="Task title"
                    name="title"
                    value=typed_or(error, "title", String::new())
                    error=field_error(error, "title")
                />
                <button type="submit" class="button">
                    "Add task"
                </button>
            </ActionForm>
            <FormMessage error />
            <FormMessage error=move_error />
        </section>
        </Show>
        <div class="board">{columns}</div>
    }
}

#[component]
fn Column(
    status: Status,
    cards: Vec<Task>,
    move_task: ServerAction<MoveTask>,
    can_edit: bool,
) -> impl IntoView {
    let count = cards.len();
    view! {
        <section class="column" aria-label=status.label() data-status=status.as_str()>
            <h2>
                {status.label()} <span class="count" aria-label=format!("{count} tasks")>{count}</span>
            </h2>
            <ol class="cards">
                {cards
                    .into_iter()
                    .map(|task| view! { <li><Card task move_task can_edit /></li> })
                    .collect_view()}
            </ol>
        </section>
    }
}

#[component]
fn Card(task: Task, move_task: ServerAction<MoveTask>, can_edit: bool) -> impl IntoView {
    let moves = Status::ALL
        .into_iter()
        .filter(|s| can_edit && *s != task.status)
        .map(|target| {
            view! {
                <ActionForm action=move_task attr:class="inline-form">
                    <input type="hidden" name="id" value=task.id />
                    <input type="hidden" name="status" value=target.as_str() />
                    <button type="submit" class="chip">
                        {format!("Move to {}", target.label())}
                    </button>
                </ActionForm>
            }
        })
        .collect_view();
    view! {
        <article class="task-card" data-task-id=task.id>
            <a class="task-title" href=format!("/tasks/{}", task.id)>
                {task.title.clone()}
            </a>
            <p class="task-meta">
                <span class=format!("priority priority-{}", task.priority.as_str())>
                    {task.priority.label()}
                </span>
                {task
                    .due_date
                    .map(|date| {
                        view! {
                            <span class="due">
                                "Due " <time datetime=date.to_string()>{date.to_string()}</time>
                            </span>
                        }
                    })}
            </p>
            <div class="card-actions">{moves}</div>
        </article>
    }
}
