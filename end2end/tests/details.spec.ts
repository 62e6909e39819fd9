import {
  addTask,
  column,
  createProject,
  expect,
  expectPath,
  gotoReady,
  openTask,
  randomLetters,
  selectField,
  signUp,
  taskCard,
  test,
  textField,
  uniqueEmail,
  waitForHydration,
  type Page,
} from "./fixtures";

/** Adds a label from the project's settings page. */
async function addLabel(page: Page, board: string, name: string, colour: string): Promise<void> {
  await gotoReady(page, `${board}/settings`);
  const panel = page.getByRole("region", { name: "Labels", exact: true });
  await textField(panel, "Name").fill(name);
  await selectField(panel, "Colour").selectOption({ label: colour });
  await panel.getByRole("button", { name: "Add label", exact: true }).click();
  await expect(panel.locator(`.label-${colour.toLowerCase()}`, { hasText: name })).toBeVisible();
  await waitForHydration(page);
}

function section(page: Page, name: string) {
  return page.getByRole("region", { name, exact: true });
}

test.describe("task details", () => {
  test("labels, assignees, a checklist and comments, shown on the card", async ({ page }) => {
    const email = uniqueEmail("details");
    await signUp(page, email);
    const board = await createProject(page, `Launch ${randomLetters()}`);
    await addLabel(page, board, "Bug", "Red");
    await gotoReady(page, board);
    await addTask(page, "Fix the login");
    const taskPath = await openTask(page, "Fix the login");

    const labels = section(page, "Labels");
    const bug = labels.getByRole("button", { name: "Bug", exact: true });
    await expect(bug).toHaveAttribute("aria-pressed", "false");
    await bug.click();
    await expect(bug).toHaveAttribute("aria-pressed", "true");
    await waitForHydration(page);

    const assignees = section(page, "Assignees");
    const me = assignees.getByRole("button", { name: email, exact: true });
    await me.click();
    await expect(me).toHaveAttribute("aria-pressed", "true");
    await waitForHydration(page);

    const checklist = section(page, "Checklist");
    for (const step of ["Reproduce it", "Write the fix"]) {
      await textField(checklist, "Add a subtask").fill(step);
      await checklist.getByRole("button", { name: "Add", exact: true }).click();
      await expect(checklist.getByRole("button", { name: step, exact: true })).toBeVisible();
      await waitForHydration(page);
    }
    await checklist.getByRole("button", { name: "Reproduce it", exact: true }).click();
    await expect(checklist).toContainText("1 of 2 done");
    await waitForHydration(page);

    // An empty comment is refused; Markdown renders; typed HTML stays text.
    const comments = section(page, "Comments");
    await comments.getByRole("button", { name: "Comment", exact: true }).click();
    await expect(comments.getByText("Write something to comment.")).toBeVisible();
    await waitForHydration(page);
    await textField(comments, "Add a comment").fill("Fixed in **main**. <b>not bold</b>");
    await comments.getByRole("button", { name: "Comment", exact: true }).click();
    await expect(comments.locator(".comment-body strong", { hasText: "main" })).toBeVisible();
    await expect(comments.locator(".comment-body")).toContainText("<b>not bold</b>");
    await waitForHydration(page);

    const activity = section(page, "Activity");
    await expect(activity).toContainText("added the label “Bug”");
    await expect(activity).toContainText("checked “Reproduce it”");
    await expect(activity).toContainText("commented");

    // The card says it all.
    await gotoReady(page, board);
    const card = taskCard(column(page, "To do"), "Fix the login");
    await expect(card.locator(".label-red")).toHaveText("Bug");
    await expect(card.locator(".checklist-progress")).toContainText("1/2");
    await expect(card.locator(".assignee")).toContainText(email.split("@")[0]);
    expect(taskPath).toMatch(/^\/tasks\/\d+$/);
  });

  test("the list filters by label and assignee, and keeps saved views", async ({ page }) => {
    const email = uniqueEmail("views");
    await signUp(page, email);
    const board = await createProject(page, `Views ${randomLetters()}`);
    await addLabel(page, board, "Urgent", "Orange");
    await gotoReady(page, board);
    await addTask(page, "Labelled task");
    await addTask(page, "Plain task");
    await openTask(page, "Labelled task");
    await section(page, "Labels").getByRole("button", { name: "Urgent", exact: true }).click();
    await expect(section(page, "Labels").getByRole("button", { name: "Urgent", exact: true })).toHaveAttribute(
      "aria-pressed",
      "true",
    );

    await gotoReady(page, `${board}/list`);
    await selectField(page, "Label").selectOption({ label: "Urgent" });
    await page.getByRole("button", { name: "Apply", exact: true }).click();
    await expect(page).toHaveURL(/label=\d+/);
    await expect(page.locator("table.task-list")).toContainText("Labelled task");
    await expect(page.locator("table.task-list")).not.toContainText("Plain task");
    await waitForHydration(page);

    const saved = section(page, "Saved views");
    await textField(saved, "Save these filters as").fill("Urgent only");
    await saved.getByRole("button", { name: "Save view", exact: true }).click();
    const link = saved.getByRole("link", { name: "Urgent only", exact: true });
    await expect(link).toBeVisible();
    await waitForHydration(page);

    await gotoReady(page, `${board}/list?assignee=none`);
    await expect(page.locator("table.task-list")).toContainText("Plain task");
    await section(page, "Saved views").getByRole("link", { name: "Urgent only", exact: true }).click();
    await expect(page).toHaveURL(/label=\d+/);
    await expect(page.locator("table.task-list")).not.toContainText("Plain task");
    await expect(page.locator("table.task-list")).toContainText("Labelled task");
  });

  test("My tasks shows what is assigned to me", async ({ page }) => {
    const email = uniqueEmail("mine");
    await signUp(page, email);
    const board = await createProject(page, `Mine ${randomLetters()}`);
    await addTask(page, "Mine to do");
    await openTask(page, "Mine to do");
    const me = section(page, "Assignees").getByRole("button", { name: email, exact: true });
    await me.click();
    await expect(me).toHaveAttribute("aria-pressed", "true");
    await waitForHydration(page);
    await page.getByRole("link", { name: "My tasks", exact: true }).click();
    await expectPath(page, "/my-tasks");
    const assigned = section(page, "Assigned to me (1)");
    await expect(assigned.getByRole("link", { name: "Mine to do", exact: true })).toBeVisible();
    // …with a link to its project's board.
    await expect(assigned.locator(`a[href="${board}"]`)).toBeVisible();
  });

  test("works on a phone: columns stack and nothing is wider than the screen", async ({ page }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await signUp(page, uniqueEmail("phone"));
    await createProject(page, `Phone ${randomLetters()}`);
    await addTask(page, "Small screen");
    const todo = await column(page, "To do").boundingBox();
    const doing = await column(page, "In progress").boundingBox();
    expect(todo && doing, "both columns are shown").toBeTruthy();
    if (!todo || !doing) return;
    expect(doing.y, "In progress comes below To do").toBeGreaterThan(todo.y + todo.height - 1);
    expect(todo.x + todo.width).toBeLessThanOrEqual(390);
    const card = await taskCard(page, "Small screen").boundingBox();
    expect(card && card.x + card.width <= 390).toBeTruthy();
    await openTask(page, "Small screen");
    for (const name of ["Labels", "Checklist", "Comments"]) {
      const box = await section(page, name).boundingBox();
      expect(box && box.x >= 0 && box.x + box.width <= 390, `${name} fits the screen`).toBeTruthy();
    }
  });
});
