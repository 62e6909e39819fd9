/**
 * Shared helpers for the Taskdeck end-to-end tests.
 *
 * Every spec runs in two Playwright projects (see playwright.config.ts):
 *  - `ssr`: JavaScript off. Forms are plain HTML forms: POST, redirect, full page load.
 *  - `hydrated`: JavaScript on. The server-rendered page is hydrated by the WASM bundle,
 *    which marks `<body data-hydrated="true">`; interacting before that is flaky, so every
 *    helper that lands on a page waits for the marker in this project.
 *
 * Helpers never sleep: after a submit they wait for something the user would see change
 * (the URL, a heading, a message), then for hydration of whatever page is now shown.
 */
import { expect, test as base, type Locator, type Page, type Response } from "@playwright/test";

export { expect };
export type { Locator, Page } from "@playwright/test";

/** A password that satisfies the "at least 8 characters" rule. */
export const PASSWORD = "correct-horse-battery";

export const COLUMNS = ["To do", "In progress", "Done"] as const;
export type ColumnName = (typeof COLUMNS)[number];

/**
 * `test` with one extra fixture, `js`: true in the `hydrated` project, false in `ssr`.
 */
export const test = base.extend<{ js: boolean; contentSecurityPolicy: void }>({
  js: async ({ javaScriptEnabled }, use) => {
    await use(javaScriptEnabled !== false);
  },
  /**
   * Fails any test during which the page broke its Content-Security-Policy: the app must hydrate
   * and work under the strict policy, so a refused script, style or connection is a bug.
   */
  contentSecurityPolicy: [
    async ({ page }, use) => {
      const violations: string[] = [];
      page.on("console", (message) => {
        if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
      });
      await use();
      expect(violations, "Content-Security-Policy violations").toEqual([]);
    },
    { auto: true },
  ],
});

/** Whether the project running the current test has JavaScript on. */
export function jsEnabled(): boolean {
  return base.info().project.use.javaScriptEnabled !== false;
}

// ---------------------------------------------------------------------------------------------
// Unique data
// ---------------------------------------------------------------------------------------------

let sequence = 0;

/** Lower-case letters only, so that text built from it never contains digits (see columnCount). */
export function randomLetters(length = 8): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz";
  let out = "";
  for (let i = 0; i < length; i += 1) {
    out += alphabet[Math.floor(Math.random() * alphabet.length)];
  }
  return out;
}

/** An email address no other test (in this run or an earlier one against the same database) uses. */
export function uniqueEmail(prefix = "user"): string {
  sequence += 1;
  return `${prefix}-${Date.now()}-${process.pid}-${sequence}-${randomLetters(6)}@example.com`;
}

// ---------------------------------------------------------------------------------------------
// Navigation and hydration
// ---------------------------------------------------------------------------------------------

/**
 * In the `hydrated` project, waits until the page currently shown has been hydrated.
 * Call it only once the page you expect is shown (after waiting for its URL or content), so
 * the marker seen is the new page's and not the one of the page being left.
 */
export async function waitForHydration(page: Page): Promise<void> {
  if (!jsEnabled()) return;
  await page.locator('body[data-hydrated="true"]').waitFor({ state: "attached" });
}

/** Navigates to `url` (relative to baseURL) and waits for hydration when JavaScript is on. */
export async function gotoReady(page: Page, url: string): Promise<Response | null> {
  const response = await page.goto(url);
  await waitForHydration(page);
  return response;
}

function normalisePath(pathname: string): string {
  return pathname.length > 1 && pathname.endsWith("/") ? pathname.slice(0, -1) : pathname;
}

/** The current URL's path, without a trailing slash. */
export function currentPath(page: Page): string {
  return normalisePath(new URL(page.url()).pathname);
}

/** Waits until the URL's path (query string ignored) equals `path` or matches the pattern. */
export async function expectPath(page: Page, path: string | RegExp): Promise<void> {
  await expect(page, `expected the path to be ${String(path)}`).toHaveURL((url) => {
    const actual = normalisePath(url.pathname);
    return typeof path === "string" ? actual === path : path.test(actual);
  });
}

/**
 * Turns off the browser's own form validation (required, type=email, maxlength, ...) on every
 * form of the page, so that invalid input reaches Taskdeck and the test sees Taskdeck's
 * message rather than a browser tooltip. Works with JavaScript off too: Playwright evaluates
 * this itself, the page's scripts stay disabled.
 */
