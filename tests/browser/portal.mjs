// Drives the system Chromium through the orgca portal as a user administrator would:
// set a password from the mailed link, log in, search, open a certificate, block it,
// log out. Checks every page with axe-core (no serious or critical WCAG violations) and
// keeps screenshots. Called by crates/orgca/tests/e2e/portal_browser.rs, which starts the
// server and reads the JSON this prints. Exits non-zero with the reason on any failure.
import assert from "node:assert/strict";
import path from "node:path";
import { check as checkPage, env, launch, run } from "./common.mjs";

const base = env("ORGCA_BASE");
const shots = process.env.ORGCA_SCREENSHOTS || "";
const report = { pages: [], requests_elsewhere: [] };

const browser = await launch();
await run(browser, report, async () => {
  // bypassCSP only so that axe-core can be injected; orgca's own pages load no script.
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on("request", (r) => {
    if (!r.url().startsWith(base)) report.requests_elsewhere.push(r.url());
  });

  const check = (name) => checkPage(page, report, name);

  // The password link from the mail.
  await page.goto(base + env("ORGCA_LINK_PATH"));
  await check("set-password");
  await page.getByLabel("Password", { exact: true }).fill(env("ORGCA_PASSWORD"));
  await page.getByLabel("Password again").fill(env("ORGCA_PASSWORD"));
  await page.getByRole("button", { name: "Set password" }).click();
  await page.waitForURL(/\/portal\/login\?done=password$/);
  assert.match(await page.getByRole("status").innerText(), /password is set/);

  // A wrong password first: the message says what went wrong, the address stays.
  await page.getByLabel("E-mail address").fill(env("ORGCA_EMAIL"));
  await page.getByLabel("Password").fill("not the password at all");
  await page.getByRole("button", { name: "Log in" }).click();
  assert.match(await page.getByRole("alert").innerText(), /wrong/);
  assert.equal(await page.getByLabel("E-mail address").inputValue(), env("ORGCA_EMAIL"));
  await check("login-refused");
  await page.getByLabel("Password").fill(env("ORGCA_PASSWORD"));
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL(base + "/portal");
  assert.match(await page.getByRole("note").innerText(), /TEST ENVIRONMENT/);
  await check("overview");

  // Keyboard only: the first tab stop is a link of the page, not nothing.
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.tagName), "A");

  // Search, open, block with a reason and the confirmation.
  await page.getByRole("link", { name: "Certificates", exact: true }).click();
  await page.getByLabel("Search").fill(env("ORGCA_CERT_NAME").slice(0, 6).toLowerCase());
  await page.getByRole("button", { name: "Search" }).click();
  await check("certificates");
  await page.getByRole("link", { name: env("ORGCA_CERT_NAME") }).click();
  await check("certificate");
  await page.getByLabel("Why?").selectOption("key_compromised");
  await page.getByLabel("I understand that blocking cannot be undone").check();
  await page.getByRole("button", { name: "Block certificate" }).click();
  await page.waitForURL(/\?blocked=told$/);
  assert.match(await page.getByRole("status").innerText(), /blocked\. Its contact person has been told/);
  await check("certificate-blocked");

  // The list filtered to blocked certificates, sorted by name, exported as CSV: the
  // download holds the header row and the certificate just blocked, with its reason.
  await page.getByRole("link", { name: "Certificates", exact: true }).click();
  await page.getByLabel("Status").selectOption("blocked");
  await page.getByLabel("Sort by").selectOption("name");
  await page.getByRole("button", { name: "Search" }).click();
  assert.equal(await page.locator("#matching").innerText(), "1");
  await check("certificates-blocked");
  const [csv] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Export these as CSV" }).click(),
  ]);
  const lines = (await (await import("node:fs/promises")).readFile(await csv.path(), "utf8")).split("\r\n");
  assert.equal(lines[0].split(",")[0], "id");
  assert.equal(lines.filter((l) => l !== "").length, 2, lines.join("\n"));
  assert.ok(lines[1].includes(env("ORGCA_CERT_NAME")) && lines[1].includes(",blocked,"), lines[1]);
  assert.ok(lines[1].includes("key_compromised"), lines[1]);

  // A phone-sized screen shows the same page without horizontal scrolling.
  await page.setViewportSize({ width: 375, height: 800 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than a phone`);
  if (shots) await page.screenshot({ path: path.join(shots, "certificate-phone.png"), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });

  // Order an organisation certificate as PKCS#12: the code is shown once.
  await page.getByRole("link", { name: "Order" }).click();
  await page.getByLabel("Profile").selectOption({ label: `${env("ORGCA_PROFILE_NAME")} (Organisation)` });
  await page.getByLabel(/PKCS#12/).check();
  await page.getByRole("button", { name: "Place order" }).click();
  const reference = (await page.locator("#reference").innerText()).trim();
  const code = (await page.locator("#one-time-code").innerText()).trim();
  assert.match(reference, /^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  await check("ordered");
  await page.getByRole("link", { name: "Users" }).click();
  await check("users");
  await page.getByRole("link", { name: "Profiles" }).click();
  await check("profiles");
  await page.getByRole("link", { name: "Settings" }).click();
  await check("settings");

  await page.getByRole("button", { name: "Log out" }).click();
  await page.waitForURL(/\/portal\/login$/);
  await page.goto(base + "/portal");
  assert.match(page.url(), /\/portal\/login$/);

  // The recipient, without an account: reference and code, confirm, accept, download.
  await page.goto(base + "/portal/pickup");
  await check("pickup");
  await page.getByLabel("Reference").fill(reference.toLowerCase());
  await page.getByLabel("One-time code").fill(code);
  await page.getByRole("button", { name: "Continue" }).click();
  const facts = await page.locator("dl.facts").innerText();
  assert.match(facts, new RegExp(env("ORGCA_PROFILE_NAME")));
  assert.match(facts, new RegExp(env("ORGCA_CVR")));
  await check("pickup-confirm");
  await page.getByLabel("I accept the terms of use for this certificate").check();
  await page.getByRole("button", { name: "Pick up certificate" }).click();
  const password = (await page.locator("#pkcs12-password").innerText()).trim();
  await check("pickup-done");
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download the .p12 file" }).click(),
  ]);
  const saved = path.join(env("ORGCA_DOWNLOADS"), "picked-up.p12");
  await download.saveAs(saved);
  report.pkcs12 = { path: saved, password };

  // A user picks up their own employee certificate after logging in.
  await page.goto(base + env("ORGCA_USER_LINK_PATH"));
  await page.getByLabel("Password", { exact: true }).fill(env("ORGCA_PASSWORD"));
  await page.getByLabel("Password again").fill(env("ORGCA_PASSWORD"));
  await page.getByRole("button", { name: "Set password" }).click();
  await page.waitForURL(/\/portal\/login\?done=password$/);
  await page.getByLabel("E-mail address").fill(env("ORGCA_USER_EMAIL"));
  await page.getByLabel("Password").fill(env("ORGCA_PASSWORD"));
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL(base + "/portal");
  await check("overview-user");
  // A forged CSRF token is refused and nothing is picked up.
  await page.evaluate(() => { document.querySelector("form.waiting input[name=csrf]").value = "forged"; });
  await page.getByLabel("I accept the terms of use for this certificate").check();
  await page.getByRole("button", { name: "Pick up certificate" }).click();
  assert.match(await page.getByRole("alert").innerText(), /form has expired/);
  await page.goto(base + "/portal");
  await page.getByLabel("I accept the terms of use for this certificate").check();
  await page.getByRole("button", { name: "Pick up certificate" }).click();
  const ownPassword = (await page.locator("#pkcs12-password").innerText()).trim();
  const [own] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download the .p12 file" }).click(),
  ]);
  const ownSaved = path.join(env("ORGCA_DOWNLOADS"), "own.p12");
  await own.saveAs(ownSaved);
  report.own_pkcs12 = { path: ownSaved, password: ownPassword };
  // The user signs a file: a detached signature comes back as a download.
  await page.goto(base + "/portal/sign");
  await check("sign");
  const note = path.join(env("ORGCA_DOWNLOADS"), "note.txt");
  (await import("node:fs")).writeFileSync(note, "Referat af mødet 27/11\n");
  await page.getByLabel("File", { exact: true }).setInputFiles(note);
  await page.getByLabel("Separate signature file, .p7s (CAdES), for any file").check();
  const [signature] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Sign and download" }).click(),
  ]);
  assert.equal(signature.suggestedFilename(), "note.txt.p7s");
  const signatureSaved = path.join(env("ORGCA_DOWNLOADS"), "note.txt.p7s");
  await signature.saveAs(signatureSaved);
  report.signature = { content: note, cms: signatureSaved };
  await page.goto(base + "/portal");
  await page.getByRole("button", { name: "Log out" }).click();
  await page.waitForURL(/\/portal\/login$/);

  // Five wrong passwords lock the account: then even the right one is refused.
  for (let i = 0; i < 5; i++) {
    await page.getByLabel("E-mail address").fill(env("ORGCA_USER_EMAIL"));
    await page.getByLabel("Password").fill("not the password " + i);
    await page.getByRole("button", { name: "Log in" }).click();
    assert.match(await page.getByRole("alert").innerText(), /wrong/);
  }
  await page.getByLabel("E-mail address").fill(env("ORGCA_USER_EMAIL"));
  await page.getByLabel("Password").fill(env("ORGCA_PASSWORD"));
  await page.getByRole("button", { name: "Log in" }).click();
  assert.match(await page.getByRole("alert").innerText(), /too many failed logins/i);
  await check("login-locked");
  report.user_locked = true;

  // The Danish texts, chosen with the switch in the header.
  await page.goto(base + "/portal/pickup");
  await page.getByRole("link", { name: "Dansk" }).click();
  await page.goto(base + "/portal/pickup");
  assert.match(await page.getByRole("heading", { level: 1 }).innerText(), /Hent et certifikat/);
  await check("pickup-da");
});
