/**
 * A stand-in for Sentry during the end-to-end run: a real HTTP server that accepts envelopes at
 * Sentry's ingestion path and lets the tests read what arrived (GET /received).
 * Started by Playwright's global setup; Taskdeck is started with SENTRY_DSN pointing here
 * (scripts/test sets both).
 */
import { createServer, type Server } from "node:http";

export const SINK_PORT = Number(process.env.SENTRY_SINK_PORT ?? 3998);

export function startSentrySink(): Promise<Server> {
  const received: { path: string; body: string }[] = [];
  const server = createServer((request, response) => {
    if (request.method === "GET" && request.url === "/received") {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify(received));
      return;
    }
    if (request.method === "POST" && /^\/api\/\d+\/envelope\/?$/.test(request.url ?? "")) {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        received.push({ path: request.url ?? "", body: Buffer.concat(chunks).toString("utf8") });
        // One connection per envelope: an idle keep-alive connection that this server closes
        // while the SDK reuses it would lose an envelope (the SDK does not retry).
        response.writeHead(200, { "content-type": "application/json", connection: "close" });
        response.end("{}");
      });
      return;
    }
    response.writeHead(404);
    response.end();
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(SINK_PORT, "127.0.0.1", () => resolve(server));
  });
}
