import { defineConfig } from "@playwright/test";

/**
 * End-to-end tests for Taskdeck.
 *
 * The server is started by `cargo leptos end-to-end` (see `end2end-cmd` in the workspace
 * Cargo.toml), not by Playwright, so there is deliberately no `webServer` here. Point the
 * tests at another server with TASKDECK_URL.
 *
 * Every test runs twice: once with JavaScript off (`ssr`: plain HTML forms, full page loads)
 * and once with JavaScript on (`hydrated`: the WASM bundle hydrates the page first).
 */
export default defineConfig({
  testDir: "./tests",
  globalSetup: "./global-setup.ts",
  fullyParallel: false,
  workers: 1,
  // No retries: a flaky test is a bug to fix, not to hide.
  retries: 0,
  reporter: "list",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  use: {
    baseURL: process.env.TASKDECK_URL ?? "http://127.0.0.1:3000",
    // Debian's Chromium; Playwright's own browser download is not available on these machines.
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
    trace: "retain-on-failure",
  },
  projects: [
    {
      name: "ssr",
      use: { javaScriptEnabled: false },
      // Browser code has nothing to test without JS: monitoring (error reports, web vitals) and
      // every `*.hydrated.spec.ts` (dragging, keys, live updates, shortcuts, and axe-core, which
      // runs as a script in the page; the markup it checks is the same with JavaScript off).
      testIgnore: /(monitoring|\.hydrated)\.spec\.ts$/,
    },
    {
      name: "hydrated",
      use: { javaScriptEnabled: true },
    },
  ],
});
