import type { Browser, Page } from "@playwright/test";
import {
  addTask,
  column,
  createProject,
  expect,
  gotoReady,
  jsEnabled,
  randomLetters,
  signIn,
  signUp,
  taskCard,
  taskCards,
  test,
  uniqueEmail,
  waitForHydration,
} from "./fixtures";

/** The titles of a column's cards, top to bottom. */
async function titles(page: Page, name: "To do" | "In progress" | "Done"): Promise<string[]> {
  return taskCards(column(page, name)).locator(".task-title").allTextContents();
}

async function expectOrder(page: Page, name: "To do" | "In progress" | "Done", expected: string[]) {
  await expect.poll(() => titles(page, name), { message: `the order of ${name}` }).toEqual(expected);
}

/** The board's live region, where moves are announced. */
function announcement(page: Page) {
  return page.getByRole("status").filter({ hasText: "Moved" });
}

/** Adds tasks through the API the page itself uses (a same-origin form post), for long columns. */
async function addTasksQuickly(page: Page, board: string, titles: string[]): Promise<void> {
  const projectId = board.split("/").pop() ?? "";
  const origin = new URL(page.url()).origin;
  for (const title of titles) {
    const response = await page.request.post("/api/create_task", {
      form: { project_id: projectId, title },
      headers: { Accept: "application/json", Origin: origin },
    });
    expect(response.status(), await response.text()).toBe(200);
  }
}

