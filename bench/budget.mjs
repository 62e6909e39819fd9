// The performance budget: fails the build when the browser's first download, the board's server
// time (alone and under load) or the Lighthouse mobile score moves past the limits in
// bench/budget.json. Run by scripts/test after small runs of the board, throughput and Lighthouse
// benchmarks, which append to one BENCH_JSON file; see "Performance budget" in
// bench/board/README.md.
//
//   node bench/budget.mjs SITE_DIR BENCH_JSON [HASH_FILE=target/release/hash.txt]
//
// - first load: what a browser downloads for a page's app: the main WASM, JS, CSS and split
//   loader, and the WASM parts that page preloads, as the build's precompressed brotli files
//   (quality 11), which the server sends as they are; the heaviest page is held to the ceiling.
//   Deterministic, so the ceiling sits close.
// - board server time: the board page's median time to first byte over the sign-in page's
//   (no database work), both from the same run on the same server, so a slow or busy machine
//   moves both and the ratio far less than either. The ceiling leaves room for that noise.
//
// - board under load: its p99 at the benchmark's concurrency over the sign-in page's, likewise.
// - Lighthouse: the lowest mobile performance score of the audited pages (a floor).
//
// When a change makes a figure better for good, tighten its limit in the same commit: a budget
// only ever gets stricter.
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const [site, benchJson, hashFile = "target/release/hash.txt"] = process.argv.slice(2);
if (!site || !benchJson) {
  console.error("usage: node bench/budget.mjs SITE_DIR BENCH_JSON [HASH_FILE]");
  process.exit(2);
}
const budget = JSON.parse(readFileSync(new URL("./budget.json", import.meta.url), "utf8"));

// The build names each file after its content; hash.txt says which names are this build's.
const hashes = Object.fromEntries(
  readFileSync(hashFile, "utf8")
    .split("\n")
    .map((line) => line.split(":").map((part) => part.trim()))
    .filter(([kind, hash]) => kind && hash),
);
const brotliOf = (name) => {
  const file = join(site, "pkg", name);
  // What the server sends: the build's own brotli file (scripts/build-release precompresses).
  return { name, raw: statSync(file).size, brotli: statSync(`${file}.br`).size };
};
const assets = ["wasm", "js", "css"].map((kind) => {
  if (!hashes[kind]) throw new Error(`${hashFile} names no ${kind} file`);
  return brotliOf(`taskdeck.${hashes[kind]}.${kind}`);
});
// The occasional pages' code is split into parts of its own (app/src/routes.rs), which such a
// page's HTML preloads, with the loader script that fetches them. A page's first load is the
// app's files and its own parts; the budget holds the heaviest.
if (!hashes.split || !hashes.manifest) {
  throw new Error(`${hashFile} names no split WASM (was the browser build made with --split?)`);
}
assets.push(brotliOf(`__wasm_split.${hashes.split}.js`));
const manifest = JSON.parse(readFileSync(join(site, "pkg", `__wasm_split_manifest.${hashes.manifest}.json`), "utf8"));
const app = assets.reduce((sum, a) => sum + a.brotli, 0);
const pages = Object.entries(manifest)
  .map(([split, parts]) => ({
    // `__account_view_1234…` for the account page's route: its name tells the pages apart.
    page: split.replace(/^_+/, "").replace(/_view_\d+$/, ""),
    parts: parts.map((part) => brotliOf(`${part}.wasm`)),
  }))
  .map((p) => ({ ...p, bytes: app + p.parts.reduce((sum, a) => sum + a.brotli, 0) }));
// The pages that are not split (the board, the list, the task page…) download the app alone.
pages.push({ page: "every page not split", parts: [], bytes: app });
pages.sort((a, b) => b.bytes - a.bytes);
const heaviest = pages[0];
const firstLoad = heaviest.bytes;

const records = readFileSync(benchJson, "utf8")
  .split("\n")
  .filter(Boolean)
  .map((line) => JSON.parse(line));
const runs = records.filter((run) => run.kind === "server");
const run = runs.at(-1);
if (!run) {
  console.error(`${benchJson} holds no server timings: did the board benchmark run with BENCH_JSON set?`);
  process.exit(2);
}
const find = (prefix) => {
  const series = run.results.find((r) => r.label.startsWith(prefix));
  if (!series) throw new Error(`no "${prefix}" series in ${benchJson}`);
  return series.ttfb.median;
};
const signIn = find("GET /login");
const board = find(`GET /projects/`);
// The sign-in page answers in about a millisecond, where a few tenths of scheduling jitter would
// move the ratio by a third: it is divided by at least 2 ms.
const SIGN_IN_FLOOR_MS = 2;
const ratio = board / Math.max(signIn, SIGN_IN_FLOOR_MS);

