//! How many connections the server holds: at most so many in all, and so many per client address,
//! so that one client (or a crowd of idle sockets) cannot use up the file descriptors every other
//! client and the health probes need.

use axum::response::{IntoResponse, Response};
use http::header::RETRY_AFTER;
use http::{HeaderValue, StatusCode};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

/// Counts open connections; [`Slot`]s give theirs back when dropped.
#[derive(Clone)]
pub struct Gate {
    inner: Arc<Inner>,
}

struct Inner {
    max: usize,
    /// `None` when every connection comes from a trusted proxy: its address says nothing about
    /// the client, so only the overall cap applies.
    per_client: Option<usize>,
    open: Mutex<Counts>,
}

#[derive(Default)]
struct Counts {
    total: usize,
    by_client: HashMap<IpAddr, usize>,
}

/// Why a connection was not admitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// The server holds its maximum of connections.
    Full,
    /// This client address holds its maximum.
    ClientFull,
}

/// One admitted connection.
pub struct Slot {
    inner: Arc<Inner>,
    client: IpAddr,
}

impl Gate {
    pub fn new(max: usize, per_client: Option<usize>) -> Self {
        Self {
            inner: Arc::new(Inner {
                max: max.max(1),
                per_client: per_client.map(|n| n.max(1)),
                open: Mutex::new(Counts::default()),
            }),
        }
    }

    pub fn admit(&self, client: IpAddr) -> Result<Slot, Refused> {
        let mut open = self.inner.lock();
        if open.total >= self.inner.max {
            return Err(Refused::Full);
        }
        let held = open.by_client.get(&client).copied().unwrap_or(0);
        if self.inner.per_client.is_some_and(|max| held >= max) {
            return Err(Refused::ClientFull);
        }
        open.total += 1;
        *open.by_client.entry(client).or_insert(0) += 1;
        Ok(Slot {
            inner: Arc::clone(&self.inner),
            client,
        })
    }

    /// Connections open right now.
    pub fn open(&self) -> usize {
        self.inner.lock().total
    }
}

impl Inner {
    fn lock(&self) -> std::sync::MutexGuard<'_, Counts> {
        self.open
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.inner.lock();
        open.total = open.total.saturating_sub(1);
        if let Some(held) = open.by_client.get_mut(&self.client) {
            *held -= 1;
            if *held == 0 {
                open.by_client.remove(&self.client);
            }
        }
    }
}

/// The answer past a connection or request cap.
pub fn busy() -> Response {
    let mut response = (
        StatusCode::SERVICE_UNAVAILABLE,
        "Taskdeck is handling as many connections as it can. Please try again in a few seconds.",
    )
        .into_response();
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from_static("5"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    #[test]
    fn caps_hold_overall_and_per_client_and_free_up_on_close() {
        let gate = Gate::new(3, Some(2));
        let a = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
        let b = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2));
        let a1 = gate.admit(a).expect("first");
        let _a2 = gate.admit(a).expect("second");
        assert_eq!(gate.admit(a).err(), Some(Refused::ClientFull));
        let _b1 = gate.admit(b).expect("another client");
        assert_eq!(gate.admit(b).err(), Some(Refused::Full));
        drop(a1);
        assert_eq!(gate.open(), 2);
        assert!(gate.admit(b).is_ok(), "a closed connection frees its slot");
    }

    #[test]
    fn behind_a_proxy_only_the_overall_cap_applies() {
        let gate = Gate::new(3, None);
        let proxy = IpAddr::V4(Ipv4Addr::LOCALHOST);
        let slots: Vec<_> = (0..3)
            .map(|_| gate.admit(proxy).expect("admitted"))
            .collect();
        assert_eq!(gate.admit(proxy).err(), Some(Refused::Full));
        drop(slots);
    }
}
