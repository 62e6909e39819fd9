// The HTTP half of the board benchmark: sets up an account and a project, seeds tasks through
// Taskdeck's own server functions, and times the board page and `get_board` from a plain client.
// Started by bench/board/run.sh; see bench/board/README.md.
//
//   node http.mjs setup BASE_URL                        -> prints {"cookie": …, "projectId": …}
//   node http.mjs seed  BASE_URL COOKIE PROJECT_ID TASKS [CONCURRENCY]
//   node http.mjs time  BASE_URL COOKIE PROJECT_ID TASKS RUNS WARMUPS TIMEOUT_SECS
//
// Only Node's standard library is used, so the script runs without installing anything.
import http from "node:http";

const COOKIE_NAME = "taskdeck_session";
const PASSWORD = "correct horse battery staple";
const STATUSES = ["todo", "in_progress", "done"];

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

/**
 * One request; resolves with status, headers, body (Buffer) and timings in milliseconds from the
 * moment the request was handed to the socket: `ttfb` when the response headers arrived, `total`
 * when the last byte did.
 */
function request(base, { method = "GET", path, headers = {}, form, timeoutMs = 600_000 }) {
  const url = new URL(path, base);
  const body = form ? new URLSearchParams(form).toString() : undefined;
  const allHeaders = { ...headers };
  if (body !== undefined) {
    allHeaders["content-type"] = "application/x-www-form-urlencoded";
    allHeaders["content-length"] = Buffer.byteLength(body);
  }
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let ttfb = 0;
    const req = http.request(
      url,
      { method, headers: allHeaders, agent, timeout: timeoutMs },
      (res) => {
        ttfb = performance.now() - started;
        const chunks = [];
        res.on("data", (chunk) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode,
            headers: res.headers,
            body: Buffer.concat(chunks),
            ttfb,
            total: performance.now() - started,
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${method} ${path} timed out after ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(body);
  });
}

/** Calls a server function as the hydrated app does (JSON answer). */
async function call(base, cookie, name, form, timeoutMs) {
  const headers = { accept: "application/json" };
  if (cookie) headers.cookie = `${COOKIE_NAME}=${cookie}`;
  const res = await request(base, { method: "POST", path: `/api/${name}`, headers, form, timeoutMs });
  if (res.status !== 200) {
    throw new Error(`${name} answered ${res.status}: ${res.body.toString("utf8").slice(0, 500)}`);
  }
  return res;
}

async function setup(base) {
  const email = `bench-${Date.now().toString(36)}@example.com`;
  // Signing up does not sign in (it says nothing about whether the address had an account).
  await call(base, null, "sign_up", { email, password: PASSWORD });
  const signIn = await call(base, null, "sign_in", { email, password: PASSWORD });
  const setCookie = [].concat(signIn.headers["set-cookie"] ?? []);
  const cookie = setCookie
    .map((line) => line.split(";")[0])
    .find((pair) => pair.startsWith(`${COOKIE_NAME}=`))
    ?.slice(COOKIE_NAME.length + 1);
  if (!cookie) throw new Error(`sign_in set no ${COOKIE_NAME} cookie`);
  const created = await call(base, cookie, "create_project", { name: "Benchmark board" });
  const match = /^\/projects\/(\d+)$/.exec(created.headers.location ?? "");
  if (!match) throw new Error(`create_project redirected to ${created.headers.location}`);
  console.log(JSON.stringify({ cookie, projectId: Number(match[1]), email }));
}

/**
 * TASKS × create_task, then move_task for two thirds of them, so the columns hold about a third
 * each (task i goes to STATUSES[i % 3]); each move puts the card at the bottom of its new column.
 */
async function seed(base, cookie, projectId, tasks, concurrency) {
  const started = performance.now();
  const ids = new Array(tasks);
  await pool(tasks, concurrency, async (i) => {
    const res = await call(base, cookie, "create_task", {
      project_id: String(projectId),
      title: taskTitle(i),
    });
    ids[i] = JSON.parse(res.body.toString("utf8")).id;
  });
  const created = performance.now();
  let moves = 0;
  await pool(tasks, concurrency, async (i) => {
    const status = STATUSES[i % 3];
    if (status === "todo") return;
    await call(base, cookie, "move_task", { id: String(ids[i]), to: status });
    moves++;
  });
  const done = performance.now();
  console.log(
    `seeded ${tasks} tasks through the API (${concurrency} at a time): ` +
      `${tasks} create_task in ${secs(created - started)} s (${(tasks / ((created - started) / 1000)).toFixed(0)}/s), ` +
      `${moves} move_task in ${secs(done - created)} s; total ${secs(done - started)} s`,
  );
}

async function pool(count, concurrency, work) {
  let next = 0;
  const worker = async () => {
    while (next < count) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

/** Cards per column on a board page; more are a "Show more" away (domain::ColumnLimits::PAGE). */
export const PAGE = 50;

/** How many tasks each column holds when task i goes to STATUSES[i % 3]. */
export function columnSizes(tasks) {
  return STATUSES.map((_, column) => Math.floor((tasks - column + 2) / 3));
}

/** Cards on the board page as it first opens: one page of each column. */
export function firstPage(tasks) {
  return columnSizes(tasks).reduce((sum, size) => sum + Math.min(size, PAGE), 0);
}

function taskTitle(i) {
  return `Benchmark task ${String(i + 1).padStart(5, "0")}`;
}

/** Times one kind of request: WARMUPS untimed, then RUNS timed, one after another. */
async function series(label, runs, warmups, send, check) {
  let last;
  for (let i = 0; i < warmups; i++) check((last = await send()));
  const ttfb = [];
  const total = [];
  for (let i = 0; i < runs; i++) {
    last = await send();
    check(last);
    ttfb.push(last.ttfb);
    total.push(last.total);
  }
  return { label, ttfb: stats(ttfb), total: stats(total), bytes: last.body.length, encoding: last.headers["content-encoding"] ?? "identity" };
}

async function time(base, cookie, projectId, tasks, runs, warmups, timeoutMs) {
  const page = (encoding, query = "") => () =>
    request(base, {
      path: `/projects/${projectId}${query}`,
      headers: { accept: "text/html", "accept-encoding": encoding, cookie: `${COOKIE_NAME}=${cookie}` },
      timeoutMs,
    });
  const checkPage = (expected) => (res) => {
    if (res.status !== 200) throw new Error(`GET /projects/${projectId} answered ${res.status}`);
    if (res.headers["content-encoding"]) return; // compressed: counted on the identity series
    const cards = res.body.toString("utf8").split('class="task-card"').length - 1;
    if (cards !== expected) throw new Error(`the board page shows ${cards} task cards, expected ${expected}`);
  };
  const board = () =>
    request(base, {
      method: "POST",
      path: "/api/get_board",
      headers: { accept: "application/json", "accept-encoding": "identity", cookie: `${COOKIE_NAME}=${cookie}` },
      form: { project_id: String(projectId) },
      timeoutMs,
    });
  const checkBoard = (res) => {
    if (res.status !== 200) throw new Error(`get_board answered ${res.status}: ${res.body.toString("utf8").slice(0, 300)}`);
    const { columns } = JSON.parse(res.body.toString("utf8"));
    const shown = columns.reduce((sum, column) => sum + column.tasks.length, 0);
    const total = columns.reduce((sum, column) => sum + column.total, 0);
    if (shown !== firstPage(tasks) || total !== tasks) {
      throw new Error(`get_board returned ${shown} of ${total} tasks, expected ${firstPage(tasks)} of ${tasks}`);
    }
  };
  // "Show more" in the To do column 19 times: the heaviest board page a person is likely to open.
  const deep = Math.min(columnSizes(tasks)[0], 1000);
  const deepExpected = firstPage(tasks) - Math.min(columnSizes(tasks)[0], PAGE) + deep;
  // The same server's page with no database work, timed in the same sitting: the board's time
  // over it is a ratio that machine noise mostly cancels out of (bench/budget.mjs judges it).
  const signIn = () => request(base, { path: "/login", headers: { accept: "text/html", "accept-encoding": "identity" }, timeoutMs });
  const checkSignIn = (res) => {
    if (res.status !== 200) throw new Error(`GET /login answered ${res.status}`);
  };
  const results = [
    await series("GET /login (HTML, uncompressed, signed out: the baseline)", runs, warmups, signIn, checkSignIn),
    await series(`GET /projects/${projectId} (HTML, uncompressed)`, runs, warmups, page("identity"), checkPage(firstPage(tasks))),
    await series(`GET /projects/${projectId} (HTML, br like a browser)`, runs, warmups, page("br"), checkPage(firstPage(tasks))),
    await series("POST /api/get_board (JSON, uncompressed)", runs, warmups, board, checkBoard),
    await series(
      `GET /projects/${projectId}?todo=${deep} (HTML, br)`,
      runs,
      warmups,
      page("br", `?todo=${deep}`),
      checkPage(deepExpected),
    ),
    await series(`GET /projects/${projectId}?todo=${deep} (HTML, uncompressed)`, 1, 0, page("identity", `?todo=${deep}`), checkPage(deepExpected)),
  ];
  console.log(`Server time: ${runs} timed requests each after ${warmups} warm-ups, one at a time, milliseconds`);
  console.log("(ttfb = response headers received, total = last byte received; bytes = body as sent)");
  const rows = [["request", "", "min", "median", "p95", "max", "bytes"]];
  for (const r of results) {
    for (const which of ["ttfb", "total"]) {
      const s = r[which];
      rows.push([r.label, which, ms(s.min), ms(s.median), ms(s.p95), ms(s.max), which === "total" ? String(r.bytes) : ""]);
    }
  }
  printTable(rows);
  if (process.env.BENCH_JSON) {
    const { appendFileSync } = await import("node:fs");
    appendFileSync(process.env.BENCH_JSON, JSON.stringify({ kind: "server", tasks, runs, warmups, results }) + "\n");
  }
}

export function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { min: sorted[0], median, p95: at(0.95), max: sorted[sorted.length - 1], n: sorted.length };
}

export function printTable(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  for (const r of rows) {
    console.log(r.map((cell, c) => (c === 0 ? String(cell).padEnd(widths[c]) : String(cell).padStart(widths[c]))).join("  "));
  }
}

const ms = (v) => (v === undefined || v === null || Number.isNaN(v) ? "-" : v.toFixed(1));
const secs = (v) => (v / 1000).toFixed(1);

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) {
  const [command, base, ...rest] = process.argv.slice(2);
  try {
    if (command === "setup") await setup(base);
    else if (command === "seed") await seed(base, rest[0], Number(rest[1]), Number(rest[2]), Number(rest[3] ?? 4));
    else if (command === "time")
      await time(base, rest[0], Number(rest[1]), Number(rest[2]), Number(rest[3]), Number(rest[4]), Number(rest[5]) * 1000);
    else throw new Error(`unknown command ${command}; expected setup, seed or time`);
  } catch (err) {
    console.error(`http.mjs ${command}: ${err.message}`);
    process.exitCode = 1;
  } finally {
    agent.destroy();
  }
}
