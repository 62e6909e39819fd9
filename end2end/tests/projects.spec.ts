import {
  COLUMNS,
  boardHeading,
  createProject,
  disableNativeValidation,
  expect,
  expectColumnCounts,
  expectNotFound,
  expectPath,
  gotoReady,
  projectLink,
  projectList,
  projectNameField,
  signUp,
  taskTitleField,
  test,
  uniqueEmail,
  waitForHydration,
  type Page,
} from "./fixtures";

const NAME_ERROR = "Project name must be between 1 and 100 characters.";

async function openSettings(page: Page, projectPath: string, currentName: string): Promise<void> {
  await page.getByRole("link", { name: "Project settings", exact: true }).click();
  await expectPath(page, `${projectPath}/settings`);
  await expect(page.getByRole("heading", { name: "Project settings", exact: true })).toBeVisible();
  await expect(projectNameField(page)).toHaveValue(currentName);
  await waitForHydration(page);
}

test.describe("projects", () => {
  test("a new account has no projects yet", async ({ page }) => {
    await signUp(page, uniqueEmail("noprojects"));
    await expect(page.getByText("No projects yet.")).toBeVisible();
    await expect(projectList(page).getByRole("link")).toHaveCount(0);
    await expect(projectNameField(page)).toBeVisible();
    await expect(page.getByRole("button", { name: "Create project", exact: true })).toBeVisible();
  });

  test("creating projects opens an empty board and lists them", async ({ page }) => {
    await signUp(page, uniqueEmail("create"));

    const kitchenPath = await createProject(page, "Kitchen remodel");
    await expect(page.getByRole("link", { name: "Project settings", exact: true })).toBeVisible();
    await expect(taskTitleField(page)).toBeVisible();
    await expect(page.getByRole("button", { name: "Add task", exact: true })).toBeVisible();
    for (const name of COLUMNS) {
      await expect(page.getByRole("region", { name, exact: true })).toBeVisible();
    }
    await expectColumnCounts(page, { "To do": 0, "In progress": 0, Done: 0 });

    const gardenPath = await createProject(page, "Garden plans");
    expect(gardenPath).not.toBe(kitchenPath);

    await gotoReady(page, "/projects");
    await expect(page.getByText("No projects yet.")).toHaveCount(0);
    await expect(projectLink(page, "Kitchen remodel")).toBeVisible();
    await expect(projectLink(page, "Garden plans")).toBeVisible();
    await expect(projectList(page).getByRole("link")).toHaveCount(2);

    await projectLink(page, "Kitchen remodel").click();
    await expectPath(page, kitchenPath);
    await expect(boardHeading(page, "Kitchen remodel")).toBeVisible();
  });

  test("renaming a project from its settings", async ({ page }) => {
    await signUp(page, uniqueEmail("rename"));
    const projectPath = await createProject(page, "Old project name");

    await openSettings(page, projectPath, "Old project name");
    await projectNameField(page).fill("New project name");
    await page.getByRole("button", { name: "Rename project", exact: true }).click();
    await expectPath(page, projectPath);
    await expect(boardHeading(page, "New project name")).toBeVisible();
    await waitForHydration(page);

    await gotoReady(page, "/projects");
    await expect(projectLink(page, "New project name")).toBeVisible();
    await expect(projectLink(page, "Old project name")).toHaveCount(0);

    // The settings page now shows the new name.
    await gotoReady(page, projectPath);
    await openSettings(page, projectPath, "New project name");
  });

  test("deleting a project removes it and its board", async ({ page }) => {
    await signUp(page, uniqueEmail("delete"));
    const keptPath = await createProject(page, "Project to keep");
    const doomedPath = await createProject(page, "Project to delete");

    await openSettings(page, doomedPath, "Project to delete");
    await page.getByRole("button", { name: "Delete project", exact: true }).click();
    await expectPath(page, "/projects");
    await expect(page.getByRole("heading", { name: "Projects", exact: true })).toBeVisible();
    await expect(projectLink(page, "Project to delete")).toHaveCount(0);
    await expect(projectLink(page, "Project to keep")).toBeVisible();
    await waitForHydration(page);

    await expectNotFound(page, doomedPath, ["Project to delete"]);
    await gotoReady(page, keptPath);
    await expect(boardHeading(page, "Project to keep")).toBeVisible();

    // Deleting the last project brings back the empty state.
    await openSettings(page, keptPath, "Project to keep");
    await page.getByRole("button", { name: "Delete project", exact: true }).click();
    await expectPath(page, "/projects");
    await expect(page.getByText("No projects yet.")).toBeVisible();
  });

  test("an empty or too long project name is refused and the typed name is kept", async ({ page }) => {
    await signUp(page, uniqueEmail("badname"));
    const createButton = page.getByRole("button", { name: "Create project", exact: true });

    await expect(page.getByText(NAME_ERROR)).toHaveCount(0);
    await disableNativeValidation(page);
    await projectNameField(page).fill("");
    await createButton.click();
    await expect(page.getByText(NAME_ERROR)).toBeVisible();
    await expect(page.getByRole("heading", { name: "Projects", exact: true })).toBeVisible();
    await expect(page.getByText("No projects yet.")).toBeVisible();
    await waitForHydration(page);

    // Start again from a fresh page, so the message seen next answers the second attempt.
    await gotoReady(page, "/projects");
    await expect(page.getByText(NAME_ERROR)).toHaveCount(0);
    const tooLong = `A${"b".repeat(100)}`; // 101 characters
    await disableNativeValidation(page);
    await projectNameField(page).fill(tooLong);
    await expect(projectNameField(page)).toHaveValue(tooLong);
    await createButton.click();
    await expect(page.getByText(NAME_ERROR)).toBeVisible();
    await expect(page.getByRole("heading", { name: "Projects", exact: true })).toBeVisible();
    await expect(projectNameField(page)).toHaveValue(tooLong);
    await expect(page.getByText("No projects yet.")).toBeVisible();
    await expect(projectList(page).getByRole("link")).toHaveCount(0);
  });
});
