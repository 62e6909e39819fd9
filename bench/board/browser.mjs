// The browser half of the board benchmark: loads the board page in Debian's Chromium (driven by
// end2end's Playwright) several times, each in a fresh browser context (empty cache, the session
// cookie set directly), and prints when the page became visible and when it hydrated.
// Started by bench/board/run.sh; see bench/board/README.md.
//
//   node browser.mjs BASE_URL COOKIE PROJECT_ID TASKS [RUNS=5] [TIMEOUT_SECS=600]
//
// Every figure is milliseconds since the navigation started (performance.timeOrigin).
import { createRequire } from "node:module";
import { appendFileSync } from "node:fs";
import { firstPage, printTable, stats } from "./http.mjs";

// Playwright lives in end2end/node_modules; resolve it from there.
const require = createRequire(new URL("../../end2end/package.json", import.meta.url));
const { chromium } = require("@playwright/test");

const [base, cookie, projectIdArg, tasksArg, runsArg = "5", timeoutArg = "600"] = process.argv.slice(2);
if (!base || !cookie || !projectIdArg || !tasksArg) {
  console.error("usage: node browser.mjs BASE_URL COOKIE PROJECT_ID TASKS [RUNS] [TIMEOUT_SECS]");
  process.exit(2);
}
const projectId = Number(projectIdArg);
const tasks = Number(tasksArg);
const runs = Number(runsArg);
const timeoutMs = Number(timeoutArg) * 1000;
const url = new URL(`/projects/${projectId}`, base).href;

// Runs in the page before any of its own scripts (Playwright injects it through the DevTools
// protocol, so the page's Content-Security-Policy does not apply): notes the moment <body> gets
// data-hydrated="true", which Taskdeck's App sets in its first effect once the WASM has hydrated.
const probe = () => {
  window.__bench = { hydrated: null, longTasks: [] };
  // Main-thread tasks over 50 ms (parsing, WASM start, hydration), to see when the page went quiet.
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__bench.longTasks.push([e.startTime, e.duration]);
  }).observe({ type: "longtask" });
  const seen = () => {
    if (window.__bench.hydrated === null && document.body?.getAttribute("data-hydrated") === "true") {
      window.__bench.hydrated = performance.now();
      observer.disconnect();
    }
  };
  const observer = new MutationObserver(seen);
  observer.observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-hydrated"] });
};

// Reads the figures once the page has hydrated.
const read = () =>
  new Promise((resolve) => {
    const nav = performance.getEntriesByType("navigation")[0];
    const fcp = performance.getEntriesByName("first-contentful-paint")[0];
    let lcp = null;
    let lcpElement = null;
    // Buffered: every LCP candidate so far; the last one is the LCP.
    new PerformanceObserver((list) => {
      const entries = list.getEntries();
      const last = entries[entries.length - 1];
      lcp = last.startTime;
      lcpElement = last.element ? last.element.tagName.toLowerCase() + (last.element.className ? "." + last.element.className : "") : null;
    }).observe({ type: "largest-contentful-paint", buffered: true });
    // Buffered entries are delivered in a task of their own; give it a moment.
    setTimeout(
      () =>
        resolve({
          responseStart: nav.responseStart,
          responseEnd: nav.responseEnd,
          fcp: fcp ? fcp.startTime : null,
          lcp,
          lcpElement,
          domContentLoaded: nav.domContentLoadedEventEnd,
          load: nav.loadEventEnd,
          hydrated: window.__bench?.hydrated ?? null,
          // End of the last long task: when the main thread was last busy for 50 ms or more.
          quiet: Math.max(0, ...(window.__bench?.longTasks ?? []).map(([start, duration]) => start + duration)),
          longTasks: window.__bench?.longTasks ?? [],
          htmlBytes: nav.transferSize,
          cards: document.querySelectorAll(".task-card").length,
        }),
      200,
    );
  });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
  ],
});

