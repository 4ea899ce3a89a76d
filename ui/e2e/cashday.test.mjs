// A whole cash day in a real Chromium against `hall serve`: open the desk, three payments (one with
// mixed tenders), a reversal authorised by a manager, close the desk with an over/short, and the
// day-end report. The PDFs are checked with pdftotext and turned into PNG for a person to look at.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { artifacts, call, counterPage, customerDraft, demoDatabase, enterReading, launchChromium, loginAs, serve, closeReceipt, scanAccount } from "./harness.mjs";

let server, browser, page, token;
const ids = {};
const yuan = (fen) => `${fen < 0 ? "-" : ""}${Math.floor(Math.abs(fen) / 100)}.${String(Math.abs(fen) % 100).padStart(2, "0")}`;
const shot = (name) => page.screenshot({ path: join(artifacts, `cashday-${name}.png`) });

function pdfText(file) {
  return execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" });
}

function keepPdf(name, base64) {
  const file = join(artifacts, `${name}.pdf`);
  writeFileSync(file, Buffer.from(base64, "base64"));
  execFileSync("pdftoppm", ["-r", "60", "-png", "-singlefile", file, join(artifacts, name)]);
  return file;
}

before(async () => {
  server = await serve(demoDatabase(200));
  ({ token } = await call(server.url, "session.login", { username: "manager", password: "manager1234" }));
  for (const [account, name, readings] of [
    ["3390000001", "陈立", [["2026-09", 300], ["2026-10", 500]]],
    ["3390000002", "刘洋", [["2026-10", 280]]],
    ["3390000003", "周敏", [["2026-10", 100]]],
  ]) {
    const saved = await call(server.url, "customer.create", customerDraft(account, name), token);
    ids[account] = saved.view.customer.id;
    for (const [period, total] of readings) {
      await enterReading(server.url, token, ids[account], account, period, total);
    }
  }
  browser = await launchChromium();
  page = await counterPage(browser, server.url, { acceptDownloads: true });
  await loginAs(page, "clerk", "clerk1234");
  await page.getByTestId("current-user").waitFor();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

const accountBox = () => page.getByLabel("扫码或输入户号 / 户名，回车");



test("open the desk with a float", async () => {
  await page.getByRole("menuitem", { name: "收费" }).click();
  await page.getByText("收费台未开台").waitFor();
  await page.getByLabel("备用金").fill("500"); // change comes out of the float: 500 元 covers the first payment's
  await page.getByRole("button", { name: "开台" }).click();
  await page.getByText("已开台：王晓燕").waitFor();
  assert.match(await page.locator(".desk-bar").innerText(), /钱箱应有现金: ¥500\.00/);
});

test("a name that matches several customers offers a choice", async () => {
  await accountBox().fill("吴");
  await accountBox().press("Enter");
  const rows = page.getByTestId("pay-candidates").locator("tr");
  await rows.first().waitFor();
  assert.ok((await rows.count()) > 1, "several customers named 吴…");
  const second = (await rows.nth(1).locator("td").first().innerText()).trim();
  await accountBox().press("ArrowDown");
  await shot("00-pick");
  await accountBox().press("Enter");
  await page.getByText(`${second} · `).waitFor();
  assert.equal(await page.getByTestId("pay-candidates").count(), 0);
});

test("a cash payment with change in a few keystrokes after the scan", async () => {
  await scanAccount(page, "3390000001");
  const quote = await call(server.url, "payment.quote", { customer_id: ids["3390000001"] }, token);
  assert.equal(quote.bills.length, 2);
  assert.ok(quote.bills[0].late_fee > 0, "the September bill is late");
  // The screen asks for its own quote after the scan: wait for it rather than read it at once.
  await page.getByTestId("total-due").getByText(`应缴合计: ¥${yuan(quote.total_due)}`).waitFor({ timeout: 5000 });
  assert.equal(await page.getByTestId("total-due").innerText(), `应缴合计: ¥${yuan(quote.total_due)}`);
  // The cash field has the focus: "500" and Enter pay (4 keystrokes).
  await page.keyboard.type("500");
  assert.equal(await page.getByTestId("change").innerText(), `找零: ¥${yuan(50000 - quote.total_due)}`);
  await shot("01-collect");
  await page.keyboard.press("Enter");
  await page.getByTestId("receipt-preview").waitFor();
  assert.match(await page.getByTestId("receipt-preview").innerText(), /电费收费凭证[\s\S]*3390000001 陈\*/);
  await shot("02-receipt-preview");
  // Save the PDF (a download in the browser) and read it back.
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "保存PDF" }).click()]);
  const file = join(artifacts, "cashday-receipt.pdf");
  await download.saveAs(file);
  const text = pdfText(file);
  assert.match(text, /电费收费凭证/);
  assert.match(text, /2026-09[\s\S]*2026-10/);
  assert.match(text, new RegExp(yuan(50000 - quote.total_due).replace(".", "\\.")));
  execFileSync("pdftoppm", ["-r", "60", "-png", "-singlefile", file, join(artifacts, "cashday-receipt")]);
  await closeReceipt(page);
});

