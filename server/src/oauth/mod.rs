//! Signing in with GitHub (OAuth 2 authorization code) and Google (OpenID Connect), both with
//! `state` and PKCE (S256) kept in the person's session. The settings live in
//! [`crate::config::oauth`]; this module reads them and never the other way round.
//!
//! `client` is the shared state, `github` and `google` talk to each provider, `policy` decides
//! which account an identity signs in, and `routes` ties them to the three endpoints.

mod client;
mod github;
mod google;
mod policy;
mod routes;

pub use client::OAuth;
