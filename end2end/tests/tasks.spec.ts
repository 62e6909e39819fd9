import {
  addTask,
  boardHeading,
  column,
  createProject,
  disableNativeValidation,
  expect,
  expectColumnCounts,
  expectMoveButtons,
  expectNotFound,
  expectPath,
  expectTaskForm,
  gotoReady,
  moveTask,
  openTask,
  projectLink,
  saveTask,
  signIn,
  signOut,
  signUp,
  taskCard,
  taskCards,
  taskTitleField,
  test,
  textField,
  uniqueEmail,
  waitForHydration,
} from "./fixtures";

const TITLE_ERROR = "Title must be between 1 and 200 characters.";

test.describe("tasks", () => {
  test("new tasks land in To do and move across the columns", async ({ page }) => {
    await signUp(page, uniqueEmail("move"));
    await createProject(page, "Moving house");

    await addTask(page, "Pack the books");
    await addTask(page, "Book the van");
    await expectColumnCounts(page, { "To do": 2, "In progress": 0, Done: 0 });

    const packCard = taskCard(page, "Pack the books");
    await expect(packCard).toContainText("Medium");
    await expectMoveButtons(packCard, "To do");

    await moveTask(page, "Pack the books", "In progress");
    await expectColumnCounts(page, { "To do": 1, "In progress": 1, Done: 0 });
    await expect(taskCard(column(page, "To do"), "Pack the books")).toHaveCount(0);
    await expectMoveButtons(taskCard(page, "Pack the books"), "In progress");

    await moveTask(page, "Pack the books", "Done");
    await expectColumnCounts(page, { "To do": 1, "In progress": 0, Done: 1 });
    await expectMoveButtons(taskCard(page, "Pack the books"), "Done");

    // Straight from To do to Done, and back again.
    await moveTask(page, "Book the van", "Done");
    await expectColumnCounts(page, { "To do": 0, "In progress": 0, Done: 2 });
    await moveTask(page, "Book the van", "To do");
    await expectColumnCounts(page, { "To do": 1, "In progress": 0, Done: 1 });
    await expect(taskCard(column(page, "To do"), "Book the van")).toBeVisible();
    await expect(taskCard(column(page, "Done"), "Pack the books")).toBeVisible();
  });

  test("editing a task changes its title, description, status, priority and due date", async ({ page }) => {
    await signUp(page, uniqueEmail("edit"));
    const projectPath = await createProject(page, "Conference talk");
    await addTask(page, "Draft the slides");

    await openTask(page, "Draft the slides");
    await expect(page.getByRole("link", { name: "Back to board", exact: true })).toBeVisible();
    await expectTaskForm(page, {
      title: "Draft the slides",
      description: "",
      status: "To do",
      priority: "Medium",
      dueDate: "",
    });

    await saveTask(page, projectPath, {
      title: "Finish the slides",
      description: "Twenty minutes, with time for questions.",
      status: "In progress",
      priority: "High",
      dueDate: "2030-05-17",
    });

    await expect(taskCard(page, "Draft the slides")).toHaveCount(0);
    const card = taskCard(column(page, "In progress"), "Finish the slides");
    await expect(card).toBeVisible();
    await expect(card).toContainText("High");
    await expect(card).toContainText("2030-05-17");
    await expectColumnCounts(page, { "To do": 0, "In progress": 1, Done: 0 });

    // The task page shows what was saved.
    await openTask(page, "Finish the slides");
    await expectTaskForm(page, {
      title: "Finish the slides",
      description: "Twenty minutes, with time for questions.",
      status: "In progress",
      priority: "High",
      dueDate: "2030-05-17",
    });

    // "Back to board" leaves without changing anything.
    await textField(page, "Title").fill("Not saved");
    await page.getByRole("link", { name: "Back to board", exact: true }).click();
    await expectPath(page, projectPath);
    await expect(taskCard(page, "Finish the slides")).toBeVisible();
    await expect(taskCard(page, "Not saved")).toHaveCount(0);
    await waitForHydration(page);

    // A second edit: lower priority, clear the due date.
    await openTask(page, "Finish the slides");
    await saveTask(page, projectPath, { priority: "Low", dueDate: "" });
    const edited = taskCard(column(page, "In progress"), "Finish the slides");
    await expect(edited).toContainText("Low");
    await expect(edited).not.toContainText("High");
    await expect(edited).not.toContainText("2030-05-17");
  });

  test("deleting a task removes its card", async ({ page }) => {
    await signUp(page, uniqueEmail("deltask"));
    const projectPath = await createProject(page, "Spring cleaning");
    await addTask(page, "Clean the windows");
    await addTask(page, "Sort the garage");
    await expectColumnCounts(page, { "To do": 2, "In progress": 0, Done: 0 });

    const taskPath = await openTask(page, "Clean the windows");
    await page.getByRole("button", { name: "Delete task", exact: true }).click();
    await expectPath(page, projectPath);
    await expect(taskCard(page, "Clean the windows")).toHaveCount(0);
    await expect(taskCard(column(page, "To do"), "Sort the garage")).toBeVisible();
    await expectColumnCounts(page, { "To do": 1, "In progress": 0, Done: 0 });
    await waitForHydration(page);

    await expectNotFound(page, taskPath, ["Clean the windows"]);
  });

  test("an empty or too long task title is refused and the typed title is kept", async ({ page }) => {
    await signUp(page, uniqueEmail("badtitle"));
    const projectPath = await createProject(page, "Validation board");
    const addButton = page.getByRole("button", { name: "Add task", exact: true });

    await expect(page.getByText(TITLE_ERROR)).toHaveCount(0);
    await disableNativeValidation(page);
    await taskTitleField(page).fill("");
    await addButton.click();
    await expect(page.getByText(TITLE_ERROR)).toBeVisible();
    await expect(boardHeading(page, "Validation board")).toBeVisible();
    await expect(taskCards(page)).toHaveCount(0);
    await waitForHydration(page);

    // Start again from a fresh page, so the message seen next answers the second attempt.
    await gotoReady(page, projectPath);
    await expect(page.getByText(TITLE_ERROR)).toHaveCount(0);
    const tooLong = `Write ${"a".repeat(195)}`; // 201 characters
    await disableNativeValidation(page);
    await taskTitleField(page).fill(tooLong);
    await expect(taskTitleField(page)).toHaveValue(tooLong);
    await addButton.click();
    await expect(page.getByText(TITLE_ERROR)).toBeVisible();
    await expect(boardHeading(page, "Validation board")).toBeVisible();
    await expect(taskTitleField(page)).toHaveValue(tooLong);
    await expect(taskCards(page)).toHaveCount(0);
    await waitForHydration(page);

    // After correcting the title the task is added.
    await addTask(page, "Write the summary");
    await expect(page.getByText(TITLE_ERROR)).toHaveCount(0);
    await expectColumnCounts(page, { "To do": 1, "In progress": 0, Done: 0 });
  });

  test("projects and tasks are still there after signing out and in again", async ({ page }) => {
    test.slow(); // many full page loads; each one loads the WASM bundle again in the hydrated project

    const email = uniqueEmail("persist");
    await signUp(page, email);
    const projectPath = await createProject(page, "Home renovation");
    await addTask(page, "Paint the hallway");
    await addTask(page, "Fix the leaking tap");
    await addTask(page, "Order new tiles");
    await moveTask(page, "Fix the leaking tap", "In progress");
    await moveTask(page, "Order new tiles", "Done");
    await openTask(page, "Paint the hallway");
    await saveTask(page, projectPath, {
      description: "Two coats, white.",
      priority: "Urgent",
      dueDate: "2031-03-09",
    });

    await signOut(page);
    await signIn(page, email);

    await projectLink(page, "Home renovation").click();
    await expectPath(page, projectPath);
    await expect(page.getByRole("heading", { level: 1, name: "Home renovation", exact: true })).toBeVisible();
    await waitForHydration(page);
    await expectColumnCounts(page, { "To do": 1, "In progress": 1, Done: 1 });
    await expect(taskCard(column(page, "To do"), "Paint the hallway")).toContainText("Urgent");
    await expect(taskCard(column(page, "To do"), "Paint the hallway")).toContainText("2031-03-09");
    await expect(taskCard(column(page, "In progress"), "Fix the leaking tap")).toBeVisible();
    await expect(taskCard(column(page, "Done"), "Order new tiles")).toBeVisible();

    await openTask(page, "Paint the hallway");
    await expectTaskForm(page, {
      title: "Paint the hallway",
      description: "Two coats, white.",
      status: "To do",
      priority: "Urgent",
      dueDate: "2031-03-09",
    });
  });
});