// Under load (bench/throughput/run.sh) on PostgreSQL: the board page's p99 over the sign-in page's,
// both at the same concurrency in the same run, for the same reason.
const underLoad = (series) => {
  const found = records.findLast(
    (r) => r.kind === "throughput" && r.backend === "postgres" && r.side === "taskdeck" && r.series === series,
  );
  if (!found) throw new Error(`no PostgreSQL "${series}" series in ${benchJson}: did bench/throughput/run.sh run with BENCH_JSON set?`);
  return found;
};
const boardLoaded = underLoad("board");
const signInLoaded = underLoad("sign-in");
const loadedRatio = boardLoaded.p99_us / Math.max(signInLoaded.p99_us, SIGN_IN_FLOOR_MS * 1000);

// Lighthouse's mobile profile (bench/lighthouse/run.sh): the lowest score of the pages audited,
// each page's latest audit.
const mobile = [
  ...new Map(
    records.filter((r) => r.kind === "lighthouse" && r.profile === "mobile").map((r) => [r.page, r]),
  ).values(),
];
if (mobile.length === 0) {
  throw new Error(`no Lighthouse mobile figures in ${benchJson}: did bench/lighthouse/run.sh run with BENCH_JSON set?`);
}
const lowest = mobile.reduce((low, r) => (r.score < low.score ? r : low));

const checks = [
  {
    what: `first load of the heaviest page (${heaviest.page}: the app's WASM, JS and CSS and the page's own parts, brotli 11)`,
    figure: firstLoad,
    ceiling: budget.first_load_brotli_bytes,
    shown: (v) => `${v.toLocaleString("en")} bytes`,
  },
  {
    what: `board page SSR, ${run.tasks} tasks, median ttfb over the sign-in page's (at least ${SIGN_IN_FLOOR_MS} ms)`,
    figure: ratio,
    ceiling: budget.board_ttfb_over_sign_in,
    shown: (v) => `${v.toFixed(2)}×`,
  },
  {
    what: `board page SSR at ${boardLoaded.connections} connections on PostgreSQL, p99 over the sign-in page's (at least ${SIGN_IN_FLOOR_MS} ms)`,
    figure: loadedRatio,
    ceiling: budget.board_p99_over_sign_in_p99,
    shown: (v) => `${v.toFixed(2)}×`,
  },
  {
    what: `Lighthouse mobile performance score, lowest page (${lowest.page})`,
    figure: lowest.score,
    floor: budget.lighthouse_mobile_score_at_least,
    shown: (v) => String(v),
  },
];
for (const a of assets) {
  console.log(`  ${a.name}: ${a.raw.toLocaleString("en")} bytes raw, ${a.brotli.toLocaleString("en")} brotli`);
}
for (const p of pages) {
  console.log(`  first load of ${p.page}: ${p.bytes.toLocaleString("en")} bytes (the app and ${p.parts.length} parts)`);
}
console.log(`  board ${board.toFixed(1)} ms, sign-in page ${signIn.toFixed(1)} ms (medians of ${run.runs})`);
console.log(
  `  under load: board p99 ${(boardLoaded.p99_us / 1000).toFixed(1)} ms, sign-in page p99 ${(signInLoaded.p99_us / 1000).toFixed(1)} ms`,
);
console.log(`  Lighthouse mobile: ${mobile.map((r) => `${r.page} ${r.score}`).join(", ")}`);
let over = 0;
for (const c of checks) {
  if (c.ceiling === undefined && c.floor === undefined) throw new Error(`bench/budget.json has no limit for: ${c.what}`);
  const ok = c.floor === undefined ? c.figure <= c.ceiling : c.figure >= c.floor;
  if (!ok) over += 1;
  const limit = c.floor === undefined ? `ceiling ${c.shown(c.ceiling)}` : `floor ${c.shown(c.floor)}`;
  console.log(`${ok ? "within" : "OUTSIDE"} budget: ${c.what}: ${c.shown(c.figure)} (${limit})`);
}
if (over > 0) {
  console.error(
    `${over} figure(s) outside the performance budget (bench/budget.json). Find what grew; raise a ceiling only with a reason in the commit.`,
  );
  process.exit(1);
}
