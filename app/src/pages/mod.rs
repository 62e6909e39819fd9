pub mod account;
pub mod admin;
pub mod board;
pub mod feedback;
pub mod home;
pub mod invitation;
pub mod list;
pub mod my_tasks;
pub mod not_found;
pub mod projects;
pub mod settings;
pub mod sign_in;
pub mod sign_up;
pub mod task;

/// The numeric id in the route, if it is one.
fn route_id(params: &leptos_router::params::ParamsMap) -> Option<i32> {
    params.get("id").and_then(|id| id.parse().ok())
}
