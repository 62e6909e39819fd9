import { expect, gotoReady, test, waitForHydration } from "./fixtures";

test.describe("theme", () => {
  test("dark mode follows the system until a theme is chosen, and the choice stays", async ({ page }) => {
    await page.emulateMedia({ colorScheme: "dark" });
    await gotoReady(page, "/");
    const html = page.locator("html");
    await expect(html).toHaveAttribute("data-theme", "system");
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const systemDark = await background();

    const themes = page.getByRole("group", { name: "Theme" });
    await themes.getByRole("button", { name: "Light", exact: true }).click();
    await expect(html).toHaveAttribute("data-theme", "light");
    await expect(themes.getByRole("button", { name: "Light", exact: true })).toHaveAttribute("aria-pressed", "true");
    await waitForHydration(page);
    expect(await background(), "light wins over the system's dark").not.toBe(systemDark);

    await page.reload();
    await waitForHydration(page);
    await expect(html).toHaveAttribute("data-theme", "light");

    await themes.getByRole("button", { name: "Dark", exact: true }).click();
    await expect(html).toHaveAttribute("data-theme", "dark");
    expect(await background()).toBe(systemDark);
  });
});
