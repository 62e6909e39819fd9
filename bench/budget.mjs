// The performance budget: fails the build when the browser's first download or the board's
// server time grows past the ceilings in bench/budget.json. Run by scripts/test after the small
// board benchmark; see "Performance budget" in bench/board/README.md.
//
//   node bench/budget.mjs SITE_DIR BENCH_JSON [HASH_FILE=target/release/hash.txt]
//
// - first load: the app's WASM, JS and CSS as a browser downloads them: the build's precompressed
//   brotli files (quality 11), which the server sends as they are. Deterministic, so the ceiling
//   sits close.
// - board server time: the board page's median time to first byte over the sign-in page's
//   (no database work), both from the same run on the same server, so a slow or busy machine
//   moves both and the ratio far less than either. The ceiling leaves room for that noise.
//
// When a change makes either figure better for good, lower the ceiling in the same commit: a
// budget only ever goes down.
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
const assets = ["wasm", "js", "css"].map((kind) => {
  if (!hashes[kind]) throw new Error(`${hashFile} names no ${kind} file`);
  const name = `taskdeck.${hashes[kind]}.${kind}`;
  const file = join(site, "pkg", name);
  // What the server sends: the build's own brotli file (scripts/build-release precompresses).
  return { name, raw: statSync(file).size, brotli: statSync(`${file}.br`).size };
});
const firstLoad = assets.reduce((sum, a) => sum + a.brotli, 0);

const runs = readFileSync(benchJson, "utf8")
  .split("\n")
  .filter(Boolean)
  .map((line) => JSON.parse(line))
  .filter((run) => run.kind === "server");
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

const checks = [
  {
    what: "first load (WASM + JS + CSS, brotli 11)",
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
];
for (const a of assets) {
  console.log(`  ${a.name}: ${a.raw.toLocaleString("en")} bytes raw, ${a.brotli.toLocaleString("en")} brotli`);
}
console.log(`  board ${board.toFixed(1)} ms, sign-in page ${signIn.toFixed(1)} ms (medians of ${run.runs})`);
let over = 0;
for (const c of checks) {
  const ok = c.figure <= c.ceiling;
  if (!ok) over += 1;
  console.log(`${ok ? "within" : "OVER"} budget: ${c.what}: ${c.shown(c.figure)} (ceiling ${c.shown(c.ceiling)})`);
}
if (over > 0) {
  console.error(
    `${over} figure(s) over the performance budget (bench/budget.json). Find what grew; raise a ceiling only with a reason in the commit.`,
  );
  process.exit(1);
}
