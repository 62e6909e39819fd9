import {
  createProject,
  expect,
  expectPath,
  randomLetters,
  signUp,
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
    await expect(help.getByRole("row")).toHaveCount(9);
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
});
