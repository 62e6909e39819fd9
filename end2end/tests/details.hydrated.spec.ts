/**
 * The task page follows its project live (browser code: hydrated project only, see
 * playwright.config.ts): what others do shows up without a reload, and what is being typed here
 * is never rebuilt away.
 */
import {
  addTask,
  createProject,
  expect,
  gotoReady,
  openTask,
  randomLetters,
  signUp,
  test,
  textField,
  uniqueEmail,
} from "./fixtures";

test.describe("the task page, hydrated", () => {
  test("changes made elsewhere appear live, and a comment being typed survives them", async ({ page, context }) => {
    await signUp(page, uniqueEmail("live-task"));
    await createProject(page, `Live task ${randomLetters()}`);
    await addTask(page, "Talk it over");
    const taskPath = await openTask(page, "Talk it over");
    const comments = page.getByRole("region", { name: "Comments", exact: true });
    const draft = "Half a thought, not sent yet";
    await textField(comments, "Add a comment").fill(draft);

    // The same person in another tab comments and adds a subtask.
    const other = await context.newPage();
    await gotoReady(other, taskPath);
    const otherComments = other.getByRole("region", { name: "Comments", exact: true });
    await textField(otherComments, "Add a comment").fill("Agreed, **ship it**");
    await otherComments.getByRole("button", { name: "Comment", exact: true }).click();
    await expect(otherComments.locator(".comment-body strong")).toHaveText("ship it");
    // The box empties once the comment is posted.
    await expect(textField(otherComments, "Add a comment")).toHaveValue("");
    const checklist = other.getByRole("region", { name: "Checklist", exact: true });
    await textField(checklist, "Add a subtask").fill("Write it down");
    await checklist.getByRole("button", { name: "Add", exact: true }).click();
    await expect(checklist.getByRole("button", { name: "Write it down", exact: true })).toBeVisible();

    // The first tab shows both without a reload, and the draft is still there.
    await expect(comments.locator(".comment-body strong")).toHaveText("ship it", { timeout: 3_000 });
    await expect(
      page.getByRole("region", { name: "Checklist", exact: true }).getByRole("button", { name: "Write it down", exact: true }),
    ).toBeVisible({ timeout: 3_000 });
    await expect(textField(comments, "Add a comment")).toHaveValue(draft);
    await other.close();
  });
});
