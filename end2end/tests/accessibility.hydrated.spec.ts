import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import {
  addTask,
  createProject,
  expect,
  gotoReady,
  openTask,
  randomLetters,
  signUp,
  test,
  uniqueEmail,
} from "./fixtures";

/** Runs axe-core (WCAG 2.0–2.2 A and AA, plus best practices) on the page as it is now. */
async function expectNoViolations(page: Page, what: string): Promise<void> {
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"])
    .analyze();
  const found = results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.map((n) => n.target.join(" ")).join("\n  ")}`,
  );
  expect(found, `axe-core on ${what}`).toEqual([]);
}

test.describe("accessibility", () => {
  test("the main pages have no axe-core violations, in light and dark", async ({ page }) => {
    // Twenty full axe-core runs: slow on two cores, not stuck.
    test.setTimeout(180_000);
    for (const scheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await gotoReady(page, "/");
      await expectNoViolations(page, `the home page (${scheme})`);
      await gotoReady(page, "/login");
      await expectNoViolations(page, `sign in (${scheme})`);
      await gotoReady(page, "/signup");
      await expectNoViolations(page, `sign up (${scheme})`);
    }

    await signUp(page, uniqueEmail("axe"));
    const board = await createProject(page, `Accessible ${randomLetters()}`);
    await gotoReady(page, `${board}/settings`);
    const labels = page.getByRole("region", { name: "Labels", exact: true });
    for (const colour of ["Red", "Yellow", "Teal", "Purple"]) {
      await labels.getByRole("textbox", { name: "Name", exact: true }).fill(colour);
      await labels.getByRole("combobox", { name: "Colour", exact: true }).selectOption({ label: colour });
      await labels.getByRole("button", { name: "Add label", exact: true }).click();
      await expect(labels.locator(`span.label-${colour.toLowerCase()}`)).toHaveText(colour);
    }
    await gotoReady(page, board);
    await addTask(page, "Readable card");
    await openTask(page, "Readable card");
    for (const colour of ["Red", "Yellow"]) {
      const toggle = page.getByRole("region", { name: "Labels", exact: true }).getByRole("button", { name: colour });
      await toggle.click();
      await expect(toggle).toHaveAttribute("aria-pressed", "true");
    }
    for (const scheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await gotoReady(page, "/projects");
      await expectNoViolations(page, `the projects page (${scheme})`);
      await gotoReady(page, board);
      await expectNoViolations(page, `the board (${scheme})`);
      await gotoReady(page, `${board}/settings`);
      await expectNoViolations(page, `project settings (${scheme})`);
      await gotoReady(page, `${board}/list`);
      await expectNoViolations(page, `the list (${scheme})`);
      await gotoReady(page, "/my-tasks");
      await expectNoViolations(page, `my tasks (${scheme})`);
      await gotoReady(page, "/account");
      await expectNoViolations(page, `the account page (${scheme})`);
      await gotoReady(page, board);
      await openTask(page, "Readable card");
      await expectNoViolations(page, `the task page (${scheme})`);
    }
  });
});
