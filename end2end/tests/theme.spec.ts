import {
  addTask,
  createProject,
  expect,
  gotoReady,
  randomLetters,
  signUp,
  test,
  uniqueEmail,
  waitForHydration,
  type Page,
} from "./fixtures";

/** sRGB colour "#rgb", "#rrggbb" or "rgb(r, g, b)" → relative luminance (WCAG 2). */
function luminance(colour: string): number {
  // The stylesheet is minified, so "#ffffff" may arrive as "#fff".
  const text = colour.trim().replace(/^#([0-9a-f])([0-9a-f])([0-9a-f])$/i, "#$1$1$2$2$3$3");
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(text);
  const rgb = /^rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(text);
  const parts = hex ? hex.slice(1).map((h) => parseInt(h, 16)) : rgb ? rgb.slice(1).map(Number) : null;
  if (!parts) throw new Error(`not a colour: ${colour}`);
  const [r, g, b] = parts.map((c) => {
    const v = c / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
}

/** What the element holding keyboard focus shows, and the backgrounds it can sit on. */
async function focusRing(page: Page) {
  return page.evaluate(() => {
    const active = document.activeElement;
    if (!active || active === document.body) return null;
    const style = getComputedStyle(active);
    const root = getComputedStyle(document.documentElement);
    return {
      element: `${active.tagName.toLowerCase()} "${(active.textContent ?? "").trim().slice(0, 30)}"`,
      style: style.outlineStyle,
      width: parseFloat(style.outlineWidth),
      colour: style.outlineColor,
      backgrounds: [root.getPropertyValue("--bg"), root.getPropertyValue("--surface")],
    };
  });
}

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

  for (const scheme of ["light", "dark"] as const) {
    test(`keyboard focus is clearly visible in ${scheme} mode`, async ({ page }) => {
      await page.emulateMedia({ colorScheme: scheme });
      await signUp(page, uniqueEmail("focus"));
      await createProject(page, `Focus ${randomLetters()}`);
      await addTask(page, "Seen with the keyboard");
      await page.locator("body").click({ position: { x: 1, y: 1 } });
      let seen = 0;
      for (let i = 0; i < 20; i++) {
        await page.keyboard.press("Tab");
        const ring = await focusRing(page);
        if (!ring) continue;
        seen++;
        expect(ring.style, `${ring.element} shows an outline`).not.toBe("none");
        expect(ring.width, `${ring.element}'s outline is at least 2px`).toBeGreaterThanOrEqual(2);
        for (const background of ring.backgrounds) {
          expect(
            contrast(ring.colour, background),
            `${ring.element}'s outline ${ring.colour} against ${background}`,
          ).toBeGreaterThanOrEqual(3);
        }
      }
      expect(seen, "Tab reached the page's controls").toBeGreaterThan(10);
    });
  }
});
