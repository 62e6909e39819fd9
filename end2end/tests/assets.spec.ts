import { createHash } from "node:crypto";
import type { APIRequestContext } from "@playwright/test";
import { expect, gotoReady, jsEnabled, test } from "./fixtures";

// The release build names the app's files after their content and the pages name this build's
// files, so a browser keeps them for good: a repeat visit downloads nothing and asks nothing, and an
// upgrade's first page names the new files. The server sends the build's precompressed copies as
// they are, never compressing per request.

/** The app's script, WebAssembly and stylesheet as a page names them. */
async function appFiles(request: APIRequestContext): Promise<Record<"js" | "wasm" | "css", string>> {
  const html = await (await request.get("/login")).text();
  const find = (pattern: RegExp) => {
    const match = html.match(pattern);
    expect(match, `the sign-in page names a file like ${pattern}`).not.toBeNull();
    return match![1];
  };
  return {
    js: find(/<link rel="modulepreload" href="(\/pkg\/taskdeck\.[^"]+\.js)"/),
    wasm: find(/<link rel="preload" href="(\/pkg\/taskdeck\.[^"]+\.wasm)"/),
    css: find(/<link[^>]*href="(\/pkg\/[^"]+\.css)"/),
  };
}

/** The parts of the WASM a page preloads besides the app's own files: its page's code and the
 * loader that fetches it (app/src/routes.rs). */
async function pageParts(request: APIRequestContext, path: string): Promise<string[]> {
  const html = await (await request.get(path)).text();
  return [...html.matchAll(/href="(\/pkg\/[^"]+)"/g)]
    .map((match) => match[1])
    .filter((file) => !file.startsWith("/pkg/taskdeck."));
}

/** A page whose code is loaded lazily (app/src/routes.rs) and that needs no account. */
const INVITATION = "/invitations/no-such-link";

const TYPES = { js: "text/javascript", wasm: "application/wasm", css: "text/css" } as const;

/** The hash a file's name carries must be its bytes' (cargo-leptos's MD5, base64url), or a
 * browser keeping it for good could run stale bytes under a current name. The app's script and
 * the parts' loader name each other, so they are named after both files' bytes together
 * (scripts/content-names.mjs, whose tests cover them). */
function expectNamedAfterContent(path: string, body: Buffer) {
  if (/^\/pkg\/(taskdeck|__wasm_split)\.[^.]+\.js$/.test(path)) return;
  const hash = path.split(".").at(-2);
  expect(createHash("md5").update(body).digest("base64url"), `${path} is named after its bytes`).toBe(hash);
}

