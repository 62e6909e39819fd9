import {
  PASSWORD,
  expect,
  expectPath,
  expectSignedIn,
  gotoReady,
  signIn,
  signOut,
  test,
  uniqueEmail,
  waitForHydration,
} from "./fixtures";
import type { Page } from "@playwright/test";

/*
 * Signing in with Google against a real OpenID provider (npm `oidc-provider`, started by
 * scripts/test on 127.0.0.1:3996 with the server's GOOGLE_* variables pointing at it). The
 * provider's own pages are plain forms: a login field, then Allow or Deny.
 */

async function atGoogle(page: Page, login: string, decision: "Allow" | "Deny"): Promise<void> {
  await gotoReady(page, "/login");
  await page.getByRole("button", { name: "Continue with Google", exact: true }).click();
  await page.getByRole("textbox", { name: "Email or login" }).fill(login);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByRole("button", { name: decision, exact: true }).click();
}

test.describe("sign in with a provider", () => {
  test("a first Google sign-in creates the account, which can then add a password", async ({ page }) => {
    const email = uniqueEmail("google");
    await atGoogle(page, email, "Allow");
    await expectPath(page, "/projects");
    await waitForHydration(page);
    await expectSignedIn(page, email);

    await gotoReady(page, "/account");
    await expect(page.getByTestId("linked-google")).toContainText(email);
    await expect(page.getByRole("heading", { name: "Set a password", exact: true })).toBeVisible();
    await page.getByLabel("New password", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Set password", exact: true }).click();
    await expect(page.getByRole("status")).toContainText("Your password was changed");

    // Both ways in now work, and Google can be unlinked since the password remains.
    await signOut(page);
    await signIn(page, email);
    await expectSignedIn(page, email);
    await gotoReady(page, "/account");
    await page.getByRole("button", { name: "Unlink Google", exact: true }).click();
    await expect(page.getByTestId("linked-google")).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Link Google", exact: true })).toBeVisible();
  });

  test("saying no at Google brings the person back with an explanation", async ({ page }) => {
    await atGoogle(page, uniqueEmail("declines"), "Deny");
    await expectPath(page, "/login");
    await expect(page.getByRole("alert")).toHaveText("Signing in with Google was cancelled.");
    await expect(page.getByTestId("current-user")).toHaveCount(0);
  });
});
