import {
  addTask,
  column,
  createProject,
  expect,
  gotoReady,
  jsEnabled,
  randomLetters,
  signUp,
  taskCard,
  test,
  textField,
  uniqueEmail,
} from "./fixtures";

test.describe("sharing a project", () => {
  test("an owner invites someone before they sign up; as a viewer they look, as an editor they work", async ({
    page,
    browser,
  }) => {
    const owner = uniqueEmail("owner");
    const teammate = uniqueEmail("teammate");
    const project = `Shared ${randomLetters()}`;
    await signUp(page, owner);
    const board = await createProject(page, project);
    await addTask(page, "Shared card");

    // The teammate has no account yet: the invitation waits.
    await gotoReady(page, `${board}/settings`);
    await textField(page, "Email").fill(teammate);
    await page.getByRole("combobox", { name: "Role", exact: true }).selectOption("viewer");
    await page.getByRole("button", { name: "Invite", exact: true }).click();
    await expect(page.getByTestId("invitation")).toContainText(teammate);

    // The teammate signs up in a browser of their own and finds the project shared with them.
    const theirs = await browser.newContext({ javaScriptEnabled: jsEnabled() });
    const other = await theirs.newPage();
    await signUp(other, teammate);
    await gotoReady(other, "/projects");
    await expect(other.getByText("shared with you as viewer")).toBeVisible();
    await gotoReady(other, board);
    await expect(other.getByRole("status")).toContainText("You are a viewer of this project");
    await expect(taskCard(column(other, "To do"), "Shared card")).toBeVisible();
    await expect(other.getByRole("button", { name: "Add task" })).toHaveCount(0);
    await expect(other.getByRole("button", { name: /^Move to/ })).toHaveCount(0);

    // The owner makes them an editor; now they can work on the board.
    await gotoReady(page, `${board}/settings`);
    const member = page.getByTestId("member").filter({ hasText: teammate });
    await member.getByRole("combobox", { name: `Role of ${teammate}` }).selectOption("editor");
    await member.getByRole("button", { name: "Change role", exact: true }).click();
    await expect(
      page.getByTestId("member").filter({ hasText: teammate }).getByRole("combobox"),
    ).toHaveValue("editor");
    await gotoReady(other, board);
    await addTask(other, "Added by the teammate");
    await theirs.close();
  });
});
