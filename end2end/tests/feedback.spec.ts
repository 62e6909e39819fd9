/**
 * "Send feedback", with JavaScript off and hydrated: the message is refused when empty (and what
 * was typed stays), accepted otherwise with a thank-you; the e2e Sentry sink receives it.
 */
import {
  disableNativeValidation,
  expect,
  expectPath,
  signUp,
  test,
  textField,
  uniqueEmail,
  waitForHydration,
} from "./fixtures";

const SINK = `http://127.0.0.1:${process.env.SENTRY_SINK_PORT ?? 3998}`;

test.describe("feedback", () => {
  test("feedback is refused when empty and thanked for when sent", async ({ page, request }) => {
    await signUp(page, uniqueEmail("feedback"));
    await page.getByRole("link", { name: "Send feedback", exact: true }).click();
    await expectPath(page, "/feedback");
    await expect(page.getByRole("heading", { name: "Send feedback", exact: true })).toBeVisible();
    await waitForHydration(page);
    await disableNativeValidation(page);

    await page.getByRole("button", { name: "Send feedback", exact: true }).click();
    await expect(page.getByText("Tell us what happened.")).toBeVisible();

    const message = `The due date picker is hard to use ${Date.now()}`;
    await textField(page, "What happened?").fill(message);
    await page.getByRole("button", { name: "Send feedback", exact: true }).click();
    await expect(page.getByRole("status")).toHaveText("Thank you. Your feedback was sent.");

    await expect
      .poll(async () => {
        const received: { body: string }[] = await (await request.get(`${SINK}/received`)).json();
        return received.some((e) => e.body.includes(message) && e.body.includes('"type":"feedback"'));
      })
      .toBe(true);
  });
});
