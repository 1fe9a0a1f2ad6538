// Prints the built widget's raw, gzip and brotli bytes; exits 1 when gzip is over package.json's budget.
import { readFileSync } from "node:fs";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const FILE = "server/backorder/static/widget.js";
const budget = JSON.parse(readFileSync("package.json", "utf8")).widgetBudget.gzip;
let code;
try {
  code = readFileSync(FILE);
} catch (error) {
  console.error(`${FILE} is missing: run npm run build`);
  process.exit(1);
}
const gzip = gzipSync(code, { level: 9 }).length;
const brotli = brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
console.log(`widget.js: ${code.length} bytes raw, ${gzip} gzip, ${brotli} brotli (budget ${budget} gzip)`);
if (gzip > budget) {
  console.error(`widget.js is over budget by ${gzip - budget} gzip bytes`);
  process.exit(1);
}
