// Builds the widget: one minified IIFE at server/backorder/static/widget.js (no sourcemap, no comments).
import { build } from "esbuild";

await build({
  entryPoints: ["widget/src/index.js"],
  outfile: "server/backorder/static/widget.js",
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2020",
  legalComments: "none",
  sourcemap: false,
  logLevel: "warning",
});
