//! The process-wide TLS crypto provider (imports nothing here).
//!
//! rustls panics wherever a client or verifier is built without a provider if none is installed
//! and it cannot pick one: Sentry's reqwest (0.13, built `rustls-no-provider`) panics building its
//! transport, and sqlx's `sslmode=verify-ca` did while a dependency brought aws-lc-rs beside ring
//! ("Could not automatically determine the process-level CryptoProvider",
//! deploy/postgres-tls/check.sh check 6). Only ring is in the graph; installing it explicitly keeps
//! a future dependency from bringing that panic back.

/// Installs ring as the process's provider; a no-op when one is installed already.
pub fn install_crypto_provider() {
    // An error only means a provider is installed already.
    let _ = rustls::crypto::ring::default_provider().install_default();
}
