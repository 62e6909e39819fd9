import { expect, test } from "@playwright/test";

// The app's files keep their names from one release to the next. A browser that kept its copy
// without asking would, after an upgrade, run the old app against the new server; one that had to
// download the whole bundle on every page would be slow.
test.describe("the app's files", () => {
  for (const [file, type] of [
    ["/pkg/taskdeck.js", "text/javascript"],
    ["/pkg/taskdeck.wasm", "application/wasm"],
    ["/pkg/taskdeck.css", "text/css"],
  ]) {
    test(`${file} is checked with the server on every load, and costs nothing when unchanged`, async ({
      request,
    }) => {
      const first = await request.get(file);
      expect(first.status()).toBe(200);
      expect(first.headers()["content-type"]).toContain(type);
      expect(first.headers()["cache-control"]).toBe("no-cache");
      const lastModified = first.headers()["last-modified"];
      expect(lastModified).toBeTruthy();

      const again = await request.get(file, { headers: { "if-modified-since": lastModified } });
      expect(again.status()).toBe(304);
      expect((await again.body()).length).toBe(0);
    });
  }

  test("a file that is not there is a plain 404, not a page", async ({ request }) => {
    const missing = await request.get("/pkg/no-such-file.js");
    expect(missing.status()).toBe(404);
    expect(await missing.text()).not.toContain("<html");
  });
});
