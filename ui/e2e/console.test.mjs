// The head-office console in a real Chromium against `hall-hq serve` on a PostgreSQL cluster of
// its own, with real workstations: log in as an operator, add the outlet, make an enrolment code,
// enrol a demo workstation with it (`hall enrol`), see it sync (`hall sync`), then clone its
// database, let both copies post a customer under the same sequence number, see the clone's event
// quarantined beside the stored one, resolve it, and see the workstation sync again.
// Screenshots go to test-artifacts/console-*.png.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { execFileSync, spawn } from "node:child_process";
import { chmodSync, copyFileSync, mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { artifacts, call, customerDraft, demoDatabase, hallBinary, launchChromium, root, serve } from "./harness.mjs";

const hqBinary = process.env.HALL_HQ_BIN ?? join(root, "target/debug/hall-hq");
const PG_BIN = "/usr/lib/postgresql/15/bin";
const OUTLET = "330106"; // the demo outlet's code: a demo database with records enrols only there

let pg, hq, browser, page, hqUrl, ca, workstationDb;
const cleanups = [];

function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** A PostgreSQL cluster in a temporary directory (as user postgres when we are root). */
async function startPostgres() {
  const dir = mkdtempSync(join(tmpdir(), "hall-console-pg-"));
  const asPostgres = process.getuid?.() === 0;
  if (asPostgres) execFileSync("chown", ["-R", "postgres:postgres", dir]);
  chmodSync(dir, 0o755);
  const run = (program, args) =>
    asPostgres ? execFileSync("runuser", ["-u", "postgres", "--", join(PG_BIN, program), ...args], { stdio: "pipe" }) : execFileSync(join(PG_BIN, program), args, { stdio: "pipe" });
  const data = join(dir, "data");
  run("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
  const port = await freePort();
  run("pg_ctl", ["-D", data, "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, "-l", join(dir, "log"), "-w", "start"]);
  return { url: `postgresql://postgres@127.0.0.1:${port}/postgres`, stop: () => run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]) };
}

/** `hall-hq serve` over HTTPS with a certificate made for the test; resolves with its URL. */
async function startHeadOffice(databaseUrl) {
  const dir = mkdtempSync(join(tmpdir(), "hall-console-hq-"));
  const cert = join(dir, "cert.pem");
  const key = join(dir, "key.pem");
  execFileSync(hqBinary, ["cert", "--cert", cert, "--key", key]);
  const port = await freePort();
  const env = { ...process.env, HALL_HQ_DATABASE_URL: databaseUrl, HALL_HQ_UI: join(root, "ui/dist") };
  const child = spawn(hqBinary, ["serve", "--bind", `127.0.0.1:${port}`, "--cert", cert, "--key", key], { stdio: ["ignore", "inherit", "pipe"], env });
  await new Promise((resolve, reject) => {
    let err = "";
    child.stderr.on("data", (chunk) => {
      err += chunk;
      process.stderr.write(chunk);
      if (err.includes("serving https://")) resolve();
    });
    child.on("exit", (code) => reject(new Error(`hall-hq serve exited with ${code}: ${err}`)));
  });
  execFileSync(hqBinary, ["operator", "add", "ops", "--display-name", "值班员"], { env: { ...env, HALL_HQ_PASSWORD: "ops-password-1" } });
  return { url: `https://localhost:${port}`, ca: cert, stop: () => child.kill() };
}

/** Runs `hall` on a workstation database and returns its output. */
const hall = (db, ...args) => execFileSync(hallBinary, ["--db", db, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

function hallFails(db, ...args) {
  try {
    hall(db, ...args);
  } catch (e) {
    return `${e.stdout}${e.stderr}`;
  }
  assert.fail(`hall ${args.join(" ")} succeeded`);
}

/** A customer created at the workstation through its command set (one outbox event). */
async function createCustomer(db, account, name) {
  const server = await serve(db);
  try {
    const { token } = await call(server.url, "session.login", { username: "manager", password: "manager1234" });
    await call(server.url, "customer.create", customerDraft(account, name), token);
  } finally {
    server.stop();
    await new Promise((r) => setTimeout(r, 300));
  }
}

const shot = (name) => page.screenshot({ path: join(artifacts, `console-${name}.png`) });

before(async () => {
  pg = await startPostgres();
  cleanups.push(() => pg.stop());
  hq = await startHeadOffice(pg.url);
  cleanups.push(() => hq.stop());
  hqUrl = hq.url;
  ca = hq.ca;
  workstationDb = demoDatabase(50);
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: "zh-CN", ignoreHTTPSErrors: true });
  page = await context.newPage();
  await page.goto(`${hqUrl}/console/`);
});

after(async () => {
  await browser?.close();
  for (const cleanup of cleanups.reverse()) {
    try {
      cleanup();
    } catch {
      // already gone
    }
  }
});

test("an operator logs in with the keyboard", async () => {
  await page.getByLabel("用户名").fill("ops");
  await page.getByLabel("密码").fill("wrong password");
  await page.getByLabel("密码").press("Enter");
  await page.getByRole("alert").filter({ hasText: "用户名或密码不正确" }).waitFor();
  await page.getByLabel("密码").fill("ops-password-1");
  await page.getByLabel("密码").press("Enter");
  await page.getByText("值班员").waitFor();
  await shot("outlets-empty");
});

test("adds the outlet and makes an enrolment code", async () => {
  await page.getByRole("button", { name: "新增网点" }).click();
  await page.getByLabel("网点编码").fill(OUTLET);
  await page.getByLabel("名称", { exact: true }).fill("西湖营业厅");
  await page.getByLabel("服务片区").fill("西湖区供电所");
  await page.getByRole("button", { name: /确\s*定|OK/ }).click();
  await page.getByRole("button", { name: OUTLET, exact: true }).click();
  await page.getByLabel("柜台号").fill("3");
  await page.getByRole("button", { name: "生成注册码" }).click();
  const code = (await page.getByTestId("enrol-code").innerText()).trim();
  assert.match(code, new RegExp(`^${OUTLET}\\.[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}$`));
  await shot("enrolment-code");
  // The workstation enrols with it, as a clerk would at its first start.
  const out = hall(workstationDb, "enrol", hqUrl, code, "--ca", ca);
  assert.match(out, new RegExp(OUTLET));
  // A code works once.
  assert.match(hallFails(demoDatabase(10), "enrol", hqUrl, code, "--ca", ca), /注册码无效|not valid/);
});

test("sees the workstation sync", async () => {
  hall(workstationDb, "sync");
  await page.getByRole("button", { name: /^刷\s*新$/ }).first().click();
  const row = page.getByTestId("workstations").locator("tbody tr").first();
  await row.getByText("在用").waitFor();
  const cells = await row.locator("td").allInnerTexts();
  assert.equal(cells[0], "3", `counter number: ${cells}`);
  assert.ok(Number(cells[4]) > 0, `events stored: ${cells}`);
  assert.match(cells[6], /无/, `no gaps: ${cells}`);
  await shot("workstation-synced");
});

test("a cloned workstation's fork is quarantined, shown side by side and resolved", async () => {
  // The clone is a copy of the enrolled database: the same workstation, credential and series.
  const clone = join(mkdtempSync(join(tmpdir(), "hall-console-clone-")), "hall.db");
  copyFileSync(workstationDb, clone);
  await createCustomer(workstationDb, "3310000101", "原机客户");
  await createCustomer(clone, "3310000102", "克隆机客户");
  hall(workstationDb, "sync");
  const refused = hallFails(clone, "sync");
  assert.match(refused, /隔离|fenced/, refused);

  await page.keyboard.press("Alt+2");
  const item = page.locator("[data-testid^=quarantine-]").first();
  await item.waitFor();
  assert.match(await item.getByTestId("stored-side").innerText(), /原机客户/);
  assert.match(await item.getByTestId("incoming-side").innerText(), /克隆机客户/);
  await shot("quarantine-side-by-side");
  await item.getByLabel("备注").fill("克隆的数据库，丢弃");
  await item.getByRole("button", { name: "丢弃后到内容并解除隔离" }).click();
  await item.getByText("工作站已解除隔离").waitFor();
  await shot("quarantine-resolved");

  // Unfenced: the original workstation syncs again, and the outlet shows it healthy.
  await createCustomer(workstationDb, "3310000103", "解除后客户");
  hall(workstationDb, "sync");
  await page.keyboard.press("Alt+1");
  await page.getByRole("button", { name: /^刷\s*新$/ }).first().click();
  await page.getByRole("button", { name: OUTLET, exact: true }).click();
  await page.getByTestId("workstations").getByText("在用").waitFor();
  await shot("workstation-after-resolution");
});

test("publishes a bills CSV and sees its rejected line", async () => {
  await page.keyboard.press("Alt+5");
  await page.getByLabel("发布内容").focus();
  await page.keyboard.press("ArrowDown");
  await page.locator(".ant-select-item-option", { hasText: "营销中心月度账单" }).click();
  const header = "id,customer_id,account,area,period,tariff_code,tariff_effective_from,kwh,amount_fen,due_date,issued_at,lines";
  const good = `E2EBILL1,${crypto.randomUUID()},3310000101,西湖区供电所,2026-11,residential,2026-01-01,120,6000,2026-12-25,2026-12-01T00:00:00Z,`;
  const bad = `E2EBILL2,${crypto.randomUUID()},3310000102,西湖区供电所,2026-13,residential,2026-01-01,120,6000,2026-12-25,2026-12-01T00:00:00Z,`;
  await page.getByLabel("文件内容").fill([header, good, bad].join("\n"));
  await page.getByRole("button", { name: /^发\s*布$/ }).click();
  await page.getByText("被拒绝的行").waitFor();
  assert.match(await page.locator(".ant-table-tbody").innerText(), /3[\s\S]*period/);
  await shot("publish-bills");
});

test("finds a synced receipt across outlets", async () => {
  await page.keyboard.press("Alt+6");
  await page.getByLabel("按凭证号查找").fill(OUTLET);
  await page.getByLabel("按凭证号查找").press("Enter");
  const first = page.locator(".ant-table-tbody tr").first();
  await first.waitFor();
  assert.match(await first.innerText(), new RegExp(OUTLET));
  await page.getByLabel("验证二维码").fill("HR1|deadbeef|x|y|z|1|0|0|AAAA");
  await page.getByLabel("验证二维码").press("Enter");
  await page.getByTestId("verdict").getByText("签名无效").waitFor();
  await shot("receipts");
});

test("switches to English", async () => {
  await page.keyboard.press("Alt+1");
  await page.getByRole("button", { name: "English" }).click();
  await page.getByRole("button", { name: "Add outlet" }).waitFor();
  await page.getByRole("button", { name: OUTLET, exact: true }).click();
  await page.getByRole("button", { name: "Create enrolment code" }).waitFor();
  await shot("english");
});
