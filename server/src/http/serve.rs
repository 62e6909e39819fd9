//! Listening and serving: the sockets, the connection caps and timeouts, and a shutdown that
//! drains before it closes.
//!
//! Shutdown, in order: readiness turns 503 (so a load balancer stops sending), then for the drain
//! period every response says `Connection: close`, so keep-alive clients leave after their
//! current request instead of having an idle connection closed under a request they are just
//! sending; then the listener closes and the requests still in flight finish.

use super::connections::{busy, Gate, Refused, Slot};
use crate::config::HttpSettings;
use crate::health::Health;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::response::Response;
use axum::Router;
use http::header::CONNECTION;
use http::{HeaderValue, Request, Version};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tower::ServiceExt;

/// Binds the listening socket.
pub async fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    TcpListener::bind(addr).await
}

/// Connections past the caps that are still let in, to answer health probes (and tell everyone
/// else 503) rather than leave a load balancer thinking the server is dead.
const PROBE_RESERVE: usize = 32;
/// A connection let in on the reserve gets this long to send its headers.
const RESERVE_HEADER_TIMEOUT: Duration = Duration::from_secs(1);
/// The paths answered on a reserve connection.
const PROBE_PATHS: &[&str] = &["/healthz", "/readyz"];

/// What the server needs to know to serve connections.
#[derive(Clone, Debug)]
pub struct ServeSettings {
    pub header_read_timeout: Duration,
    pub max_connections: usize,
    /// `None` when a trusted proxy is in front: all connections then come from it.
    pub max_connections_per_client: Option<usize>,
    pub shutdown_drain: Duration,
}

/// File descriptors kept for everything but client connections: the database pool, SQLite's
/// files, the metrics listener, outgoing requests to identity providers and Sentry.
const DESCRIPTORS_FOR_THE_REST: u64 = 512;

impl ServeSettings {
    pub fn new(http: &HttpSettings, behind_proxy: bool) -> Self {
        Self {
            header_read_timeout: http.header_read_timeout,
            max_connections: within_descriptor_limit(http.max_connections),
            max_connections_per_client: (!behind_proxy).then_some(http.max_connections_per_client),
            shutdown_drain: http.shutdown_drain,
        }
    }
}

/// Raises the process's open-file limit as far as the hard limit allows, and lowers the
/// connection cap to what then fits: running out of descriptors stops `accept` for everyone,
/// health probes included.
fn within_descriptor_limit(wanted: usize) -> usize {
    let needed = (wanted + PROBE_RESERVE) as u64 + DESCRIPTORS_FOR_THE_REST;
    let limit = match rlimit::increase_nofile_limit(needed) {
        Ok(limit) => limit,
        Err(err) => {
            tracing::warn!(%err, "could not read or raise the open-file limit");
            return wanted;
        }
    };
    let fits = limit.saturating_sub(PROBE_RESERVE as u64 + DESCRIPTORS_FOR_THE_REST);
    let fits = usize::try_from(fits).unwrap_or(usize::MAX).max(1);
    if fits < wanted {
        tracing::warn!(
            wanted,
            open_file_limit = limit,
            "MAX_CONNECTIONS lowered to {fits} to fit the open-file limit; raise it (ulimit -n, LimitNOFILE) for more"
        );
        return fits;
    }
    wanted
}

/// Serves until `stop` completes, then drains and finishes the requests in flight.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    health: Health,
    settings: ServeSettings,
    stop: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let server = Server {
        router,
        gate: Gate::new(
            settings.max_connections,
            settings.max_connections_per_client,
        ),
        reserve: Gate::new(PROBE_RESERVE, None),
        header_read_timeout: settings.header_read_timeout,
        draining: Arc::new(AtomicBool::new(false)),
        graceful: GracefulShutdown::new(),
    };
    tokio::pin!(stop);
    loop {
        tokio::select! {
            () = &mut stop => break,
            accepted = listener.accept() => server.accept(accepted).await,
        }
    }

    health.begin_shutdown();
    server.draining.store(true, Ordering::SeqCst);
    let drained = tokio::time::sleep(settings.shutdown_drain);
    tokio::pin!(drained);
    loop {
        if server.gate.open() == 0 {
            break;
        }
        tokio::select! {
            () = &mut drained => break,
            accepted = listener.accept() => server.accept(accepted).await,
            () = tokio::time::sleep(Duration::from_millis(50)) => {}
        }
    }
    drop(listener);
    server.graceful.shutdown().await;
    Ok(())
}

