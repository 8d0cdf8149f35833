// Builds the front end into static/build (git-ignored): the GOV.UK Design System compiled
// from its npm package with our settings, our own styles and script, and htmx.
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "static", "build");
const modules = join(root, "node_modules");
mkdirSync(out, { recursive: true });

const css = sass.compile(join(root, "static", "src", "app.scss"), {
  loadPaths: [modules, join(root, "static", "src")],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(join(out, "app.css"), css.css);

const copies = [
  [join(modules, "govuk-frontend", "dist", "govuk", "govuk-frontend.min.js"), "govuk-frontend.min.js"],
  [join(modules, "htmx.org", "dist", "htmx.min.js"), "htmx.min.js"],
  [join(root, "static", "src", "app.js"), "app.js"],
  [join(root, "static", "src", "favicon.svg"), "favicon.svg"],
];
for (const [from, to] of copies) copyFileSync(from, join(out, to));
console.log(`Built ${out}`);
