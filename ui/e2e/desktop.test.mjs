// The real desktop binary under Xvfb, driven through tauri-driver and WebKitWebDriver: log in,
// search, and open a day-end paper in the system's PDF viewer. Run by scripts/test.sh inside
// xvfb-run, with tauri-driver on the PATH.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { remote } from "webdriverio";
import { artifacts, demoDatabase, root } from "./harness.mjs";

const application = process.env.HALL_DESKTOP_BIN ?? join(root, "target/debug/hall-desktop");
let driver, browser;

// The system's PDF viewer, as the app reaches it on Linux: `xdg-open FILE`. This machine has no
// viewer, so the one on the app's PATH keeps a copy of what it was given.
const opened = join(artifacts, "desktop-opened.pdf");
function viewerStandIn() {
  const dir = mkdtempSync(join(tmpdir(), "hall-viewer-"));
  writeFileSync(join(dir, "xdg-open"), `#!/bin/sh\ncp "$1" "${opened}"\n`);
  chmodSync(join(dir, "xdg-open"), 0o755);
  return dir;
}

before(async () => {
  rmSync(opened, { force: true });
  // The app reads HALL_DB; tauri-driver passes its environment on to the app it starts.
  const env = { ...process.env, HALL_DB: demoDatabase(2000), PATH: `${viewerStandIn()}:${process.env.PATH}` };
  driver = spawn("tauri-driver", ["--port", "4444", "--native-port", "4445"], { env, stdio: "ignore" });
  await new Promise((r) => setTimeout(r, 1500));
  browser = await remote({
    hostname: "127.0.0.1",
    port: 4444,
    logLevel: "error",
    capabilities: { "tauri:options": { application } },
  });
});

after(async () => {
  await browser?.deleteSession().catch(() => {});
  driver?.kill();
});

// WebKitWebDriver's element text fails on a plain <table>; the page's own textContent does not.
const resultsText = () => browser.execute(() => document.querySelector("[data-testid=search-results]")?.textContent ?? "");

test("log in and search in the desktop app", async () => {
  const username = await browser.$("input#username");
  await username.waitForExist({ timeout: 30_000 });
  await username.setValue("clerk");
  await browser.$("input#password").setValue("clerk1234");
  await browser.$("button[type=submit]").click();
  const user = await browser.$("[data-testid=current-user]");
  await user.waitForExist({ timeout: 15_000 });
  assert.match(await user.getText(), /王晓燕/);

  const search = await browser.$("[data-testid=customer-search]");
  await search.waitForExist({ timeout: 15_000 });
  await search.setValue("3300000042");
  await browser
    .waitUntil(async () => /3300000042/.test(await resultsText()), { timeout: 10_000 })
    .catch(async (e) => {
      await browser.saveScreenshot(join(artifacts, "desktop-failure.png"));
      throw e;
    });
  await browser.keys("Enter");
  const profile = await browser.$("[data-testid=customer-profile]");
  await profile.waitForExist({ timeout: 10_000 });
  assert.match(await profile.getText(), /3300000042/);
  await new Promise((r) => setTimeout(r, 1000));
  await browser.saveScreenshot(join(artifacts, "desktop-profile.png"));
});

test("a day-end paper opens in the system's PDF viewer", async () => {
  await browser.$("//li[contains(., '日结')]").click();
  const report = await browser.$("//button[contains(., '日实收报表')]");
  await report.waitForExist({ timeout: 15_000 });
  await report.click();
  await browser.waitUntil(() => existsSync(opened), { timeout: 15_000, timeoutMsg: "the viewer was never called" });
  await new Promise((r) => setTimeout(r, 300)); // the copy finishes
  assert.equal(readFileSync(opened).subarray(0, 5).toString(), "%PDF-");
  const text = execFileSync("pdftotext", ["-layout", opened, "-"]).toString();
  assert.match(text, /日实收报表/);
  await browser.saveScreenshot(join(artifacts, "desktop-day-end.png"));
});
