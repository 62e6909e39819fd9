//! `taskdeck healthcheck`: exit 0 when the server on this machine answers /healthz (the
//! container's health check; the image has no curl).

use super::CommandError;
use crate::{health, Config};

pub async fn run(config: &Config) -> Result<(), CommandError> {
    health::probe(config.http.site_addr)
        .await
        .map_err(CommandError::Healthcheck)
}