test.describe("the app's files", () => {
  test("are named after their content and kept for good, sent precompressed", async ({ request }) => {
    const files = await appFiles(request);
    for (const [kind, path] of Object.entries(files) as [keyof typeof TYPES, string][]) {
      expect(path, `the ${kind} file's name carries its content hash`).toMatch(
        new RegExp(`^/pkg/taskdeck\\.[A-Za-z0-9_-]{10,}\\.${kind}$`),
      );
      const plain = await request.get(path, { headers: { "accept-encoding": "identity" } });
      expect(plain.status()).toBe(200);
      expect(plain.headers()["content-type"]).toContain(TYPES[kind]);
      expect(plain.headers()["cache-control"]).toBe("public, max-age=31536000, immutable");
      expect(plain.headers()["content-encoding"]).toBeUndefined();
      const body = await plain.body();
      expectNamedAfterContent(path, body);
      const size = body.length;

      for (const encoding of ["br", "gzip"]) {
        const sent = await request.get(path, { headers: { "accept-encoding": encoding } });
        expect(sent.status()).toBe(200);
        expect(sent.headers()["content-encoding"]).toBe(encoding);
        expect(sent.headers()["cache-control"]).toBe("public, max-age=31536000, immutable");
        // A file read from disk has its length up front; one compressed per request is streamed
        // without one.
        const length = Number(sent.headers()["content-length"]);
        expect(length, `${path} as ${encoding} is the build's precompressed file`).toBeGreaterThan(0);
        expect(length).toBeLessThan(size);
      }
    }
  });

  test("an occasional page's own part of the WASM is preloaded, named after its content and kept for good", async ({ request }) => {
    // An invitation link's page, which a signed-out visitor sees too.
    const parts = await pageParts(request, INVITATION);
    expect(parts.some((file) => /^\/pkg\/split_[^/]*invitation_link[^/]*\.wasm$/.test(file)), `the invitation page preloads its code (${parts})`).toBe(true);
    expect(parts.some((file) => /^\/pkg\/__wasm_split\.[A-Za-z0-9_-]{10,}\.js$/.test(file)), "and the loader that fetches it").toBe(true);
    expect(parts.filter((file) => /account|settings|admin|feedback/.test(file)), "and no other page's code").toEqual([]);
    expect(await pageParts(request, "/login"), "the sign-in page needs the app alone").toEqual([]);
    for (const path of parts) {
      expect(path).toMatch(/\.[A-Za-z0-9_-]{10,}\.(wasm|js)$/);
      const sent = await request.get(path, { headers: { "accept-encoding": "br" } });
      expect(sent.status()).toBe(200);
      expect(sent.headers()["cache-control"]).toBe("public, max-age=31536000, immutable");
      expect(sent.headers()["content-encoding"], `${path} is sent as the build's brotli file`).toBe("br");
      expectNamedAfterContent(path, await (await request.get(path, { headers: { "accept-encoding": "identity" } })).body());
    }
  });

  test("the page itself is never kept, so an upgrade's first page names the new files", async ({ request }) => {
    const page = await request.get("/login");
    expect(page.headers()["cache-control"]).toBe("no-store");
  });

  test("a file that is not there is a plain 404, not a page, and not kept", async ({ request }) => {
    const missing = await request.get("/pkg/no-such-file.js");
    expect(missing.status()).toBe(404);
    expect(missing.headers()["cache-control"]).toBe("no-store");
    expect(await missing.text()).not.toContain("<html");
  });

  test("a repeat visit downloads no file and sends no request for one", async ({ page }) => {
    // With JavaScript off the page loads its stylesheet only; hydrated, all three, and the
    // invitation page its own parts, which the first visit fetched.
    // Each first visit is let finish its downloads: a preload still under way when the next page
    // opens is dropped, and is fetched again next time as it was never kept.
    await gotoReady(page, "/login");
    await page.waitForLoadState("networkidle");
    await gotoReady(page, INVITATION);
    await page.waitForLoadState("networkidle");

    // Every request the browser makes for an app file from here on, and which of them the cache
    // answered (Chromium's own record: the network, the disk cache or the memory cache).
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Network.enable");
    const asked = new Map<string, string>();
    const fromCache = new Set<string>();
    const pages: string[] = [];
    cdp.on("Network.requestWillBeSent", (event) => {
      const path = new URL(event.request.url).pathname;
      if (path.startsWith("/pkg/")) asked.set(event.requestId, event.request.url);
      if (event.type === "Document") pages.push(path);
    });
    // A request only costs a round trip when an answer came back that the cache did not give; one
    // the browser gave up on (a module preload with JavaScript off) got no answer at all.
    const answered = new Set<string>();
    cdp.on("Network.requestServedFromCache", (event) => fromCache.add(event.requestId));
    cdp.on("Network.responseReceived", (event) => {
      answered.add(event.requestId);
      if (event.response.fromDiskCache || event.response.fromPrefetchCache) fromCache.add(event.requestId);
    });

    await gotoReady(page, INVITATION);
    await gotoReady(page, "/login");
    // The record is live: both pages themselves came from the server (they are never kept).
    expect(pages).toEqual([INVITATION, "/login"]);
    // With JavaScript off the page uses only its stylesheet; Chromium may still fetch some of the
    // WASM the page preloads, which nothing there reads (and so is not always kept).
    const used = (url: string) => jsEnabled() || url.endsWith(".css");
    const wentOut = [...asked]
      .filter(([id, url]) => used(url) && answered.has(id) && !fromCache.has(id))
      .map(([, url]) => url);
    expect(wentOut, "app files fetched from the server on a repeat visit").toEqual([]);
    // The pages did name their files: each visit asked for them, and the cache answered.
    const kinds = new Set([...asked.values()].map((url) => url.split(".").pop()));
    expect(kinds.has("css")).toBe(true);
    if (jsEnabled()) expect([...kinds].sort()).toEqual(["css", "js", "wasm"]);
    if (jsEnabled()) {
      expect([...asked.values()].some((url) => url.includes("/pkg/split_")), "the invitation page's own parts were asked for").toBe(true);
    }
  });
});