test("a payment with mixed tenders: cash and a bank card", async () => {
  await scanAccount(page, "3390000002");
  const quote = await call(server.url, "payment.quote", { customer_id: ids["3390000002"] }, token);
  await page.getByLabel("实收金额").fill(yuan(quote.total_due));
  await page.getByRole("button", { name: "增加付款方式" }).click();
  await page.getByLabel("收款 1").fill("100");
  await page.getByLabel("收款 2").fill(yuan(quote.total_due - 5000)); // card covers all but 50.00
  assert.equal(await page.getByTestId("change").innerText(), "找零: ¥50.00"); // 100 cash for 50 owed
  await shot("03-mixed-tenders");
  await page.getByRole("button", { name: "收费 (Enter)" }).click();
  await closeReceipt(page);
  const list = await call(server.url, "payment.list", { customer_id: ids["3390000002"] }, token);
  assert.deepEqual(list.payments[0].tenders.map((t) => t.kind), ["cash", "card"]);
});

test("a third payment, then its reversal authorised by the manager", async () => {
  await scanAccount(page, "3390000003");
  await page.getByLabel("收款 1").press("Enter"); // empty cash field: exactly the amount
  await closeReceipt(page);
  await page.getByRole("button", { name: "冲正/冲红" }).click();
  await page.getByLabel("主管用户名").fill("manager");
  await page.getByLabel("主管密码").fill("wrong-password");
  await page.getByRole("button", { name: "确认冲销" }).click();
  await page.getByText("授权失败").waitFor();
  await page.getByLabel("主管密码").fill("manager1234");
  await page.getByRole("button", { name: "确认冲销" }).click();
  await page.getByText("已冲正").first().waitFor();
  await shot("04-reversed");
  const quote = await call(server.url, "payment.quote", { customer_id: ids["3390000003"] }, token);
  assert.equal(quote.bills[0].bill.outstanding, 5380, "the reversal restores the bill");
});

test("close the desk with an over/short confirmed by the manager, then the day-end report", async () => {
  await page.getByRole("menuitem", { name: "日结" }).click();
  await page.getByText("轧账：王晓燕").waitFor();
  const desk = await call(server.url, "desk.current", {}, token);
  const cash = desk.expected.cash;
  // Count one 1-元 coin more than expected: an overage of 1.00.
  let left = cash + 100;
  for (const d of [10000, 5000, 2000, 1000, 500, 100, 50, 10, 5, 2, 1]) {
    const n = Math.floor(left / d);
    left -= n * d;
    if (n > 0) await page.getByLabel(`张数 ${d >= 100 ? `${d / 100} 元` : d >= 10 ? `${d / 10} 角` : `${d} 分`}`).fill(String(n));
  }
  assert.equal(await page.getByTestId("over-short").innerText(), "长短款: ¥1.00");
  await page.getByLabel("主管用户名").fill("manager");
  await page.getByLabel("主管密码").fill("manager1234");
  await page.getByRole("button", { name: "轧账" }).click();
  await page.getByText("轧账：王晓燕").waitFor({ state: "hidden" });
  const report = page.getByTestId("day-report");
  await report.waitFor();
  assert.match(await report.innerText(), /冲正\s*1 \/ ¥/);
  await shot("05-day-end");
  const day = await call(server.url, "dayend.report", { date: null }, token);
  assert.equal(day.payments, 2);
  assert.equal(day.reversals, 1);
  assert.equal(day.over_short, 100);
  assert.equal(day.deposit, cash + 100 - 50000);
  // The papers: the daily collection report and the deposit slip.
  const [popup] = await Promise.all([page.waitForEvent("popup"), page.getByRole("button", { name: "日实收报表" }).click()]);
  await popup.close();
  const daily = pdfText(keepPdf("cashday-daily-report", (await call(server.url, "dayend.pdf", { date: null, paper: "daily_report", path: null }, token)).base64));
  assert.match(daily, /电费日实收报表/);
  assert.match(daily, new RegExp(`实收合计（2 笔收费）\\s+¥${yuan(day.total).replace(".", "\\.")}`));
  assert.match(daily, /冲正 1 笔/);
  const slip = pdfText(keepPdf("cashday-deposit-slip", (await call(server.url, "dayend.pdf", { date: null, paper: "deposit_slip", path: null }, token)).base64));
  assert.match(slip, new RegExp(`解款金额\\s+¥${yuan(day.deposit).replace(".", "\\.")}`));
  assert.match(slip, /其中长短款\s+¥1\.00/);
});
