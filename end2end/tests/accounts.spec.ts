import {
  PASSWORD,
  currentUser,
  emailField,
  expect,
  expectPath,
  expectSignedIn,
  expectSignedOut,
  expectSignedUp,
  gotoReady,
  passwordField,
  signIn,
  signInLink,
  signOut,
  signUp,
  signUpLink,
  submitSignIn,
  submitSignUp,
  test,
  uniqueEmail,
  waitForHydration,
} from "./fixtures";

test.describe("accounts", () => {
  test("the home page welcomes a visitor and links to sign up and sign in", async ({ page, js }) => {
    await gotoReady(page, "/");
    await expect(page.getByRole("heading", { name: "Taskdeck", exact: true }).first()).toBeVisible();
    await expectSignedOut(page);

    // The hydration marker is only set by the WASM bundle.
    if (js) {
      await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
    } else {
      await expect(page.locator("body")).not.toHaveAttribute("data-hydrated", "true");
    }

    await signUpLink(page).click();
    await expectPath(page, "/signup");
    await expect(page.getByRole("heading", { name: "Create your account", exact: true })).toBeVisible();
    await waitForHydration(page);

    await signInLink(page).click();
    await expectPath(page, "/login");
    await expect(page.getByRole("heading", { name: "Sign in", exact: true })).toBeVisible();
  });

  test("signing up leads to sign-in, then to the projects page, signed in", async ({ page }) => {
    const email = uniqueEmail("signup");
    await expectSignedUp(page, email);
    // Nothing personal in the URL: a fixed flag carries the notice.
    await expect(page).toHaveURL(/\/login\?signed_up=1$/);
    await waitForHydration(page);
    await emailField(page).fill(email);
    await passwordField(page).fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expectPath(page, "/projects");
    await expect(page.getByText("No projects yet.")).toBeVisible();
    await expectSignedIn(page, email);

    // The session survives a reload, and the home page now sends the user to their projects.
    await gotoReady(page, "/projects");
    await expectSignedIn(page, email);
    await gotoReady(page, "/");
    await expectPath(page, "/projects");
    await expect(page.getByRole("heading", { name: "Projects", exact: true })).toBeVisible();
    await expectSignedIn(page, email);
  });

  test("an invalid email is refused and the typed email is kept", async ({ page }) => {
    await submitSignUp(page, "not-an-email", PASSWORD);
    await expect(page.getByText("Enter a valid email address.")).toBeVisible();
    await expect(page.getByRole("heading", { name: "Create your account", exact: true })).toBeVisible();
    await expect(emailField(page)).toHaveValue("not-an-email");
    await expect(passwordField(page)).toHaveValue("");
    await expect(currentUser(page)).toHaveCount(0);
  });

  test("a password shorter than 8 characters is refused and the typed email is kept", async ({ page }) => {
    const email = uniqueEmail("short");
    await submitSignUp(page, email, "short7c");
    await expect(page.getByText("Password must be at least 8 characters.")).toBeVisible();
    await expect(page.getByRole("heading", { name: "Create your account", exact: true })).toBeVisible();
    await expect(emailField(page)).toHaveValue(email);
    await expect(passwordField(page)).toHaveValue("");
    await expect(currentUser(page)).toHaveCount(0);

    // Nothing was created: that address cannot sign in.
    await submitSignIn(page, email, "short7c");
    await expect(page.getByText("Email or password is incorrect.")).toBeVisible();
  });

  test("signing up with a registered email says no more than a new one and changes nothing", async ({ page }) => {
    const email = uniqueEmail("duplicate");
    await signUp(page, email);
    await signOut(page);

    // The same answer as for a new address: nothing tells that this one has an account.
    await expectSignedUp(page, email, "another-password");
    await expect(page.getByText("already exists")).toHaveCount(0);
    await expect(page).toHaveURL(/\/login\?signed_up=1$/);

    // The original account is untouched: its password still works, the new one does not.
    await submitSignIn(page, email, "another-password");
    await expect(page.getByText("Email or password is incorrect.")).toBeVisible();
    await signIn(page, email);
  });

  test("a wrong password or unknown email is refused and the typed email is kept", async ({ page }) => {
    const email = uniqueEmail("wrongpw");
    await signUp(page, email);
    await signOut(page);

    await submitSignIn(page, email, "not-the-password");
    await expect(page.getByText("Email or password is incorrect.")).toBeVisible();
    await expect(page.getByRole("heading", { name: "Sign in", exact: true })).toBeVisible();
    await expect(emailField(page)).toHaveValue(email);
    // The email is kept in the field, not in the URL, where history and logs would keep it too.
    await expect(page).toHaveURL(/\/login$/);
    await expect(currentUser(page)).toHaveCount(0);

    const unknown = uniqueEmail("nobody");
    await submitSignIn(page, unknown, PASSWORD);
    await expect(page.getByText("Email or password is incorrect.")).toBeVisible();
    await expect(emailField(page)).toHaveValue(unknown);
    await expect(currentUser(page)).toHaveCount(0);

    await signIn(page, email);
  });

  test("signing out ends the session and signing in again restores it", async ({ page }) => {
    const email = uniqueEmail("signout");
    await signUp(page, email);
    await signOut(page);

    // Signed out, the projects page sends the visitor to sign in.
    await gotoReady(page, "/projects");
    await expectPath(page, "/login");
    await expect(page.getByRole("heading", { name: "Sign in", exact: true })).toBeVisible();
    await expectSignedOut(page);

    await signIn(page, email);
    await expect(page.getByText("No projects yet.")).toBeVisible();
    await expect(currentUser(page)).toContainText(email);
  });
});
