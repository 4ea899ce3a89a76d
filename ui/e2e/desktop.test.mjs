// The real desktop binary under Xvfb, driven through tauri-driver and WebKitWebDriver: a first
// start on an empty database, where the first-start screen's demo outlet is chosen; log in, search, open a day-end paper in the system's PDF viewer, and choose the backup folder in the
// native GTK folder dialog (driven with xdotool). Run by scripts/test.sh inside xvfb-run, with
// tauri-driver and xdotool on the PATH.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { remote } from "webdriverio";
import { artifacts, onePagePdf, root } from "./harness.mjs";

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

// The demo database and the app (a debug build reads HALL_NOW, its clock running on from there)
// live on Monday 2 November 2026: an intake's promised dates then fall in the published 2026
// calendar whatever day the suite runs.
process.env.HALL_NOW = "2026-11-02T09:00:00+08:00";

before(async () => {
  rmSync(opened, { force: true });
  // The app reads HALL_DB; tauri-driver passes its environment on to the app it starts. The file
  // does not exist yet: a first start, which offers enrolment or the demo outlet.
  const firstStart = join(mkdtempSync(join(tmpdir(), "hall-desktop-")), "hall.db");
  const env = { ...process.env, HALL_DB: firstStart, PATH: `${viewerStandIn()}:${process.env.PATH}` };
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

test("a first start offers enrolment or the demo outlet; the demo is chosen from the keyboard", async () => {
  const choice = await browser.$("[data-testid=setup-choose-enrol]");
  await choice.waitForExist({ timeout: 30_000 });
  assert.match(await browser.execute(() => document.querySelector("[data-testid=first-start]")?.textContent ?? ""), /首次启动[\s\S]*连接总部[\s\S]*使用演示营业网点/);
  await browser.saveScreenshot(join(artifacts, "desktop-first-start.png"));
  // The first choice has the focus; ↓ moves to the demo, Enter takes it.
  await browser.keys("ArrowDown");
  await browser.keys("Enter");
  const username = await browser.$("input#username");
  await username.waitForExist({ timeout: 300_000, timeoutMsg: "no login form after choosing the demo outlet" });
});

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

// The GTK folder dialog is a native window, out of WebDriver's reach: xdotool focuses it by its
// title, opens its location field (Ctrl+L), types the folder and presses Enter, as a person would.
const dialogWindow = (title = "选择备份目录") => {
  try {
    return execFileSync("xdotool", ["search", "--onlyvisible", "--name", title], { encoding: "utf8" }).trim().split("\n").pop();
  } catch {
    return null; // xdotool exits with 1 when no window matches
  }
};

async function chooseInGtkDialog(folder, { title = "选择备份目录", file = null } = {}) {
  let dialog = null;
  for (let i = 0; i < 100 && !dialog; i++) {
    dialog = dialogWindow(title);
    if (!dialog) await new Promise((r) => setTimeout(r, 150));
  }
  assert.ok(dialog, "the folder dialog never opened");
  await new Promise((r) => setTimeout(r, 800)); // the dialog draws its widgets
  // Xvfb has no window manager: the dialog opens at 0,0 taller than the screen. Placed and sized
  // as a window manager would, its places are on the left (Home at the top after Recent).
  execFileSync("xdotool", ["windowmove", "--sync", dialog, "100", "60"]);
  execFileSync("xdotool", ["windowsize", "--sync", dialog, "900", "600"]);
  const pause = () => new Promise((r) => setTimeout(r, 500));
  // Out of Recent (where a typed location is not taken) into Home, then Ctrl+L, the folder, Enter.
  execFileSync("xdotool", ["mousemove", "--window", dialog, "57", "59", "click", "1"]);
  await pause();
  execFileSync("xdotool", ["windowfocus", "--sync", dialog]);
  execFileSync("xdotool", ["key", "--clearmodifiers", "ctrl+l"]);
  await pause();
  execFileSync("xdotool", ["type", "--delay", "20", file ? join(folder, file) : `${folder}/`]);
  await pause();
  // A picture of the native dialog for a person to look at, where x11-apps and netpbm are installed.
  try {
    execFileSync("sh", ["-c", `xwd -root | xwdtopnm 2>/dev/null | pnmtopng > ${join(artifacts, file ? "desktop-file-dialog.png" : "desktop-folder-dialog.png")}`]);
  } catch {
    // not needed for the test
  }
  execFileSync("xdotool", ["key", "Return"]);
  await pause();
  // Enter on a folder path may open the folder first; a second Enter chooses the folder shown.
  if (dialogWindow(title)) {
    execFileSync("xdotool", ["windowfocus", "--sync", dialog]);
    execFileSync("xdotool", ["key", "Return"]);
  }
}

test("an administrator chooses the backup folder in the native dialog", async () => {
  await browser.$("//button[contains(., '退出')]").click();
  const username = await browser.$("input#username");
  await username.waitForExist({ timeout: 15_000 });
  await username.setValue("admin");
  await browser.$("input#password").setValue("admin1234");
  await browser.$("button[type=submit]").click();
  await browser.$("[data-testid=current-user]").waitForExist({ timeout: 15_000 });
  await browser.$("//li[contains(., '设置')]").click();
  const choose = await browser.$("[data-testid=backup-choose-dir]");
  await choose.waitForExist({ timeout: 15_000 });
  const folder = mkdtempSync(join(tmpdir(), "hall-usb-"));
  await choose.click();
  await chooseInGtkDialog(folder);
  const shown = () => browser.execute(() => document.querySelector("[data-testid=backup-dir]")?.value ?? "");
  await browser.waitUntil(async () => (await shown()) === folder, { timeout: 15_000, timeoutMsg: "the chosen folder never arrived" }).catch(async (e) => {
    await browser.saveScreenshot(join(artifacts, "desktop-failure.png"));
    console.log("shown:", JSON.stringify(await shown()));
    throw e;
  });
  // Saved as the backup folder: a backup now lands in it.
  await browser.$("[data-testid=backup-run]").click();
  await browser.waitUntil(() => readdirSync(folder).some((f) => /^hall-\d{8}T\d{6}Z\.db$/.test(f)), { timeout: 30_000, timeoutMsg: "no backup in the chosen folder" });
  await new Promise((r) => setTimeout(r, 500));
  await browser.saveScreenshot(join(artifacts, "desktop-backup-folder.png"));
});

// A scanned document attached at intake through the shell's file dialog: the core reads the file
// from the path the dialog gave (the browser sends bytes instead).
test("documents are attached at intake through the native file dialog, and the slip is drawn", async () => {
  const folder = mkdtempSync(join(tmpdir(), "hall-scan-"));
  // A PNG of 1×1 pixel, as a scanner's smallest picture.
  writeFileSync(join(folder, "id-card.png"), Buffer.from(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c49444154789c63f8ffff3f0005fe02fe0def46b80000000049454e44ae426082", "hex"));
  // A clerk takes applications (an administrator takes none).
  await browser.$("//button[contains(., '退出')]").click();
  const username = await browser.$("input#username");
  await username.waitForExist({ timeout: 15_000 });
  await username.setValue("clerk");
  await browser.$("input#password").setValue("clerk1234");
  await browser.$("button[type=submit]").click();
  await browser.$("[data-testid=current-user]").waitForExist({ timeout: 15_000 });
  writeFileSync(join(folder, "property.pdf"), onePagePdf("Property certificate"));
  await browser.$("//li[contains(., '业扩')]").click();
  const create = await browser.$("[data-testid=new-application]");
  await create.waitForExist({ timeout: 15_000 });
  await create.click();
  await browser.$("[data-testid=kind-residential_new]").click();
  await browser.$("[data-testid=applicant-name]").setValue("孙立新");
  await browser.$("[data-testid=applicant-id]").setValue("11010519491231002X");
  await browser.$("[data-testid=applicant-phone]").setValue("13700004444");
  await browser.keys("Enter");
  const address = await browser.$("[data-testid=intake-address]");
  await address.waitForExist({ timeout: 10_000 });
  await address.setValue("浙江省杭州市西湖区文一路100号翠苑一区8幢1单元101室");
  await browser.keys("Enter");
  const upload = await browser.$("[data-testid=upload-id_proof]");
  await upload.waitForExist({ timeout: 10_000 });
  await upload.click();
  await chooseInGtkDialog(folder, { title: "选择附件", file: "id-card.png" });
  const listed = () => browser.execute(() => document.querySelector("[data-testid=checklist]")?.textContent ?? "");
  await browser.waitUntil(async () => /id-card\.png · image\/png/.test(await listed()), { timeout: 15_000, timeoutMsg: "the chosen file was never attached" }).catch(async (e) => {
    await browser.saveScreenshot(join(artifacts, "desktop-failure.png"));
    console.log("checklist:", JSON.stringify(await listed()));
    throw e;
  });
  await browser.saveScreenshot(join(artifacts, "desktop-attach.png"));

  // The second document, a PDF, through the dialog too; then accepted, and the slip's first page
  // drawn by pdf.js inside the app's WebKit under its CSP.
  await browser.$("[data-testid=upload-property_proof]").click();
  await chooseInGtkDialog(folder, { title: "选择附件", file: "property.pdf" });
  await browser.waitUntil(async () => /property\.pdf · application\/pdf/.test(await listed()), { timeout: 15_000, timeoutMsg: "the PDF was never attached" });
  await browser.$("[data-testid=intake-next]").click();
  const accept = await browser.$("[data-testid=accept]");
  await accept.waitForExist({ timeout: 10_000 });
  await accept.click();
  const drawn = () => browser.execute(() => document.querySelector("[data-testid=slip-page]")?.getAttribute("data-state") ?? "");
  await browser.waitUntil(async () => ["done", "failed"].includes(await drawn()), { timeout: 20_000, timeoutMsg: "the slip was never drawn" });
  await new Promise((r) => setTimeout(r, 500));
  await browser.saveScreenshot(join(artifacts, "desktop-slip.png"));
  assert.equal(await drawn(), "done", "pdf.js draws the slip in the desktop app");
});

