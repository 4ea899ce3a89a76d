// Operation in a real Chromium against `hall serve`: the backup card in the settings screen and a
// restore from the list (everyone logs in again), printing with no printer told in plain words,
// and a bills import with its rejected line. Screenshots (both languages) go to test-artifacts/.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { artifacts, call, counterPage, customerDraft, demoDatabase, enterReading, launchChromium, loginAs, privateCups, serve } from "./harness.mjs";

let server, cups, browser, page, db;
const shot = (name) => page.screenshot({ path: join(artifacts, `operation-${name}.png`), fullPage: true });

before(async () => {
  cups = await privateCups();
  db = demoDatabase(200);
  // The print service runs and has no printer, as on a counter PC before one is added.
  server = await serve(db, { CUPS_SERVER: cups.socket });
  // A customer with a bill to pay, as the cash-day test makes one.
  const { token } = await call(server.url, "session.login", { username: "manager", password: "manager1234" });
  const saved = await call(server.url, "customer.create", customerDraft("3390000001", "陈立"), token);
  await enterReading(server.url, token, saved.view.customer.id, "3390000001", "2026-10", 300);
  browser = await launchChromium();
  page = await counterPage(browser, server.url);
});

after(async () => {
  await browser?.close();
  server?.stop();
  cups?.stop();
});

async function login(username, password) {
  await loginAs(page, username, password);
  await page.getByTestId("current-user").waitFor();
}

async function logout() {
  await page.getByRole("button", { name: /退出|Log out/ }).click();
  await page.getByLabel("用户名").waitFor();
}

test("printing with no printer tells the clerk what to do", async () => {
  await login("clerk", "clerk1234");
  await page.getByRole("menuitem", { name: "收费" }).click();
  await page.getByLabel("备用金").fill("1000");
  await page.getByRole("button", { name: "开台" }).click();
  await page.getByText("已开台：王晓燕").waitFor();
  const box = page.getByLabel("扫码或输入户号 / 户名，回车");
  await box.pressSequentially("3390000001\n", { delay: 5 });
  await page.getByText("3390000001 · ").waitFor();
  await page.getByTestId("total-due").getByText(/应缴合计: ¥[1-9]/).waitFor();
  await page.keyboard.type("500"); // the cash field has the focus after a scan
  await page.keyboard.press("Enter");
  await page.getByTestId("receipt-preview").waitFor();
  await page.locator(".ant-modal-footer").getByRole("button", { name: "打印", exact: true }).click();
  const said = page.getByText("没有可用的打印机：请在系统中添加打印机，或保存为PDF");
  await said.waitFor();
  const dialog = await page.locator(".ant-modal-content").innerText();
  assert.doesNotMatch(dialog, /lp:|lpstat|destination|Error -/, "never the print system's own text");
  await shot("01-no-printer");
  await page.locator(".ant-modal-footer").getByRole("button", { name: "关闭", exact: true }).click();
  await logout();
});

test("a bills import reports its rejected line", async () => {
  const file = join(artifacts, "operation-bills.csv");
  writeFileSync(file, "account,period,kwh,amount,tariff_code,due_date\n3390000001,2026-01,300,161.40,,\n3399999999,2026-01,300,161.40,,\n");
  await login("manager", "manager1234");
  await page.getByRole("menuitem", { name: "设置" }).click();
  await page.getByPlaceholder("文件路径").fill(file);
  await page.getByTestId("import-bills").click();
  await page.getByText("电费账单：导入 1 张，拒绝 1 行").waitFor();
  const rejected = page.getByTestId("import-rejected");
  await rejected.waitFor();
  assert.match(await rejected.innerText(), /3\s+3399999999\s+户号不存在/);
  await shot("02-bills-import");
  await logout();
});

test("an administrator backs up and restores from the list; everyone logs in again", async () => {
  await login("admin", "admin1234");
  await page.getByRole("menuitem", { name: "设置" }).click();
  const card = page.getByTestId("backup-card");
  await card.waitFor();
  assert.match(await page.getByTestId("backup-last").innerText(), /尚未备份/);
  await page.getByTestId("backup-run").click();
  await page.getByText(/备份完成：hall-\d{8}T\d{6}Z\.db/).waitFor();
  assert.match(await page.getByTestId("backup-last").innerText(), /hall-\d{8}T\d{6}Z\.db（[\d.]+ MB）/);
  await card.scrollIntoViewIfNeeded();
  await shot("03-backup-zh");

  // A customer added after the backup is lost by the restore.
  const { token } = await call(server.url, "session.login", { username: "manager", password: "manager1234" });
  await call(server.url, "customer.create", customerDraft("3310000009", "赵六"), token);
  await page.getByTestId("backup-list").getByRole("button", { name: "恢复" }).first().click();
  await page.locator(".ant-modal-confirm-title", { hasText: "用此备份恢复数据？" }).waitFor();
  await shot("04-restore-confirm");
  await page.getByTestId("restore-confirm").click();
  await page.locator(".ant-modal-confirm-title", { hasText: /已从 hall-.* 恢复数据。请重新登录。/ }).waitFor();
  await page.getByRole("button", { name: /确定|知道了|OK/ }).last().click();
  await page.getByLabel("用户名").waitFor();
  await assert.rejects(call(server.url, "session.whoami", {}, token), /session.expired/);
  const again = await call(server.url, "session.login", { username: "manager", password: "manager1234" });
  await assert.rejects(call(server.url, "customer.by_account", { account: "3310000009" }, again.token), /not_found/);
  const status = await call(server.url, "workstation.status", {}, again.token);
  assert.equal(status.epoch, 2, "a restore starts a new epoch");
});

test("the backup card in English", async () => {
  await login("admin", "admin1234");
  await page.getByRole("menuitem", { name: "设置" }).click();
  await page.getByRole("main").getByText("English", { exact: true }).click();
  const card = page.getByTestId("backup-card");
  await card.getByText("Backups to restore from").waitFor();
  await card.scrollIntoViewIfNeeded();
  await shot("05-backup-en");
  const text = await card.innerText();
  assert.doesNotMatch(text, /[\u4e00-\u9fff]/, "no Chinese left in English mode");
  await page.getByRole("main").getByText("简体中文", { exact: true }).click();
});
