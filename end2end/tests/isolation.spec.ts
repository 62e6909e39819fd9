import {
  addTask,
  createProject,
  expect,
  expectNotFound,
  gotoReady,
  openTask,
  projectLink,
  projectList,
  randomLetters,
  signIn,
  signOut,
  signUp,
  taskCard,
  test,
  uniqueEmail,
} from "./fixtures";

/** An id of the same shape as `id` that no row is likely to have. */
function unknownIdLike(id: string): string {
  if (/^\d+$/.test(id)) return "987654321";
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) {
    return "00000000-0000-4000-8000-000000000000";
  }
  return `${id}x`;
}

function lastSegment(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

test.describe("isolation between accounts", () => {
  test("a second account sees none of the first account's projects or tasks", async ({ page }) => {
    test.slow(); // two accounts and many page loads

    const secretProject = `Secret project ${randomLetters()}`;
    const secretTask = `Secret task ${randomLetters()}`;

    const alice = uniqueEmail("alice");
    await signUp(page, alice);
    const projectPath = await createProject(page, secretProject);
    await addTask(page, secretTask);
    const taskPath = await openTask(page, secretTask);
    await gotoReady(page, projectPath);
    await signOut(page);

    const bob = uniqueEmail("bob");
    await signUp(page, bob);
    await expect(page.getByText("No projects yet.")).toBeVisible();
    await expect(projectList(page).getByRole("link")).toHaveCount(0);
    await expect(page.getByText(secretProject)).toHaveCount(0);

    // Alice's addresses, opened by Bob, are "Not found" and show nothing of hers.
    const hidden = [secretProject, secretTask];
    await expectNotFound(page, projectPath, hidden);
    await expectNotFound(page, `${projectPath}/settings`, hidden);
    await expectNotFound(page, taskPath, hidden);

    // Bob's own project does not reveal Alice's either.
    await createProject(page, "Bob's project");
    await expect(page.getByText(secretTask)).toHaveCount(0);
    await gotoReady(page, "/projects");
    await expect(projectLink(page, "Bob's project")).toBeVisible();
    await expect(projectLink(page, secretProject)).toHaveCount(0);
    await signOut(page);

    // Alice still has everything, and nothing of Bob's.
    await signIn(page, alice);
    await expect(projectLink(page, secretProject)).toBeVisible();
    await expect(projectLink(page, "Bob's project")).toHaveCount(0);
    await gotoReady(page, projectPath);
    await expect(taskCard(page, secretTask)).toBeVisible();
  });

  test("unknown project and task ids show the Not found page", async ({ page }) => {
    await signUp(page, uniqueEmail("unknown"));
    const projectPath = await createProject(page, "Only project");
    await addTask(page, "Only task");
    const taskPath = await openTask(page, "Only task");

    await expectNotFound(page, `/projects/${unknownIdLike(lastSegment(projectPath))}`);
    await expectNotFound(page, `/tasks/${unknownIdLike(lastSegment(taskPath))}`);
  });
});
