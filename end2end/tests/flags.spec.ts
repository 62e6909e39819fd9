import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import {
  addTask,
  createProject,
  expect,
  expectPath,
  gotoReady,
  jsEnabled,
  randomLetters,
  signUp,
  test,
  uniqueEmail,
} from "./fixtures";

/**
 * Runs the release binary against the e2e server's database, as an operator would on its host.
 * scripts/test sets both variables.
 */
function taskdeck(...args: string[]): string {
  const cli = process.env.TASKDECK_CLI;
  const database = process.env.TASKDECK_DATABASE_URL;
  if (!cli || !database) {
    throw new Error("TASKDECK_CLI and TASKDECK_DATABASE_URL must name the server's binary and database");
  }
  return execFileSync(cli, args, {
    env: { ...process.env, DATABASE_URL: database, LOG_LEVEL: "error" },
    encoding: "utf8",
  });
}

test.describe("feature flags", () => {
  test("an admin turns Export CSV on for one person from the admin page; that person downloads their tasks", async ({
    page,
    browser,
  }) => {
    const admin = uniqueEmail("admin");
    const member = uniqueEmail("member");
    const project = `Exported ${randomLetters()}`;

    const theirs = await browser.newContext({ javaScriptEnabled: jsEnabled(), acceptDownloads: true });
    const other = await theirs.newPage();
    await signUp(other, member);
    const board = await createProject(other, project);
    await addTask(other, "Ship the export, then rest");
    const exportLink = other.getByRole("link", { name: "Export CSV", exact: true });
    await expect(exportLink).toHaveCount(0);

    // Not an admin yet: the page does not exist, and the header does not offer it.
    await signUp(page, admin);
    await expect(page.getByRole("link", { name: "Admin", exact: true })).toHaveCount(0);
    expect((await gotoReady(page, "/admin/flags"))?.status()).toBe(404);

    expect(taskdeck("admin", "grant", admin)).toContain(`${admin} is an instance admin`);
    await gotoReady(page, "/projects");
    await page.getByRole("link", { name: "Admin", exact: true }).click();
    await expectPath(page, "/admin/flags");
    const flag = page.getByTestId("flag-project-export");
    await expect(flag.getByRole("heading", { name: "project-export" })).toBeVisible();
    await expect(flag.getByTestId("flag-summary")).toHaveText("off");

    // A mistyped address is refused and stays in the box to be corrected.
    const email = flag.getByLabel("Account's email");
    await email.fill("nobody@example.com");
    await flag.getByRole("button", { name: "Turn on for this account", exact: true }).click();
    await expect(flag.getByText("No account has this email.", { exact: false })).toBeVisible();
    await expect(page.getByTestId("flag-project-export").getByLabel("Account's email")).toHaveValue(
      "nobody@example.com",
    );
    await expect(flag.getByTestId("flag-summary")).toHaveText("off");

    await page.getByTestId("flag-project-export").getByLabel("Account's email").fill(member);
    await flag.getByRole("button", { name: "Turn on for this account", exact: true }).click();
    await expect(flag.getByTestId("flag-summary")).toHaveText("on for 1 account");
    await expect(flag.getByRole("button", { name: `Remove ${member}`, exact: true })).toBeVisible();

    // The member's board now offers the export, and the file holds their task.
    await gotoReady(other, board);
    const download = other.waitForEvent("download");
    await exportLink.click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^exported-[a-z]+\.csv$/);
    const csv = readFileSync(await file.path(), "utf8");
    expect(csv).toContain("ID,Title,Status,Priority,Due date,Labels,Assignees,Checklist,Description");
    expect(csv).toContain('"Ship the export, then rest",To do,');

    // Rolled back: off for them again, and the link is gone.
    await flag.getByRole("button", { name: `Remove ${member}`, exact: true }).click();
    await expect(flag.getByTestId("flag-summary")).toHaveText("off");
    await gotoReady(other, board);
    await expect(exportLink).toHaveCount(0);
    await theirs.close();
  });
});
