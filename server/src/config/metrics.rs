//! The private `/metrics` listener: its own address, never the public one.

use super::vars::{invalid, ConfigError, Vars};
use std::net::SocketAddr;

#[derive(Clone, Debug)]
pub struct MetricsSettings {
    /// Where `/metrics` is served, apart from the public listener.
    pub addr: SocketAddr,
}

impl MetricsSettings {
    /// `site_addr` is the public listener's, which `/metrics` must not share.
    pub fn from_vars(vars: &Vars<'_>, site_addr: SocketAddr) -> Result<Self, ConfigError> {
        let addr: SocketAddr = vars.parse(
            "METRICS_ADDR",
            SocketAddr::from(([127, 0, 0, 1], 9464)),
            "an address and port for /metrics, such as 127.0.0.1:9464",
        )?;
        if addr == site_addr && site_addr.port() != 0 {
            return Err(invalid(
                "METRICS_ADDR",
                "an address other than LEPTOS_SITE_ADDR, so metrics stay off the public listener",
            ));
        }
        Ok(Self { addr })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::vars::read;

    #[test]
    fn metrics_stay_off_the_public_listener() {
        let site = SocketAddr::from(([127, 0, 0, 1], 9464));
        let message = read(&[], |vars| MetricsSettings::from_vars(vars, site))
            .expect_err("the default is the site's address here")
            .to_string();
        assert!(
            message.starts_with("METRICS_ADDR is not valid"),
            "{message}"
        );
        let site = SocketAddr::from(([127, 0, 0, 1], 3000));
        let settings = read(&[], |vars| MetricsSettings::from_vars(vars, site)).expect("default");
        assert_eq!(settings.addr.to_string(), "127.0.0.1:9464");
        // Port 0 (the tests) picks two different free ports, so the same address is fine.
        let any = SocketAddr::from(([127, 0, 0, 1], 0));
        assert!(read(&[("METRICS_ADDR", "127.0.0.1:0")], |vars| {
            MetricsSettings::from_vars(vars, any)
        })
        .is_ok());
    }
}
