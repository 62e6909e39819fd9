import {
  addTask,
  createProject,
  expect,
  expectPath,
  randomLetters,
  signUp,
  taskCard,
  taskCards,
  taskTitleField,
  test,
  uniqueEmail,
} from "./fixtures";

test.describe("keyboard shortcuts", () => {
  test("? lists the shortcuts, n starts a new task, g p goes to the projects", async ({ page }) => {
    await signUp(page, uniqueEmail("keys"));
    await createProject(page, `Shortcuts ${randomLetters()}`);

    await page.keyboard.press("?");
    const help = page.getByRole("dialog", { name: "Keyboard shortcuts" });
    await expect(help).toBeVisible();
    await expect(help.getByRole("row")).toHaveCount(11);
    await expect(help).toContainText("Move the focused card up or down");
    await page.keyboard.press("Escape");
    await expect(help).toBeHidden();

    await page.keyboard.press("n");
    await expect(taskTitleField(page)).toBeFocused();
    // Typed into a field, the same keys are just text.
    await page.keyboard.type("n? g p");
    await expect(taskTitleField(page)).toHaveValue("n? g p");
    await expect(help).toBeHidden();

    await taskTitleField(page).blur();
    await page.keyboard.press("g");
    await page.keyboard.press("p");
    await expectPath(page, "/projects");
  });

  test("j and k step through the tasks, g m goes to My tasks", async ({ page }) => {
    await signUp(page, uniqueEmail("steps"));
    await createProject(page, `Steps ${randomLetters()}`);
    for (const title of ["First step", "Second step", "Third step"]) {
      await addTask(page, title);
    }
    await taskTitleField(page).blur();
    const link = (title: string) => taskCard(page, title).getByRole("link", { name: title, exact: true });

    // j walks down the column in the order the board shows, k walks back up it.
    const titles = (await taskCards(page).locator(".task-title").allTextContents()).map((t) => t.trim());
    expect(titles).toHaveLength(3);
    await page.keyboard.press("j");
    await expect(link(titles[0])).toBeFocused();
    await page.keyboard.press("j");
    await expect(link(titles[1])).toBeFocused();
    await page.keyboard.press("j");
    await page.keyboard.press("j");
    await expect(link(titles[2]), "j stops at the last task").toBeFocused();
    await page.keyboard.press("k");
    await expect(link(titles[1])).toBeFocused();

    await page.keyboard.press("Enter");
    await expectPath(page, /^\/tasks\//);

    await page.keyboard.press("g");
    await page.keyboard.press("m");
    await expectPath(page, "/my-tasks");
  });

  test("/ on a board opens the project's list with its search field focused", async ({ page }) => {
    await signUp(page, uniqueEmail("slash"));
    const board = await createProject(page, `Slash ${randomLetters()}`);
    await addTask(page, "Find me");
    await taskTitleField(page).blur();

    await page.keyboard.press("/");
    await expectPath(page, `${board}/list`);
    const search = page.getByLabel("Search", { exact: true });
    await expect(search).toBeFocused();
    // The key opened the search; it is not typed into it.
    await expect(search).toHaveValue("");
  });
});
