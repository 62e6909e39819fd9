import {
  addTask,
  column,
  createProject,
  expect,
  gotoReady,
  jsEnabled,
  randomLetters,
  expectPath,
  signUp,
  submitSignIn,
  taskCard,
  test,
  textField,
  uniqueEmail,
  type Page,
} from "./fixtures";

/**
 * The owner invites `email` from the project's settings and copies the link shown there once;
 * returns the link's path, `/invitations/{token}`.
 */
async function invite(page: Page, board: string, email: string, role: string): Promise<string> {
  await gotoReady(page, `${board}/settings`);
  await textField(page, "Email").fill(email);
  await page.getByRole("combobox", { name: "Role", exact: true }).selectOption(role);
  await page.getByRole("button", { name: "Invite", exact: true }).click();
  const link = page.getByRole("textbox", { name: "Invitation link" });
  await expect(link).toHaveValue(/\/invitations\/[0-9a-f]{64}$/);
  await expect(page.getByTestId("invitation").filter({ hasText: email })).toContainText(
    "waiting for them to accept",
  );
  return new URL(await link.inputValue()).pathname;
}

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

    // The teammate has no account yet: the invitation waits, and the owner copies its link.
    const link = await invite(page, board, teammate, "viewer");

    // The teammate signs up in a browser of their own: that alone shares nothing.
    const theirs = await browser.newContext({ javaScriptEnabled: jsEnabled() });
    const other = await theirs.newPage();
    await signUp(other, teammate);
    await gotoReady(other, "/projects");
    await expect(other.getByTestId("my-invitation")).toContainText(`invited you to “${project}”`);
    await expect(other.getByTestId("project-list")).toHaveCount(0);
    // The link the owner passed on: they accept and land on the board.
    await gotoReady(other, link);
    await expect(other.getByRole("heading", { name: `Join “${project}”?` })).toBeVisible();
    await expect(other.getByTestId("invitation")).toContainText(`${owner} invited you`);
    await other.getByRole("button", { name: "Accept", exact: true }).click();
    await expectPath(other, board);
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

  test("a signed-out person opens the link, signs in, comes back to it and accepts", async ({
    page,
    browser,
  }) => {
    const owner = uniqueEmail("owner");
    const invitee = uniqueEmail("invitee");
    const project = `Linked ${randomLetters()}`;
    const theirs = await browser.newContext({ javaScriptEnabled: jsEnabled() });
    const other = await theirs.newPage();
    await signUp(other, invitee);
    await other.context().clearCookies();

    await signUp(page, owner);
    const board = await createProject(page, project);
    const link = await invite(page, board, invitee, "editor");

    // Signed out, the link tells nothing of the project and asks to sign in.
    await gotoReady(other, link);
    const invitation = other.getByTestId("invitation");
    await expect(invitation).toContainText("Sign in to see the invitation");
    await expect(invitation).not.toContainText(project);
    await submitSignIn(other, invitee, "correct-horse-battery");
    await expectPath(other, link);
    await expect(other.getByRole("heading", { name: `Join “${project}”?` })).toBeVisible();
    await expect(invitation).toContainText(`${owner} invited you to this project as editor.`);
    await other.getByRole("button", { name: "Accept", exact: true }).click();
    await expectPath(other, board);
    await expect(other.getByRole("button", { name: "Add task" })).toBeVisible();

    // Used once: the link now says it is not valid.
    await gotoReady(other, link);
    await expect(other.getByRole("heading", { name: "This invitation link is not valid" })).toBeVisible();
    await theirs.close();
  });

  test("an invitation to an existing account waits for its answer; declining leaves them out", async ({
    page,
    browser,
  }) => {
    const owner = uniqueEmail("owner");
    const invitee = uniqueEmail("invitee");
    const project = `Asked ${randomLetters()}`;
    const theirs = await browser.newContext({ javaScriptEnabled: jsEnabled() });
    const other = await theirs.newPage();
    await signUp(other, invitee);
    await signUp(page, owner);
    const board = await createProject(page, project);
    await invite(page, board, invitee, "viewer");

    // Not a member: they see the invitation on their projects page, and decline it there.
    await gotoReady(other, "/projects");
    const mine = other.getByTestId("my-invitation");
    await expect(mine).toContainText(`${owner} invited you to “${project}” as viewer.`);
    await expect(other.getByTestId("project-list")).toHaveCount(0);
    await mine.getByRole("button", { name: `Decline “${project}”` }).click();
    await expect(other.getByTestId("my-invitation")).toHaveCount(0);
    await gotoReady(other, board);
    await expect(other.getByRole("heading", { name: "Not found" })).toBeVisible();

    // The owner sees the invitation gone.
    await gotoReady(page, `${board}/settings`);
    await expect(page.getByTestId("invitation")).toHaveCount(0);
    await theirs.close();
  });

  test("a member leaves a project; its owner is told they cannot", async ({ page, browser }) => {
    const owner = uniqueEmail("owner");
    const member = uniqueEmail("member");
    const project = `Left ${randomLetters()}`;
    const theirs = await browser.newContext({ javaScriptEnabled: jsEnabled() });
    const other = await theirs.newPage();
    await signUp(other, member);
    await signUp(page, owner);
    const board = await createProject(page, project);
    const link = await invite(page, board, member, "editor");
    await gotoReady(other, link);
    await other.getByRole("button", { name: "Accept", exact: true }).click();
    await expectPath(other, board);

    await gotoReady(other, `${board}/settings`);
    await other.getByRole("button", { name: "Leave project", exact: true }).click();
    await expectPath(other, "/projects");
    await expect(other.getByRole("link", { name: project })).toHaveCount(0);
    await gotoReady(other, board);
    await expect(other.getByRole("heading", { name: "Not found" })).toBeVisible();

    await gotoReady(page, `${board}/settings`);
    await expect(page.getByTestId("owner-cannot-leave")).toContainText(
      "As an owner you cannot leave the project",
    );
    await expect(page.getByRole("button", { name: "Leave project" })).toHaveCount(0);
    await expect(page.getByTestId("member")).toHaveCount(1);
    await theirs.close();
  });
});
