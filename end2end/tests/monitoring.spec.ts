/**
 * What operators get from real browsers: errors and WASM panics reach Sentry through Taskdeck's
 * own tunnel, and page visits produce web-vitals histograms. Both need JavaScript, so the `ssr`
 * project leaves this file out (see playwright.config.ts).
 */
import { expect, gotoReady, signUp, test, uniqueEmail } from "./fixtures";

const SINK = `http://127.0.0.1:${process.env.SENTRY_SINK_PORT ?? 3998}`;
const METRICS = process.env.TASKDECK_METRICS_URL ?? "http://127.0.0.1:3464/metrics";

test.describe("monitoring from the browser", () => {
  test("a panic in the browser reaches Sentry, without the visitor's email", async ({ page, request }) => {
    const email = uniqueEmail("panic");
    await signUp(page, email);
    const sent = page.waitForRequest((r) => r.url().endsWith("/monitoring/sentry") && r.method() === "POST");
    await page.evaluate(async () => {
      // The app's script under this build's content-hashed name, as the page names it.
      const script = document.querySelector('link[rel="modulepreload"]')?.getAttribute("href") ?? "";
      const module = await import(script);
      try {
        module.check_error_reporting();
      } catch {
        // The panic aborts the WASM call; what matters is what was reported.
      }
    });
    await sent;

    await expect
      .poll(async () => {
        const received: { body: string }[] = await (await request.get(`${SINK}/received`)).json();
        return received.find((e) => e.body.includes("error reporting check"))?.body ?? "";
      })
      .toContain("WasmPanic");
    const received: { body: string }[] = await (await request.get(`${SINK}/received`)).json();
    const envelope = received.find((e) => e.body.includes("error reporting check"))?.body ?? "";
    expect(envelope).toContain('"runtime":"wasm"');
    // The release is the one the server was started with (scripts/test: named for the commit), so
    // Sentry matches the event with that release's uploaded debug files.
    expect(envelope).toContain(`"release":"${process.env.TASKDECK_RELEASE ?? "taskdeck@"}`);
    expect(envelope).toContain('"environment":"e2e"');
    // Sentry shows where it panicked, file and line, with no debug file to match.
    const event = JSON.parse(envelope.trim().split("\n")[2]);
    const [frame] = event.exception.values[0].stacktrace.frames;
    expect(frame.filename).toMatch(/frontend\/src\/error_reports\.rs$/);
    expect(frame.lineno).toBeGreaterThan(0);
    expect(envelope).not.toContain(email);
    expect(envelope).not.toContain("taskdeck_session");
  });

  test("a page visit records web vitals for its route", async ({ browser, request }) => {
    const page = await browser.newPage();
    const email = uniqueEmail("vitals");
    await signUp(page, email);
    await gotoReady(page, "/projects");
    await page.getByRole("heading", { name: "Projects", exact: true }).click();
    // Leaving the page (it becomes hidden) is when the report is sent.
    await page.close({ runBeforeUnload: true });

    await expect
      .poll(async () => (await request.get(METRICS)).text())
      .toMatch(/taskdeck_web_vitals_ttfb_seconds_count\{route="\/projects"\} [1-9]/);
    const metrics = await (await request.get(METRICS)).text();
    expect(metrics).toMatch(/taskdeck_web_vitals_lcp_seconds_count\{route="\/projects"\} [1-9]/);
    expect(metrics).toMatch(/taskdeck_web_vitals_cls_count\{route="\/projects"\} [1-9]/);
    expect(metrics).toMatch(/taskdeck_page_views_total\{route="\/projects"\} [1-9]/);
  });
});
