// A small TLS terminator for scanning Taskdeck locally (see check.sh). Taskdeck speaks plain HTTP
// and expects a proxy in front of it; this plays that proxy: it terminates TLS, passes each
// request on unchanged and streaming (Host kept, X-Forwarded-Proto: https and X-Forwarded-For
// added) and streams the answer back.
//
// One port serves both schemes: a connection whose first byte opens a TLS handshake is TLS,
// anything else is plain HTTP and is handled according to --http:
//   redirect  answers 301 to the same host and path over https, as the port-80 listener of a
//             well-configured deployment does (default)
//   closed    drops the connection, like a deployment with nothing on port 80
//   proxy     passes plain HTTP to Taskdeck too, like a deployment that forgot the redirect
// The Observatory builds both http://HOST and https://HOST from the one hostname it is given, so
// with "localhost:PORT" both of its probes arrive here.
//
// Usage: node tls-proxy.mjs --listen 127.0.0.1:8443 --upstream 127.0.0.1:3000 \
//          --cert server.pem --key server.key [--http redirect|closed|proxy]

import { readFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { Duplex } from "node:stream";
import tls from "node:tls";
import { parseArgs } from "node:util";

const { values: opts } = parseArgs({
  options: {
    listen: { type: "string", default: "127.0.0.1:8443" },
    upstream: { type: "string", default: "127.0.0.1:3000" },
    cert: { type: "string" },
    key: { type: "string" },
    http: { type: "string", default: "redirect" },
  },
});
if (!opts.cert || !opts.key) {
  console.error("tls-proxy: --cert and --key are required");
  process.exit(2);
}
if (!["redirect", "closed", "proxy"].includes(opts.http)) {
  console.error("tls-proxy: --http must be redirect, closed or proxy");
  process.exit(2);
}

const splitHostPort = (value) => {
  const at = value.lastIndexOf(":");
  return { host: value.slice(0, at), port: Number(value.slice(at + 1)) };
};
const listen = splitHostPort(opts.listen);
const upstream = splitHostPort(opts.upstream);

// Hop-by-hop headers belong to one connection and are not passed on (RFC 9110 §7.6.1).
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
]);

/** Client addresses of the TLS connections, which sit on a stream and cannot tell it. */
const peers = new WeakMap();
const peerOf = (socket) => peers.get(socket) ?? socket.remoteAddress ?? "";

/** Passes one request to Taskdeck and streams the answer back. */
function forward(req, res, proto) {
  const headers = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (!HOP_BY_HOP.has(name)) headers[name] = value;
  }
  headers["x-forwarded-proto"] = proto;
  const peer = peerOf(req.socket);
  headers["x-forwarded-for"] = req.headers["x-forwarded-for"]
    ? `${req.headers["x-forwarded-for"]}, ${peer}`
    : peer;
  if (req.headers.host) headers["x-forwarded-host"] = req.headers.host;

  const upstreamReq = http.request(
    {
      host: upstream.host,
      port: upstream.port,
      method: req.method,
      path: req.url,
      headers,
    },
    (upstreamRes) => {
      const out = {};
      for (const [name, value] of Object.entries(upstreamRes.headers)) {
        if (!HOP_BY_HOP.has(name)) out[name] = value;
      }
      res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage, out);
      upstreamRes.pipe(res);
    },
  );
  upstreamReq.on("error", (err) => {
    console.error(`tls-proxy: upstream ${req.method} ${req.url}: ${err.message}`);
    if (!res.headersSent) {
      res.writeHead(502, { "content-type": "text/plain" });
      res.end("bad gateway\n");
    } else {
      res.destroy(err);
    }
  });
  req.pipe(upstreamReq);
}

const secureContext = tls.createSecureContext({
  cert: readFileSync(opts.cert),
  key: readFileSync(opts.key),
});
// Requests that arrive over TLS; the connections are decrypted before they reach it.
const tlsServer = http.createServer((req, res) => forward(req, res, "https"));

const plainServer = http.createServer((req, res) => {
  if (opts.http === "proxy") {
    forward(req, res, "http");
    return;
  }
  const host = req.headers.host ?? `localhost:${listen.port}`;
  res.writeHead(301, { location: `https://${host}${req.url ?? "/"}`, "content-length": "0" });
  res.end();
});

const TLS_HANDSHAKE = 0x16;

/**
 * A stream that gives back `first` and then whatever else `socket` receives. The TLS layer reads
 * a net.Socket's handle directly, so bytes already taken off the socket (the one we looked at to
 * tell TLS from plain HTTP) would be lost to it; over a plain stream they are replayed.
 */
function replaying(socket, first) {
  const stream = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk, encoding, callback) {
      socket.write(chunk, encoding, callback);
    },
    final(callback) {
      socket.end();
      callback();
    },
    destroy(err, callback) {
      socket.destroy();
      callback(err);
    },
  });
  stream.push(first);
  socket.on("data", (chunk) => {
    if (!stream.push(chunk)) socket.pause();
  });
  socket.on("end", () => stream.push(null));
  socket.on("close", () => stream.destroy());
  return stream;
}

const front = net.createServer((socket) => {
  socket.on("error", () => socket.destroy());
  socket.once("data", (first) => {
    socket.pause();
    if (first[0] === TLS_HANDSHAKE) {
      const secure = new tls.TLSSocket(replaying(socket, first), {
        isServer: true,
        secureContext,
        ALPNProtocols: ["http/1.1"],
      });
      secure.on("error", (err) => {
        // A client that does not trust the certificate ends the handshake: a line, not a crash.
        console.error(`tls-proxy: TLS connection failed: ${err.message}`);
        secure.destroy();
      });
      peers.set(secure, socket.remoteAddress);
      tlsServer.emit("connection", secure);
    } else if (opts.http === "closed") {
      socket.destroy();
    } else {
      // The HTTP parser reads through the stream, so putting the bytes back is enough here.
      socket.unshift(first);
      plainServer.emit("connection", socket);
      socket.resume();
    }
  });
});

front.listen(listen.port, listen.host, () => {
  console.error(
    `tls-proxy: https://${opts.listen} -> http://${opts.upstream} (plain http: ${opts.http})`,
  );
});

for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    front.close();
    process.exit(0);
  });
}