export async function disableNativeValidation(page: Page): Promise<void> {
  await page.locator("form").evaluateAll((forms) => {
    for (const form of forms as HTMLFormElement[]) {
      form.noValidate = true;
      for (const field of Array.from(form.querySelectorAll("[maxlength], [minlength]"))) {
        field.removeAttribute("maxlength");
        field.removeAttribute("minlength");
      }
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Header and accounts
// ---------------------------------------------------------------------------------------------

export function currentUser(page: Page): Locator {
  return page.getByTestId("current-user");
}

export function signOutButton(page: Page): Locator {
  return page.getByRole("button", { name: "Sign out", exact: true });
}

/** The header's "Sign in" link (the home page shows a second one in its body). */
export function signInLink(page: Page): Locator {
  return page.getByRole("link", { name: "Sign in", exact: true }).first();
}

export function signUpLink(page: Page): Locator {
  return page.getByRole("link", { name: "Sign up", exact: true }).first();
}

export async function expectSignedIn(page: Page, email: string): Promise<void> {
  await expect(currentUser(page)).toContainText(email);
  await expect(signOutButton(page)).toBeVisible();
}

export async function expectSignedOut(page: Page): Promise<void> {
  await expect(signInLink(page)).toBeVisible();
  await expect(signUpLink(page)).toBeVisible();
  await expect(currentUser(page)).toHaveCount(0);
  await expect(signOutButton(page)).toHaveCount(0);
}

/** Every message the sign-up and sign-in forms can show. */
export const ACCOUNT_ERRORS = [
  "Enter a valid email address.",
  "Password must be at least 8 characters.",
  "Email or password is incorrect.",
] as const;

/** A freshly opened form shows no error, so an error seen after submitting is the answer to it. */
async function expectNoAccountError(page: Page): Promise<void> {
  for (const message of ACCOUNT_ERRORS) {
    await expect(page.getByText(message)).toHaveCount(0);
  }
}

/*
 * Form fields are found by role and accessible name rather than getByLabel(..., { exact: true }):
 * when a <label> wraps its control, the label's text includes a <select>'s options or a
 * <textarea>'s text, and an exact getByLabel then finds nothing. The accessible name is
 * right either way (wrapping label or label[for]).
 */

/** A text-like field (input, textarea, date input) by its label. */
export function textField(scope: Page | Locator, label: string): Locator {
  return scope.getByRole("textbox", { name: label, exact: true });
}

/** A <select> by its label. */
export function selectField(scope: Page | Locator, label: string): Locator {
  return scope.getByRole("combobox", { name: label, exact: true });
}

export function emailField(page: Page): Locator {
  return textField(page, "Email");
}

export function passwordField(page: Page): Locator {
  // Password inputs have no ARIA role.
  return page.getByLabel("Password", { exact: true });
}

/** Fills in and submits the sign-up form, without checking the outcome. */
export async function submitSignUp(page: Page, email: string, password: string): Promise<void> {
  await gotoReady(page, "/signup");
  await expect(page.getByRole("heading", { name: "Create your account", exact: true })).toBeVisible();
  await expectNoAccountError(page);
  await disableNativeValidation(page);
  await emailField(page).fill(email);
  await passwordField(page).fill(password);
  await page.getByRole("button", { name: "Create account", exact: true }).click();
}

/** Fills in and submits the sign-in form, without checking the outcome. */
export async function submitSignIn(page: Page, email: string, password: string): Promise<void> {
  await gotoReady(page, "/login");
  await expect(page.getByRole("heading", { name: "Sign in", exact: true })).toBeVisible();
  await expectNoAccountError(page);
  await disableNativeValidation(page);
  await emailField(page).fill(email);
  await passwordField(page).fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

/** What the sign-in page says after sign-up, whether or not the address already had an account. */
export const SIGNED_UP = "Your account is ready. Sign in with the email and password you chose.";

/**
 * Submits sign-up and checks the browser is sent, signed out, to the sign-in page with its notice
 * (sign-up never says whether the address already had an account, so it does not sign in).
 */
export async function expectSignedUp(page: Page, email: string, password: string = PASSWORD): Promise<void> {
  await submitSignUp(page, email, password);
  await expectPath(page, "/login");
  await expect(page.getByText(SIGNED_UP)).toBeVisible();
  await expectSignedOut(page);
}

/** Creates an account, signs in with it and checks the user lands, signed in, on /projects. */
export async function signUp(page: Page, email: string, password: string = PASSWORD): Promise<void> {
  await expectSignedUp(page, email, password);
  await signIn(page, email, password);
}

/** Signs in and checks the user lands, signed in, on /projects. */
export async function signIn(page: Page, email: string, password: string = PASSWORD): Promise<void> {
  await submitSignIn(page, email, password);
  await expectPath(page, "/projects");
  await expect(page.getByRole("heading", { name: "Projects", exact: true })).toBeVisible();
  await expectSignedIn(page, email);
  await waitForHydration(page);
}

/** Uses the header's "Sign out" button and checks the user ends on / or /login, signed out. */
export async function signOut(page: Page): Promise<void> {
  await waitForHydration(page);
  await signOutButton(page).click();
  await expectPath(page, /^\/(login)?$/);
  await expectSignedOut(page);
  await waitForHydration(page);
}

// ---------------------------------------------------------------------------------------------
// Projects
// ---------------------------------------------------------------------------------------------

/** Matches the path of a project's board, `/projects/{id}`. */
export const PROJECT_PATH = /^\/projects\/[^/]+$/;
/** Matches the path of a task's page, `/tasks/{id}`. */
export const TASK_PATH = /^\/tasks\/[^/]+$/;

export function projectList(page: Page): Locator {
  return page.getByTestId("project-list");
}

export function projectLink(page: Page, name: string): Locator {
  return projectList(page).getByRole("link", { name, exact: true });
}

export function projectNameField(page: Page): Locator {
  return textField(page, "Project name");
}

export function boardHeading(page: Page, projectName: string): Locator {
  return page.getByRole("heading", { level: 1, name: projectName, exact: true });
}

/** Creates a project from /projects; returns the path of its board, `/projects/{id}`. */
export async function createProject(page: Page, name: string): Promise<string> {
  await gotoReady(page, "/projects");
  await projectNameField(page).fill(name);
  await page.getByRole("button", { name: "Create project", exact: true }).click();
  await expectPath(page, PROJECT_PATH);
  await expect(boardHeading(page, name)).toBeVisible();
  await waitForHydration(page);
  return currentPath(page);
}

// ---------------------------------------------------------------------------------------------
// Board and tasks
// ---------------------------------------------------------------------------------------------

/** A board column: `<section aria-label="To do">` and so on. */
export function column(page: Page, name: ColumnName): Locator {
  return page.getByRole("region", { name, exact: true });
}

function pageOf(scope: Page | Locator): Page {
  return "goto" in scope ? scope : scope.page();
}

/** Every task card within `scope` (the page or a column). */
export function taskCards(scope: Page | Locator): Locator {
  return scope.locator("article.task-card");
}

/** The task card within `scope` whose title link is exactly `title`. */
export function taskCard(scope: Page | Locator, title: string): Locator {
  return taskCards(scope).filter({
    has: pageOf(scope).getByRole("link", { name: title, exact: true }),
  });
}

export function taskTitleField(page: Page): Locator {
  return textField(page, "Task title");
}

/** The titles of a column's cards, top to bottom. */
export async function columnTitles(page: Page, name: ColumnName): Promise<string[]> {
  return taskCards(column(page, name)).locator(".task-title").allTextContents();
}

/** Waits until a column shows exactly these cards, in this order. */
export async function expectOrder(page: Page, name: ColumnName, expected: string[]): Promise<void> {
  await expect.poll(() => columnTitles(page, name), { message: `the order of ${name}` }).toEqual(expected);
}

/** Adds a task from the board currently shown and checks it appears in "To do". */
export async function addTask(page: Page, title: string): Promise<void> {
  await taskTitleField(page).fill(title);
  await page.getByRole("button", { name: "Add task", exact: true }).click();
  await expect(taskCard(column(page, "To do"), title)).toBeVisible();
  await waitForHydration(page);
}

/** Uses a card's "Move to …" button and checks the card shows up in the target column. */
export async function moveTask(page: Page, title: string, to: ColumnName): Promise<void> {
  await taskCard(page, title).getByRole("button", { name: `Move to ${to}`, exact: true }).click();
  await expect(taskCard(column(page, to), title)).toBeVisible();
  await waitForHydration(page);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Checks every column: its h2, how many cards it holds, and that the number is shown in it.
 * (Task titles in the tests contain no digits, so a standalone number in a column is its count.)
 */
export async function expectColumnCounts(
  page: Page,
  counts: Record<ColumnName, number>,
): Promise<void> {
  for (const name of COLUMNS) {
    const col = column(page, name);
    const count = counts[name];
    await expect(col.getByRole("heading", { level: 2, name: new RegExp(`^${escapeRegExp(name)}`) })).toBeVisible();
    await expect(taskCards(col)).toHaveCount(count);
    await expect(col).toContainText(new RegExp(`(^|\\D)${count}(\\D|$)`));
  }
}

/** Checks which "Move to …" buttons a card has: one for each column it is not in. */
export async function expectMoveButtons(card: Locator, current: ColumnName): Promise<void> {
  for (const name of COLUMNS) {
    const button = card.getByRole("button", { name: `Move to ${name}`, exact: true });
    if (name === current) {
      await expect(button).toHaveCount(0);
    } else {
      await expect(button).toBeVisible();
    }
  }
}

/** Follows a card's title link to its task page and checks the "Edit task" page is shown. */
export async function openTask(page: Page, title: string): Promise<string> {
  await taskCard(page, title).getByRole("link", { name: title, exact: true }).click();
  await expectPath(page, TASK_PATH);
  await expect(page.getByRole("heading", { name: "Edit task", exact: true })).toBeVisible();
  await waitForHydration(page);
  return currentPath(page);
}

/** The text of the option a `<select>` currently has selected. */
export function selectedOption(select: Locator): Locator {
  return select.locator("option:checked");
}

export interface TaskFields {
  title: string;
  description: string;
  status: ColumnName;
  priority: "Low" | "Medium" | "High" | "Urgent";
  /** `YYYY-MM-DD`, or "" for none. */
  dueDate: string;
}

/** Checks the fields of the "Edit task" page currently shown. */
export async function expectTaskForm(page: Page, fields: TaskFields): Promise<void> {
  await expect(textField(page, "Title")).toHaveValue(fields.title);
  await expect(textField(page, "Description")).toHaveValue(fields.description);
  await expect(selectedOption(selectField(page, "Status"))).toHaveText(fields.status);
  await expect(selectedOption(selectField(page, "Priority"))).toHaveText(fields.priority);
  await expect(textField(page, "Due date")).toHaveValue(fields.dueDate);
}

/** Fills the "Edit task" page with `fields` (only those given) and saves; expects the board back. */
export async function saveTask(page: Page, projectPath: string, fields: Partial<TaskFields>): Promise<void> {
  if (fields.title !== undefined) await textField(page, "Title").fill(fields.title);
  if (fields.description !== undefined) await textField(page, "Description").fill(fields.description);
  if (fields.status !== undefined) await selectField(page, "Status").selectOption({ label: fields.status });
  if (fields.priority !== undefined) await selectField(page, "Priority").selectOption({ label: fields.priority });
  if (fields.dueDate !== undefined) await textField(page, "Due date").fill(fields.dueDate);
  await page.getByRole("button", { name: "Save task", exact: true }).click();
  await expectPath(page, projectPath);
  if (fields.title !== undefined) await expect(taskCard(page, fields.title)).toBeVisible();
  await waitForHydration(page);
}

// ---------------------------------------------------------------------------------------------
// Not found
// ---------------------------------------------------------------------------------------------

/**
 * Opens `url` and checks it is Taskdeck's "Not found" page with HTTP status 404, and that
 * none of `hidden` appears in the page, neither as shown nor anywhere in the HTML sent.
 */
export async function expectNotFound(page: Page, url: string, hidden: string[] = []): Promise<void> {
  const response = await gotoReady(page, url);
  expect(response, `no response for ${url}`).not.toBeNull();
  expect(response?.status(), `HTTP status of ${url}`).toBe(404);
  await expect(page.getByRole("heading", { name: "Not found", exact: true })).toBeVisible();
  const html = (await response?.text()) ?? "";
  for (const text of hidden) {
    expect(html, `the HTML of ${url} must not contain ${JSON.stringify(text)}`).not.toContain(text);
    await expect(page.getByText(text)).toHaveCount(0);
  }
}
