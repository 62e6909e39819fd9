/**
 * Board features that are browser code (dragging, keys, live updates): run only in the hydrated
 * project (see playwright.config.ts). The plain forms that cover them without JavaScript are in
 * board.spec.ts.
 */
import type { Browser, Page } from "@playwright/test";
import {
  addTask,
  column,
  createProject,
  expect,
  expectOrder,
  gotoReady,
  randomLetters,
  signIn,
  signUp,
  taskCard,
  test,
  uniqueEmail,
} from "./fixtures";

/** The board's live region, where moves are announced. */
function announcement(page: Page) {
  return page.getByRole("status").filter({ hasText: "Moved" });
}

test.describe("the board, hydrated", () => {
  test("cards are dragged within and across columns", async ({ page }) => {
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