struct Server {
    router: Router,
    gate: Gate,
    reserve: Gate,
    header_read_timeout: Duration,
    draining: Arc<AtomicBool>,
    graceful: GracefulShutdown,
}

impl Server {
    async fn accept(&self, accepted: std::io::Result<(TcpStream, SocketAddr)>) {
        let (tcp, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(err) => {
                // Out of file descriptors, most likely: wait for some to close instead of
                // spinning on the same error.
                tracing::warn!(%err, "could not accept a connection");
                tokio::time::sleep(Duration::from_millis(100)).await;
                return;
            }
        };
        if let Err(err) = tcp.set_nodelay(true) {
            // Without it, Nagle's algorithm and delayed ACKs add ~40 ms to every streamed
            // response on a keep-alive connection.
            tracing::warn!(%err, "could not set TCP_NODELAY");
        }
        match self.gate.admit(peer.ip()) {
            Ok(slot) => self.spawn(tcp, peer, slot, Mode::Full),
            Err(refused) => {
                metrics::counter!(
                    crate::metrics::CONNECTIONS_REFUSED,
                    "reason" => match refused {
                        Refused::Full => "server_full",
                        Refused::ClientFull => "client_full",
                    }
                )
                .increment(1);
                match self.reserve.admit(peer.ip()) {
                    Ok(slot) => self.spawn(tcp, peer, slot, Mode::ProbesOnly),
                    // Dropping the socket closes it: cheaper than any answer.
                    Err(_) => drop(tcp),
                }
            }
        }
    }

    fn spawn(&self, tcp: TcpStream, peer: SocketAddr, slot: Slot, mode: Mode) {
        let service = ConnectionService {
            router: self.router.clone(),
            peer,
            mode,
            draining: Arc::clone(&self.draining),
        };
        let header_read_timeout = match mode {
            Mode::Full => self.header_read_timeout,
            Mode::ProbesOnly => RESERVE_HEADER_TIMEOUT.min(self.header_read_timeout),
        };
        let watcher = self.graceful.watcher();
        tokio::spawn(serve_connection(
            tcp,
            service,
            header_read_timeout,
            watcher,
            slot,
        ));
    }
}

async fn serve_connection(
    tcp: TcpStream,
    service: ConnectionService,
    header_read_timeout: Duration,
    watcher: Watcher,
    slot: Slot,
) {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    // Also how long a keep-alive connection may sit idle: hyper starts the clock when it starts
    // waiting for the next request's headers.
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(Some(Duration::from_secs(20)));
    let service = hyper::service::service_fn(move |request| service.clone().call(request));
    let connection = builder.serve_connection_with_upgrades(TokioIo::new(tcp), service);
    if let Err(err) = watcher.watch(connection.into_owned()).await {
        tracing::debug!(err = %err, "connection ended with an error");
    }
    drop(slot);
}

#[derive(Clone, Copy)]
enum Mode {
    Full,
    ProbesOnly,
}

#[derive(Clone)]
struct ConnectionService {
    router: Router,
    peer: SocketAddr,
    mode: Mode,
    draining: Arc<AtomicBool>,
}

impl ConnectionService {
    async fn call(self, mut request: Request<Incoming>) -> Result<Response, Infallible> {
        request.extensions_mut().insert(ConnectInfo(self.peer));
        let http1 = request.version() < Version::HTTP_2;
        let allowed = match self.mode {
            Mode::Full => true,
            Mode::ProbesOnly => PROBE_PATHS.contains(&request.uri().path()),
        };
        let mut response = if allowed {
            self.router.oneshot(request.map(Body::new)).await?
        } else {
            busy()
        };
        let closing = matches!(self.mode, Mode::ProbesOnly) || self.draining.load(Ordering::SeqCst);
        if http1 && closing {
            response
                .headers_mut()
                .insert(CONNECTION, HeaderValue::from_static("close"));
        }
        Ok(response)
    }
}

/// Completes on SIGINT or SIGTERM: how an operator (or the container runtime) stops the server.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(%err, "could not listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::error!(%err, "could not listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: draining, then finishing requests in flight");
}
