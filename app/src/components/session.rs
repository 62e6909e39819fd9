//! Who is signed in, shared by every page. The account actions live here so the header refreshes
//! whenever one of them completes.

use crate::api::accounts::{current_user, SignIn, SignOut, SignUp, SignedInUser};
use crate::error::AppError;
use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct Session {
    pub sign_in: ServerAction<SignIn>,
    pub sign_up: ServerAction<SignUp>,
    pub sign_out: ServerAction<SignOut>,
    pub user: Resource<Result<Option<SignedInUser>, AppError>>,
}

pub fn provide_session() {
    let sign_in = ServerAction::<SignIn>::new();
    let sign_up = ServerAction::<SignUp>::new();
    let sign_out = ServerAction::<SignOut>::new();
    let user = Resource::new(
        move || {
            (
                sign_in.version().get(),
                sign_up.version().get(),
                sign_out.version().get(),
            )
        },
        |_| current_user(),
    );
    provide_context(Session {
        sign_in,
        sign_up,
        sign_out,
        user,
    });
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}
