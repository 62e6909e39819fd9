//! Keyboard shortcuts, and the overlay that lists them (press `?`).
//!
//! Keys are ignored while someone types in a field, and when Ctrl, Meta or Alt is held (those
//! belong to the browser, and Alt+arrows to the board's card moves).

use super::lazy_links::go_to;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

/// Every shortcut, as the overlay lists it.
const SHORTCUTS: &[(&str, &str)] = &[
    ("?", "Show or hide this list"),
    ("n", "New task on a board, new project on the projects page"),
    ("/", "Search the project's tasks (a board opens its list)"),
    ("j / k", "Focus the next or previous task"),
    ("g then p", "Go to your projects"),
    ("g then m", "Go to My tasks"),
    ("g then a", "Go to your account"),
    ("Alt + ↑ / ↓", "Move the focused card up or down"),
    (
        "Alt + ← / →",
        "Move the focused card to the previous or next column",
    ),
    ("Esc", "Close this list"),
];

/// The field `n` focuses, whichever of them the page has.
const NEW_ITEM_FIELDS: &str = "#new-task-title, #new-project-name";

/// The list's search field, and the link from a board to its list, for `/`.
const SEARCH_FIELD: &str = "#task-search";
const LIST_LINK: &str = ".view-switch a[href$='/list']";

/// The task links `j` and `k` step through: cards on a board, rows of a list, items of My tasks.
const TASK_LINKS: &str = "[data-task-id] a[href^='/tasks/']";

/// Whether the key was pressed while typing somewhere, where it is text and not a command.
fn typing(ev: &leptos::ev::KeyboardEvent) -> bool {
    use wasm_bindgen::JsCast;
    let Some(element) = ev
        .target()
        .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
    else {
        return false;
    };
    let tag = element.tag_name().to_ascii_lowercase();
    matches!(tag.as_str(), "input" | "textarea" | "select")
        || element
            .closest("[contenteditable]")
            .ok()
            .flatten()
            .is_some()
}

/// The page's first element matching `selector`, if it has one.
fn html_element(selector: &str) -> Option<web_sys::HtmlElement> {
    use wasm_bindgen::JsCast;
    document()
        .query_selector(selector)
        .ok()
        .flatten()
        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok())
}

/// Focuses the first field matching `selector`, if the page has one; the key is then not typed.
fn focus(ev: &leptos::ev::KeyboardEvent, selector: &str) {
    if let Some(field) = html_element(selector) {
        ev.prevent_default();
        let _ = field.focus();
    }
}

/// Focuses the first element matching `selector` once the page shows it: after a client-side
/// navigation the new page renders when its data has arrived. Gives up after about two seconds.
fn focus_when_shown(selector: &'static str, tries: u8) {
    match html_element(selector) {
        Some(field) => {
            let _ = field.focus();
        }
        None if tries > 0 => set_timeout(
            move || focus_when_shown(selector, tries - 1),
            std::time::Duration::from_millis(50),
        ),
        None => {}
    }
}

/// Focuses the list's search field; on a board, which has none, opens the project's list first.
fn search(ev: &leptos::ev::KeyboardEvent, navigate: &impl Fn(&str, NavigateOptions)) {
    let list = html_element(LIST_LINK).and_then(|link| link.get_attribute("href"));
    match list {
        Some(href) if html_element(SEARCH_FIELD).is_none() => {
            ev.prevent_default();
            navigate(&href, NavigateOptions::default());
            focus_when_shown(SEARCH_FIELD, 40);
        }
        _ => focus(ev, SEARCH_FIELD),
    }
}

#[derive(Clone, Copy)]
enum Step {
    Next,
    Previous,
}

/// Moves focus to the next or previous task link in page order, starting from the task that
/// holds focus now, or from the first or last task when none does.
fn step_through_tasks(ev: &leptos::ev::KeyboardEvent, step: Step) {
    use wasm_bindgen::JsCast;
    let Ok(links) = document().query_selector_all(TASK_LINKS) else {
        return;
    };
    let links: Vec<web_sys::HtmlElement> = (0..links.length())
        .filter_map(|i| links.item(i))
        .filter_map(|node| node.dyn_into::<web_sys::HtmlElement>().ok())
        .collect();
    if links.is_empty() {
        return;
    }
    // The task that holds focus: its link, or any control inside its card or row.
    let current = document()
        .active_element()
        .and_then(|active| active.closest("[data-task-id]").ok().flatten())
        .and_then(|task| links.iter().position(|link| task.contains(Some(link))));
    let last = links.len() - 1;
    let next = match (current, step) {
        (None, Step::Next) => 0,
        (None, Step::Previous) => last,
        (Some(i), Step::Next) => (i + 1).min(last),
        (Some(i), Step::Previous) => i.saturating_sub(1),
    };
    ev.prevent_default();
    let _ = links[next].focus();
}

#[component]
pub fn Shortcuts() -> impl IntoView {
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    let navigate = use_navigate();
    // `g` waits for its second key.
    let pending_go = StoredValue::new(false);

    let toggle = move || {
        if let Some(dialog) = dialog.get_untracked() {
            if dialog.open() {
                dialog.close();
            } else {
                let _ = dialog.show_modal();
            }
        }
    };

    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.ctrl_key() || ev.meta_key() || ev.alt_key() || ev.default_prevented() || typing(&ev) {
            return;
        }
        let key = ev.key();
        if pending_go.get_value() {
            pending_go.set_value(false);
            let to = match key.as_str() {
                "p" => Some("/projects"),
                "m" => Some("/my-tasks"),
                "a" => Some("/account"),
                _ => None,
            };
            if let Some(to) = to {
                ev.prevent_default();
                go_to(to, &navigate);
            }
            return;
        }
        match key.as_str() {
            "?" => {
                ev.prevent_default();
                toggle();
            }
            "g" => pending_go.set_value(true),
            "/" => search(&ev, &navigate),
            "n" => focus(&ev, NEW_ITEM_FIELDS),
            "j" => step_through_tasks(&ev, Step::Next),
            "k" => step_through_tasks(&ev, Step::Previous),
            _ => {}
        }
    });
    on_cleanup(move || handle.remove());

    view! {
        <dialog node_ref=dialog class="shortcuts" aria-labelledby="shortcuts-title">
            <h2 id="shortcuts-title">"Keyboard shortcuts"</h2>
            <table>
                <thead>
                    <tr>
                        <th scope="col">"Keys"</th>
                        <th scope="col">"What they do"</th>
                    </tr>
                </thead>
                <tbody>
                    {SHORTCUTS
                        .iter()
                        .map(|(keys, what)| {
                            view! {
                                <tr>
                                    <td>
                                        <kbd>{*keys}</kbd>
                                    </td>
                                    <td>{*what}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            <form method="dialog">
                <button type="submit" class="button">
                    "Close"
                </button>
            </form>
        </dialog>
    }
}