test.describe("the board", () => {
  test("cards move up, down and across with their buttons, and the order is kept", async ({ page }) => {
    await signUp(page, uniqueEmail("order"));
    const board = await createProject(page, `Order ${randomLetters()}`);
    for (const title of ["Alpha", "Bravo", "Charlie"]) await addTask(page, title);
    await expectOrder(page, "To do", ["Alpha", "Bravo", "Charlie"]);

    await taskCard(page, "Charlie").getByRole("button", { name: "Move up", exact: true }).click();
    await expectOrder(page, "To do", ["Alpha", "Charlie", "Bravo"]);
    await waitForHydration(page);
    await taskCard(page, "Alpha").getByRole("button", { name: "Move down", exact: true }).click();
    await expectOrder(page, "To do", ["Charlie", "Alpha", "Bravo"]);
    await expect(taskCard(page, "Charlie").getByRole("button", { name: "Move up" })).toHaveCount(0);
    await expect(taskCard(page, "Bravo").getByRole("button", { name: "Move down" })).toHaveCount(0);

    // Moved to another column, a card goes to its top.
    await waitForHydration(page);
    await taskCard(page, "Bravo").getByRole("button", { name: "Move to Done", exact: true }).click();
    await expect(taskCard(column(page, "Done"), "Bravo")).toBeVisible();
    await waitForHydration(page);
    await taskCard(page, "Alpha").getByRole("button", { name: "Move to Done", exact: true }).click();
    await expectOrder(page, "Done", ["Alpha", "Bravo"]);

    await gotoReady(page, board);
    await expectOrder(page, "To do", ["Charlie"]);
    await expectOrder(page, "Done", ["Alpha", "Bravo"]);
  });

  test("a long column shows a page of cards and more on request", async ({ page }) => {
    await signUp(page, uniqueEmail("pages"));
    const board = await createProject(page, `Long ${randomLetters()}`);
    const many = Array.from({ length: 55 }, (_, n) => `Card ${String.fromCharCode(97 + (n % 26))}${n}`);
    await addTasksQuickly(page, board, many);
    await gotoReady(page, board);
    const todo = column(page, "To do");
    await expect(taskCards(todo)).toHaveCount(50);
    await expect(todo.getByRole("heading", { level: 2 })).toContainText("55");
    await todo.getByRole("link", { name: "Show more (50 of 55 shown)" }).click();
    await expect(taskCards(todo)).toHaveCount(55);
    await expect(todo.getByRole("link", { name: /Show more/ })).toHaveCount(0);
    await expect(page).toHaveURL(/\?todo=100$/);
  });

  test("cards are dragged within and across columns", async ({ page }) => {
    test.skip(!jsEnabled(), "dragging needs JavaScript; the buttons cover it without");
    await signUp(page, uniqueEmail("drag"));
    const board = await createProject(page, `Drag ${randomLetters()}`);
    for (const title of ["One", "Two", "Three"]) await addTask(page, title);

    // Onto the upper half of a card: above it.
    await taskCard(page, "Three").dragTo(taskCard(page, "One"), { targetPosition: { x: 20, y: 4 } });
    await expectOrder(page, "To do", ["Three", "One", "Two"]);
    await expect(announcement(page)).toHaveText(
      "Moved “Three” to To do, position 1 of 3.",
    );

    // Into an empty column.
    await taskCard(page, "One").dragTo(column(page, "In progress").locator("ol"));
    await expectOrder(page, "In progress", ["One"]);
    await expectOrder(page, "To do", ["Three", "Two"]);

    await gotoReady(page, board);
    await expectOrder(page, "To do", ["Three", "Two"]);
    await expectOrder(page, "In progress", ["One"]);
  });

  test("a focused card moves with Alt and the arrow keys, and each move is announced", async ({ page }) => {
    test.skip(!jsEnabled(), "key handling needs JavaScript; the buttons cover it without");
    await signUp(page, uniqueEmail("keys"));
    const board = await createProject(page, `Keys ${randomLetters()}`);
    for (const title of ["North", "South"]) await addTask(page, title);

    const south = taskCard(page, "South").getByRole("link", { name: "South", exact: true });
    await south.focus();
    await page.keyboard.press("Alt+ArrowUp");
    await expectOrder(page, "To do", ["South", "North"]);
    const announced = announcement(page);
    await expect(announced).toHaveText("Moved “South” to To do, position 1 of 2.");
    await expect(taskCard(page, "South").getByRole("link", { name: "South" })).toBeFocused();

    await page.keyboard.press("Alt+ArrowRight");
    await expectOrder(page, "In progress", ["South"]);
    await expect(announced).toHaveText("Moved “South” to In progress, position 1 of 1.");
    await expect(taskCard(page, "South").getByRole("link", { name: "South" })).toBeFocused();
    await page.keyboard.press("Alt+ArrowRight");
    await expectOrder(page, "Done", ["South"]);
    await expect(page, "Alt+arrow keys never navigate away").toHaveURL(new RegExp(`${board}$`));

    await gotoReady(page, board);
    await expectOrder(page, "Done", ["South"]);
    await expectOrder(page, "To do", ["North"]);
  });

  test("a move made in one browser shows in another without reloading", async ({ page, browser }) => {
    test.skip(!jsEnabled(), "live updates need JavaScript");
    const email = uniqueEmail("live");
    await signUp(page, email);
    const board = await createProject(page, `Live ${randomLetters()}`);
    await addTask(page, "Shared news");

    const other = await signedInPage(browser, email, "");
    await gotoReady(other, board);
    await expect(other.getByText("Live", { exact: true })).toBeVisible();

    await taskCard(page, "Shared news").getByRole("button", { name: "Move to In progress", exact: true }).click();
    await expect(taskCard(column(other, "In progress"), "Shared news")).toBeVisible({ timeout: 3_000 });
    await addTask(page, "Fresh card");
    await expect(taskCard(column(other, "To do"), "Fresh card")).toBeVisible({ timeout: 3_000 });
    await other.context().close();
  });

  test("two server instances on one PostgreSQL pass moves between their browsers", async ({ browser }) => {
    test.skip(!jsEnabled(), "live updates need JavaScript");
    const instances = (process.env.TASKDECK_LIVE_URLS ?? "").split(",").filter(Boolean);
    expect(instances, "TASKDECK_LIVE_URLS names two instances (scripts/test sets it)").toHaveLength(2);
    const [first, second] = instances;
    const email = uniqueEmail("instances");

    // One browser works through the first instance...
    const mover = await (await browser.newContext({ javaScriptEnabled: true, baseURL: first })).newPage();
    await signUp(mover, email);
    const board = await createProject(mover, `Across ${randomLetters()}`);
    await addTask(mover, "Crosses over");

    // ...while another watches the same board through the second.
    const watcher = await signedInPage(browser, email, second);
    await gotoReady(watcher, board);
    await expect(watcher.getByText("Live", { exact: true })).toBeVisible();
    await expect(taskCard(column(watcher, "To do"), "Crosses over")).toBeVisible();

    await taskCard(mover, "Crosses over").getByRole("button", { name: "Move to Done", exact: true }).click();
    await expect(taskCard(column(watcher, "Done"), "Crosses over")).toBeVisible({ timeout: 3_000 });
    await mover.context().close();
    await watcher.context().close();
  });
});

/** A second browser (its own cookies), with JavaScript, signed in as `email` at `origin`. */
async function signedInPage(browser: Browser, email: string, origin: string): Promise<Page> {
  const context = await browser.newContext(
    origin ? { javaScriptEnabled: true, baseURL: origin } : { javaScriptEnabled: true },
  );
  const other = await context.newPage();
  await signIn(other, email);
  return other;
}
