// Names every hashed file of a release build after its final content, and rewrites the hash file
// and the references between the files to match. Run by scripts/build-release after
// `cargo leptos build --split`:
//
//   node scripts/content-names.mjs target/site/pkg target/release/hash.txt
//
// Why: cargo-leptos 0.3.11 hashes the files first and only then writes the split loader's name
// into the main script and WebAssembly, and the parts' names into the manifest. Those files'
// names then stand for content they no longer have: a release that changes one lazy page would
// ship new bytes under the old names, which browsers keep for a year (`immutable`), and a returning
// visitor's old script would ask for a loader the new server no longer has.
//
// A file is named after its bytes, once every file it names has its final name. The main script
// and the loader name each other, so neither can carry its own bytes' hash; a group of files that
// name each other is named after all of its members' bytes together (each with the group's names
// blanked), so a change to any of them renames them all.

import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

/** cargo-leptos's hashes: base64url of MD5, unpadded, 22 characters. */
export function contentHash(...parts) {
  const md5 = createHash("md5");
  for (const part of parts) md5.update(part);
  return md5.digest("base64url");
}

const HASHED = /^(.+)\.([A-Za-z0-9_-]{22})\.([a-z0-9]+)$/;

/** `taskdeck.<hash>.js` → { stem: "taskdeck", hash, ext: "js" }, or null for a plain name. */
function parse(name) {
  const match = name.match(HASHED);
  return match && { stem: match[1], hash: match[2], ext: match[3] };
}

function replaceAll(bytes, from, to) {
  const needle = Buffer.from(from);
  const replacement = Buffer.from(to);
  const chunks = [];
  let start = 0;
  for (let at = bytes.indexOf(needle); at !== -1; at = bytes.indexOf(needle, start)) {
    chunks.push(bytes.subarray(start, at), replacement);
    start = at + needle.length;
  }
  if (chunks.length === 0) return bytes;
  chunks.push(bytes.subarray(start));
  return Buffer.concat(chunks);
}

/** Groups of files that name each other (strongly connected components, Tarjan), each group
 * after every group it names. */
function groupsInOrder(names, references) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const groups = [];
  let next = 0;
  const visit = (name) => {
    index.set(name, next);
    low.set(name, next);
    next += 1;
    stack.push(name);
    onStack.add(name);
    for (const named of references.get(name)) {
      if (!index.has(named)) {
        visit(named);
        low.set(name, Math.min(low.get(name), low.get(named)));
      } else if (onStack.has(named)) {
        low.set(name, Math.min(low.get(name), index.get(named)));
      }
    }
    if (low.get(name) === index.get(name)) {
      const group = [];
      let member;
      do {
        member = stack.pop();
        onStack.delete(member);
        group.push(member);
      } while (member !== name);
      groups.push(group.sort());
    }
  };
  for (const name of [...names].sort()) if (!index.has(name)) visit(name);
  return groups;
}

/**
 * Renames the hashed files in `pkg` after their content and rewrites `hashFile` to match.
 * Returns the renames, old name to new name.
 */
export function nameByContent(pkg, hashFile) {
  const contents = new Map();
  for (const name of readdirSync(pkg)) {
    if (parse(name) && !name.endsWith(".br") && !name.endsWith(".gz")) contents.set(name, readFileSync(join(pkg, name)));
  }
  const names = [...contents.keys()];
  // A file names another by its stem and hash: the manifest leaves the extension off.
  const token = (name) => name.slice(0, name.lastIndexOf("."));
  const references = new Map(
    names.map((name) => [name, names.filter((other) => contents.get(name).includes(token(other)))]),
  );

  const renamed = new Map();
  for (const group of groupsInOrder(names, references)) {
    // Every file a member names outside the group has its final name by now.
    for (const member of group) {
      let bytes = contents.get(member);
      for (const named of references.get(member)) {
        if (!group.includes(named)) bytes = replaceAll(bytes, token(named), token(renamed.get(named)));
      }
      contents.set(member, bytes);
    }
    let hashes;
    if (group.length === 1 && !references.get(group[0]).includes(group[0])) {
      hashes = [contentHash(contents.get(group[0]))];
    } else {
      // The group's names blanked (same length, as the WebAssembly's strings must keep theirs).
      const blank = (bytes) =>
        group.reduce((acc, name) => {
          return replaceAll(acc, token(name), `${parse(name).stem}.${"_".repeat(22)}`);
        }, bytes);
      const together = contentHash(...group.flatMap((member) => [blank(contents.get(member)), "\0"]));
      hashes = group.map((member) => contentHash(parse(member).stem, "\0", together));
    }
    group.forEach((member, i) => {
      const { stem, ext } = parse(member);
      renamed.set(member, `${stem}.${hashes[i]}.${ext}`);
    });
    for (const member of group) {
      let bytes = contents.get(member);
      for (const named of references.get(member)) {
        if (group.includes(named)) bytes = replaceAll(bytes, token(named), token(renamed.get(named)));
      }
      contents.set(member, bytes);
    }
  }

  for (const [old, name] of renamed) {
    const bytes = contents.get(old);
    const unchanged = bytes.equals(readFileSync(join(pkg, old)));
    rmSync(join(pkg, old));
    writeFileSync(join(pkg, name), bytes);
    // The build's compressed copies, made again only where the content changed.
    for (const [suffix, compress] of [
      [".br", (raw) => brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } })],
      [".gz", (raw) => gzipSync(raw, { level: 9 })],
    ]) {
      if (!existsSync(join(pkg, old + suffix))) continue;
      if (unchanged) renameSync(join(pkg, old + suffix), join(pkg, name + suffix));
      else {
        rmSync(join(pkg, old + suffix));
        writeFileSync(join(pkg, name + suffix), compress(bytes));
      }
    }
  }

  // The hash file's lines read `<kind>: <hash>`; each names one file of the build.
  const lines = readFileSync(hashFile, "utf8").split("\n");
  const rewritten = lines.map((line) => {
    const match = line.match(/^(\w+): (\S+)$/);
    if (!match) return line;
    const [kind, hash] = match.slice(1);
    const old = [...renamed.keys()].find((name) => {
      const { stem, ext } = parse(name);
      if (hash !== parse(name).hash) return false;
      if (kind === "split") return stem === "__wasm_split";
      if (kind === "manifest") return stem === "__wasm_split_manifest";
      return ext === kind && !stem.startsWith("__wasm_split");
    });
    if (!old) throw new Error(`${hashFile} names ${kind} ${hash}, which is no file in ${pkg}`);
    return `${kind}: ${parse(renamed.get(old)).hash}`;
  });
  writeFileSync(hashFile, rewritten.join("\n"));
  return renamed;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [pkg, hashFile] = process.argv.slice(2);
  if (!pkg || !hashFile) {
    console.error("usage: node scripts/content-names.mjs SITE_PKG_DIR HASH_FILE");
    process.exit(2);
  }
  const renamed = nameByContent(pkg, hashFile);
  const changed = [...renamed].filter(([old, name]) => old !== name).length;
  console.log(`[content-names] ${renamed.size} files named after their content (${changed} renamed)`);
}
