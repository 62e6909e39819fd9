// node --test scripts/content-names.test.mjs: the release build's files are named after their
// content, so a browser that keeps them for good never runs stale bytes under a current name.

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { brotliCompressSync, brotliDecompressSync, gzipSync, gunzipSync } from "node:zlib";
import { contentHash, nameByContent } from "./content-names.mjs";

/** A pkg directory as `cargo leptos build --split --precompress` leaves it: every name hashed
 * before the loader's and the parts' names were written into the files that name them. */
function build({ part = "the invitation page's code", style = "main { margin: 0 }" } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "content-names-"));
  const stale = (seed) => contentHash(`stale ${seed}`);
  const [js, wasm, css, loader, manifest] = ["js", "wasm", "css", "loader", "manifest"].map(stale);
  const partName = `split_invitation_link.${contentHash(part)}`;
  const files = {
    [`taskdeck.${js}.js`]: `import * as split from "./__wasm_split.${loader}.js";\nexport function initSync() {}\n`,
    [`taskdeck.${wasm}.wasm`]: Buffer.concat([Buffer.from([0, 0x61, 0x73, 0x6d]), Buffer.from(`./__wasm_split.${loader}.js`)]),
    [`taskdeck.${css}.css`]: style,
    [`__wasm_split.${loader}.js`]: `import { initSync } from "./taskdeck.${js}.js";\nfetch(new URL("./${partName}.wasm", import.meta.url));\n`,
    [`${partName}.wasm`]: part,
    [`__wasm_split_manifest.${manifest}.json`]: `{"invitation_link":["${partName}"]}`,
  };
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(dir, name), content);
    writeFileSync(join(dir, `${name}.br`), brotliCompressSync(Buffer.from(content)));
    writeFileSync(join(dir, `${name}.gz`), gzipSync(Buffer.from(content)));
  }
  const hashFile = join(dir, "hash.txt");
  writeFileSync(hashFile, `js: ${js}\nwasm: ${wasm}\ncss: ${css}\nmanifest: ${manifest}\nsplit: ${loader}\n`);
  nameByContent(dir, hashFile);
  return { dir, hashes: Object.fromEntries(readFileSync(hashFile, "utf8").trim().split("\n").map((line) => line.split(": "))) };
}

const file = (dir, prefix, ext) => {
  const found = readdirSync(dir).filter((name) => name.startsWith(prefix) && name.endsWith(`.${ext}`));
  assert.equal(found.length, 1, `one ${prefix}*.${ext} in ${readdirSync(dir)}`);
  return found[0];
};

test("a file that names no other is named after its own bytes", () => {
  const { dir, hashes } = build();
  for (const name of [`taskdeck.${hashes.wasm}.wasm`, `taskdeck.${hashes.css}.css`, `__wasm_split_manifest.${hashes.manifest}.json`, file(dir, "split_", "wasm")]) {
    const hash = name.split(".").at(-2);
    assert.equal(contentHash(readFileSync(join(dir, name))), hash, `${name} is named after its content`);
  }
});

test("the hash file, the files and their compressed copies all agree", () => {
  const { dir, hashes } = build();
  const js = readFileSync(join(dir, `taskdeck.${hashes.js}.js`), "utf8");
  const loader = readFileSync(join(dir, `__wasm_split.${hashes.split}.js`), "utf8");
  const wasm = readFileSync(join(dir, `taskdeck.${hashes.wasm}.wasm`));
  assert.ok(js.includes(`./__wasm_split.${hashes.split}.js`), "the script names the loader there is");
  assert.ok(wasm.includes(`./__wasm_split.${hashes.split}.js`), "so does the WebAssembly");
  assert.ok(loader.includes(`./taskdeck.${hashes.js}.js`), "the loader names the script there is");
  assert.ok(loader.includes(file(dir, "split_", "wasm")), "and the part there is");
  for (const name of readdirSync(dir).filter((name) => !/\.(br|gz|txt)$/.test(name))) {
    const raw = readFileSync(join(dir, name));
    assert.deepEqual(brotliDecompressSync(readFileSync(join(dir, `${name}.br`))), raw, `${name}.br`);
    assert.deepEqual(gunzipSync(readFileSync(join(dir, `${name}.gz`))), raw, `${name}.gz`);
  }
});

test("a release that changes one lazy page renames every file whose bytes changed, and no other", () => {
  const before = build();
  const after = build({ part: "the invitation page's code, reworded" });
  for (const kind of ["js", "wasm", "split", "manifest"]) {
    assert.notEqual(after.hashes[kind], before.hashes[kind], `the ${kind} file's bytes changed, so did its name`);
  }
  assert.equal(after.hashes.css, before.hashes.css, "the stylesheet did not change and keeps its name");
  assert.deepEqual(build().hashes, before.hashes, "the same build gives the same names");
});

test("a release that changes only the stylesheet keeps the script's and the WebAssembly's names", () => {
  const before = build();
  const after = build({ style: "main { margin: 1rem }" });
  assert.notEqual(after.hashes.css, before.hashes.css);
  for (const kind of ["js", "wasm", "split", "manifest"]) assert.equal(after.hashes[kind], before.hashes[kind], kind);
});
