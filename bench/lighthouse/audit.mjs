// The Lighthouse half of bench/lighthouse/run.sh: audits pages of a running server in Debian's
// Chromium, with Lighthouse's mobile profile (its default simulated slow-4G and 4x CPU throttling)
// and its desktop profile, and prints performance score, LCP, TBT, CLS and bytes transferred.
//
//   node audit.mjs COOKIE NAME=URL...    (COOKIE: the taskdeck_session value, or - for none)
//
// Lighthouse is installed with end2end/'s npm packages (scripts/tools.sh).
import { appendFileSync } from "node:fs";
import { printTable } from "../board/http.mjs";

const modules = new URL("../../end2end/node_modules/", import.meta.url);
const { default: lighthouse } = await import(new URL("lighthouse/core/index.js", modules));
const { default: desktopConfig } = await import(new URL("lighthouse/core/config/desktop-config.js", modules));
const chromeLauncher = await import(new URL("chrome-launcher/dist/index.js", modules));

const [cookie, ...pages] = process.argv.slice(2);
if (!cookie || pages.length === 0) {
  console.error("usage: node audit.mjs COOKIE NAME=URL...");
  process.exit(2);
}

const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu"],
});
// Lighthouse now and then fails to record a trace (NO_NAVSTART, NO_FCP) on a busy machine; such
// a run measured nothing, so it is run again, and only a page that fails every time stops the run.
const ATTEMPTS = 3;
async function audited(url, flags, config, label) {
  for (let attempt = 1; ; attempt++) {
    const { lhr } = await lighthouse(url, flags, config);
    if (!lhr.runtimeError) return lhr;
    const failure = `${label}: ${lhr.runtimeError.code}: ${lhr.runtimeError.message}`;
    if (attempt === ATTEMPTS) throw new Error(`${failure} (${ATTEMPTS} attempts)`);
    console.error(`${failure}; running it again`);
  }
}

const results = [];
try {
  for (const page of pages) {
    const [name, url] = page.split(/=(.*)/s);
    for (const [profile, config] of [["mobile", undefined], ["desktop", desktopConfig]]) {
      const flags = {
        port: chrome.port,
        output: "json",
        logLevel: "error",
        onlyCategories: ["performance"],
        extraHeaders: cookie === "-" ? undefined : { Cookie: `taskdeck_session=${cookie}` },
      };
      const lhr = await audited(url, flags, config, `${name} (${profile})`);
      const audit = (id) => lhr.audits[id]?.numericValue ?? NaN;
      results.push({
        kind: "lighthouse",
        page: name,
        profile,
        finalUrl: lhr.finalDisplayedUrl,
        score: Math.round((lhr.categories.performance.score ?? 0) * 100),
        lcp_ms: audit("largest-contentful-paint"),
        tbt_ms: audit("total-blocking-time"),
        cls: audit("cumulative-layout-shift"),
        bytes: audit("total-byte-weight"),
      });
      const last = results.at(-1);
      if (new URL(last.finalUrl).pathname !== new URL(url).pathname) {
        throw new Error(`${name} ended at ${last.finalUrl}, not ${url}: was the session cookie refused?`);
      }
    }
  }
} finally {
  await chrome.kill();
}

printTable([
  ["page", "profile", "score", "LCP ms", "TBT ms", "CLS", "bytes"],
  ...results.map((r) => [r.page, r.profile, String(r.score), r.lcp_ms.toFixed(0), r.tbt_ms.toFixed(0), r.cls.toFixed(3), String(r.bytes)]),
]);
if (process.env.BENCH_JSON) {
  for (const r of results) appendFileSync(process.env.BENCH_JSON, JSON.stringify(r) + "\n");
}
