/**
 * Hydration takes over the page the server rendered: it attaches to the elements that are there
 * rather than drawing them again, so nothing flashes and the page's largest paint stays the
 * server's. The occasional pages' code arrives in parts of its own (app/src/routes.rs), which
 * hydration waits for; a page that re-rendered instead would lose what the visitor sees, or had
 * typed.
 */
import type { Page } from "@playwright/test";
import { addTask, createProject, currentUser, expect, gotoReady, randomLetters, signUp, test, uniqueEmail } from "./fixtures";

/** Loads `path` and returns the elements and text hydration removed from the page's <main>. */
async function removedByHydration(page: Page, path: string): Promise<string[]> {
  await page.addInitScript(() => {
    const removed: string[] = [];
    (window as unknown as { __removed: string[] }).__removed = removed;
    new MutationObserver((records) => {
      for (const record of records) {
        // A node removed inside <main>, or one that takes <main> itself with it.
        const insideMain = record.target instanceof Element && record.target.closest("main") !== null;
        for (const node of record.removedNodes) {
          const holdsMain = node instanceof Element && (node.matches("main") || node.querySelector("main") !== null);
          if (!insideMain && !holdsMain) continue;
          if (node instanceof Element) removed.push(node.outerHTML.slice(0, 120));
          else if (node.nodeType === Node.TEXT_NODE && node.textContent?.trim()) removed.push(`text: ${node.textContent.slice(0, 120)}`);
        }
      }
    }).observe(document, { childList: true, subtree: true });
  });
  await gotoReady(page, path);
  return page.evaluate(() => (window as unknown as { __removed: string[] }).__removed);
}

test.describe("hydration", () => {
  test("keeps the elements the server rendered on the board", async ({ page }) => {
    await signUp(page, uniqueEmail("hydration"));
    const board = await createProject(page, `Hydration ${randomLetters()}`);
    await addTask(page, "Still the server's card");

    expect(await removedByHydration(page, board), "elements of the board hydration drew again").toEqual([]);
    await expect(page.getByText("Still the server's card")).toBeVisible();
  });

  test("keeps the sign-in page's form", async ({ page }) => {
    expect(await removedByHydration(page, "/login"), "elements of the sign-in page hydration drew again").toEqual([]);
  });

  test("keeps a page whose code is loaded lazily", async ({ page }) => {
    // An invitation link's page: its code is a part of its own, and a signed-out visitor sees it.
    const removed = await removedByHydration(page, "/invitations/no-such-link");
    expect(removed, "elements of the invitation page hydration drew again").toEqual([]);
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  });

  test("a tab opened before a deploy still reaches the pages whose code is loaded lazily", async ({ page }) => {
    await signUp(page, uniqueEmail("deploy"));
    const board = await createProject(page, `Deploy ${randomLetters()}`);
    await gotoReady(page, board);
    // A deploy: the server no longer has the parts this tab's build would fetch. A page load brings
    // the new build's names with the page, so the visitor still gets the page they asked for.
    await page.route(/\/pkg\/(split|chunk)_/, (route) => route.fulfill({ status: 404 }));

    await currentUser(page).click();
    await expect(page.getByRole("heading", { name: "Your account" })).toBeVisible();

    await gotoReady(page, board);
    await page.getByRole("link", { name: "Project settings" }).click();
    await expect(page.getByRole("heading", { name: "Project settings" })).toBeVisible();

    await gotoReady(page, board);
    await page.keyboard.press("g");
    await page.keyboard.press("a");
    await expect(page.getByRole("heading", { name: "Your account" })).toBeVisible();
  });
});
