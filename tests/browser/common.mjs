// What the browser scripts share: their settings from the environment, Debian's
// Chromium, axe-core on a page (no serious or critical WCAG 2.1 AA violation may pass
// unseen) with a screenshot, and the one-line JSON report the Rust test reads.
import { chromium } from "playwright-core";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);

/** The environment variable `k`, which must be set. */
export const env = (k) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is not set`);
  return v;
};

/** The system Chromium, headless (playwright-core never downloads a browser). */
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu"],
    headless: true,
  });
}

/** Runs axe-core on the page, notes its serious and critical findings in `report.pages`,
 * and keeps a screenshot named `name` in ORGCA_SCREENSHOTS (if set). */
export async function check(page, report, name) {
  await page.addScriptTag({ path: require.resolve("axe-core/axe.min.js") });
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    await axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21aa"] }));
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  report.pages.push({ name, url: page.url(), violations: bad.map((v) => `${v.id}: ${v.help}`) });
  const shots = process.env.ORGCA_SCREENSHOTS || "";
  if (shots) await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}

/** Runs `steps`, closes the browser, prints the report as the last line and exits
 * non-zero (with the reason in `report.error`) if a step failed. */
export async function run(browser, report, steps) {
  try {
    await steps();
    report.ok = true;
  } catch (e) {
    report.ok = false;
    report.error = String(e && e.stack ? e.stack : e);
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify(report));
  process.exit(report.ok ? 0 : 1);
}
