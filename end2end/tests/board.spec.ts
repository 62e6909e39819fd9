import type { Page } from "@playwright/test";
import {
  addTask,
  column,
  createProject,
  expect,
  expectOrder,
  gotoReady,
  randomLetters,
  signUp,
  taskCard,
  taskCards,
  test,
  uniqueEmail,
  waitForHydration,
} from "./fixtures";


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

});