const samples = [];
try {
  for (let run = 1; run <= runs; run++) {
    const context = await browser.newContext({ javaScriptEnabled: true, viewport: { width: 1280, height: 800 } });
    await context.addCookies([{ name: "taskdeck_session", value: cookie, url: base, httpOnly: true, sameSite: "Lax" }]);
    const page = await context.newPage();
    page.setDefaultTimeout(timeoutMs);
    const errors = [];
    // A WASM panic or trap means the page will never hydrate: stop waiting.
    let failed;
    const pageFailed = new Promise((_, reject) => (failed = reject));
    pageFailed.catch(() => {});
    page.on("pageerror", (err) => {
      errors.push(err.message);
      if (/unreachable|panicked|RuntimeError/.test(`${err.name} ${err.message}`)) {
        failed(new Error(`the WASM stopped: ${err.message}`));
      }
    });
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(`console: ${message.text()}`);
    });
    await page.addInitScript(probe);
    const started = performance.now();
    const response = await page.goto(url, { waitUntil: "load", timeout: timeoutMs });
    if (!response || response.status() !== 200) throw new Error(`${url} answered ${response?.status()}`);
    if (new URL(page.url()).pathname !== `/projects/${projectId}`) throw new Error(`landed on ${page.url()}, not the board`);
    await Promise.race([
      page.waitForSelector('body[data-hydrated="true"]', { state: "attached", timeout: timeoutMs }),
      pageFailed,
    ]).catch((err) => {
      throw new Error(`run ${run}: the page did not hydrate (${err.message.split("\n")[0]}); page errors: ${errors.join(" | ") || "none"}`);
    });
    // Then until the main thread has had no long task for a second, so work that hydration left
    // for later is counted in `quiet` too.
    await page.waitForFunction(
      () => {
        const ends = window.__bench.longTasks.map(([start, duration]) => start + duration);
        return performance.now() - Math.max(window.__bench.hydrated ?? 0, ...ends) > 1000;
      },
      null,
      { polling: 100, timeout: timeoutMs },
    );
    const sample = await page.evaluate(read);
    sample.wall = performance.now() - started;
    if (sample.cards !== firstPage(tasks)) {
      throw new Error(`the board shows ${sample.cards} task cards, expected ${firstPage(tasks)} (one page per column)`);
    }
    if (errors.length) console.error(`run ${run}: page errors: ${errors.join(" | ")}`);
    samples.push(sample);
    console.log(
      `run ${run}/${runs}: responseStart ${fmt(sample.responseStart)}, FCP ${fmt(sample.fcp)}, LCP ${fmt(sample.lcp)} (${sample.lcpElement}), ` +
        `DOMContentLoaded ${fmt(sample.domContentLoaded)}, hydrated ${fmt(sample.hydrated)}, ` +
        `last long task ended ${fmt(sample.quiet)} ms ` +
        `(${sample.longTasks.length} long tasks, ${fmt(sample.longTasks.reduce((sum, [, d]) => sum + d, 0))} ms in all)`,
    );
    await context.close();
  }
} finally {
  await browser.close();
}

const figures = [
  ["responseStart", "first byte of the HTML"],
  ["responseEnd", "last byte of the HTML"],
  ["fcp", "first-contentful-paint"],
  ["lcp", "largest-contentful-paint"],
  ["domContentLoaded", "DOMContentLoaded (end)"],
  ["load", "load event (end)"],
  ["hydrated", 'body[data-hydrated="true"]'],
  ["quiet", "end of the last long task"],
];
console.log(`\nBrowser (Chromium ${browser.version()}, JavaScript on, ${runs} loads, fresh context each), ms since navigation start`);
const rows = [["figure", "meaning", "min", "median", "max"]];
const summary = {};
for (const [key, meaning] of figures) {
  const values = samples.map((s) => s[key]).filter((v) => v !== null && v !== undefined);
  if (!values.length) {
    rows.push([key, meaning, "-", "-", "-"]);
    continue;
  }
  const s = stats(values);
  summary[key] = s;
  rows.push([key, meaning, fmt(s.min), fmt(s.median), fmt(s.max)]);
}
printTable(rows);
if (process.env.BENCH_JSON) {
  appendFileSync(process.env.BENCH_JSON, JSON.stringify({ kind: "browser", tasks, runs, summary, samples }) + "\n");
}

function fmt(v) {
  return v === null || v === undefined ? "-" : v.toFixed(0);
}
