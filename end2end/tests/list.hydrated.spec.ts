import {
  addTask,
  createProject,
  expect,
  gotoReady,
  randomLetters,
  signUp,
  test,
  uniqueEmail,
} from "./fixtures";

test.describe("the list view hydrating", () => {
  test("loads twenty times without an error, and still follows live changes", async ({ page }) => {
    test.setTimeout(120_000);
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(`console: ${message.text()}`);
    });
    await signUp(page, uniqueEmail("lister"));
    const board = await createProject(page, `Listed ${randomLetters()}`);
    await addTask(page, "Listed card");
    // A slow phone: hydration takes long enough for the stream's first event to arrive in the
    // middle of it, which is when the list's WASM used to die.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: 6 });
    for (let load = 1; load <= 20; load += 1) {
      // The live stream's first event arrives while the page hydrates, or just after.
      const stream = page.waitForResponse((response) => response.url().endsWith("/events"));
      await gotoReady(page, `${board}/list`);
      await expect(page.getByText("Listed card")).toBeVisible();
      await stream;
      await page.waitForTimeout(100);
      expect(errors, `load ${load}`).toEqual([]);
    }
    // The page's WASM is alive: a change made elsewhere shows up without a reload.
    const projectId = board.split("/").pop() ?? "";
    const created = await page.request.post("/api/create_task", {
      form: { project_id: projectId, title: "Arrived live" },
      headers: { Accept: "application/json" },
    });
    expect(created.ok()).toBe(true);
    await expect(page.getByText("Arrived live")).toBeVisible();
    expect(errors).toEqual([]);
  });
});
