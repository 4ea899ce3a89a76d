// The sync UI against a real head office: a throwaway PostgreSQL (Debian's binaries, initdb in a
// temporary directory, a random port), `hall-hq serve` on it over HTTPS with a certificate made for
// the run, an outlet with its users and a one-time code. A workstation without users enrols on the
// first-start screen (the certificate pasted as its CA), head office's users arrive and log in, the
// top bar says it is synced; a new record waits, "sync now" sends it; head office stops and the top
// bar says the failure in plain words, and the day-end names the payment not yet sent.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { artifacts, call, counterPage, customerDraft, enterReading, hallBinary, launchChromium, root, serve } from "./harness.mjs";

const PG_BIN = "/usr/lib/postgresql/15/bin";
const hqBinary = process.env.HALL_HQ_BIN ?? join(root, "target/debug/hall-hq");
const OUTLET = "3306";
let pg, hq, hall, browser, page, database, certPem;

function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** PostgreSQL of its own; as root, its programs run as the `postgres` user. */
async function startPostgres() {
  const dir = mkdtempSync(join(tmpdir(), "hall-e2e-pg-"));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) execFileSync("chown", ["-R", "postgres:postgres", dir]);
  const run = (program, args) =>
    asRoot
      ? execFileSync("runuser", ["-u", "postgres", "--", join(PG_BIN, program), ...args], { stdio: "pipe" })
      : execFileSync(join(PG_BIN, program), args, { stdio: "pipe" });
  const data = join(dir, "data");
  run("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
  const port = await freePort();
  run("pg_ctl", ["-D", data, "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, "-l", join(dir, "log"), "-w", "start"]);
  return { url: `postgresql://postgres@127.0.0.1:${port}/postgres`, stop: () => run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]) };
}

const hallHq = (args, env = {}) =>
  execFileSync(hqBinary, ["--database-url", database, ...args], { encoding: "utf8", env: { ...process.env, ...env } }).trim();

/** `hall-hq serve` on a free loopback port: resolves with its URL and a stop function. */
async function startHeadOffice(cert, key) {
  const port = await freePort();
  const child = spawn(hqBinary, ["--database-url", database, "serve", "--bind", `127.0.0.1:${port}`, "--cert", cert, "--key", key], { stdio: ["ignore", "inherit", "pipe"] });
  return new Promise((resolve, reject) => {
    let err = "";
    child.stderr.on("data", (chunk) => {
      err += chunk;
      const match = err.match(/serving (https:\/\/\S+)/);
      if (match) resolve({ url: `https://127.0.0.1:${port}`, stop: () => child.kill() });
    });
    child.on("exit", (code) => reject(new Error(`hall-hq serve exited with ${code}: ${err}`)));
  });
}

before(async () => {
  pg = await startPostgres();
  database = pg.url;
  hallHq(["migrate"]);
  const dir = mkdtempSync(join(tmpdir(), "hall-e2e-hq-"));
  chmodSync(dir, 0o755);
  const cert = join(dir, "cert.pem");
  const key = join(dir, "key.pem");
  hallHq(["cert", "--cert", cert, "--key", key]);
  certPem = readFileSync(cert, "utf8");
  hallHq(["outlet", "add", OUTLET, "西湖营业厅", "--areas", "西湖区"]);
  hallHq(["user", "add", "--outlet", OUTLET, "--username", "clerk", "--display-name", "王晓燕", "--role", "clerk"], { HALL_HQ_PASSWORD: "clerk1234" });
  hallHq(["user", "add", "--outlet", OUTLET, "--username", "manager", "--display-name", "陈建国", "--role", "manager"], { HALL_HQ_PASSWORD: "manager1234" });
  hq = await startHeadOffice(cert, key);

  const empty = join(mkdtempSync(join(tmpdir(), "hall-e2e-enrol-")), "hall.db");
  execFileSync(hallBinary, ["--db", empty, "status"], { stdio: "ignore" });
  hall = await serve(empty);
  browser = await launchChromium();
  page = await counterPage(browser, hall.url);
  // The sync commands the page sent and when they were answered: named when a state never comes.
  page.on("request", (r) => {
    const cmd = r.postData() && JSON.parse(r.postData()).cmd;
    if (cmd?.startsWith("sync.")) {
      const at = Date.now();
      r.response().then(async (res) => traffic.push(`${cmd} +${Date.now() - at}ms ${(await res?.text())?.slice(0, 160)}`), () => traffic.push(`${cmd} failed`));
    }
  });
});
const traffic = [];

after(async () => {
  await browser?.close();
  hall?.stop();
  hq?.stop();
  pg?.stop();
});

const shot = (name) => page.screenshot({ path: join(artifacts, `sync-enrolled-${name}.png`) });
/** Waits for the top bar's state; on a timeout the failure names what the core said and shows. */
async function indicatorIn(state, timeout = 60_000) {
  try {
    await page.locator(`[data-testid=sync-indicator][data-state=${state}]`).waitFor({ timeout });
  } catch (e) {
    const { token } = await call(hall.url, "session.login", { username: "manager", password: "manager1234" });
    const status = await call(hall.url, "sync.status", {}, token);
    const shown = await page.getByTestId("sync-indicator").evaluate((el) => `${el.dataset.state}: ${el.textContent}`);
    const own = await page.evaluate(async () => {
      const token = sessionStorage.getItem("hall.token");
      const reply = await fetch("/api/invoke", { method: "POST", headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` }, body: JSON.stringify({ cmd: "sync.status", args: {} }) });
      return reply.text();
    });
    console.error(`the page's own sync.status: ${own}; the page's last sync calls: ${traffic.slice(-3).join(", ")}`);
    throw new Error(`not ${state}: the top bar shows ${shown}; sync.status ${JSON.stringify(status)}`, { cause: e });
  }
}

test("enrol on the first-start screen; head office's users arrive and log in", async () => {
  const code = hallHq(["workstation", "add", "--outlet", OUTLET, "--counter", "1"]);
  await page.getByTestId("first-start").waitFor();
  await page.keyboard.press("Enter");
  await page.getByLabel("总部地址").fill(hq.url);
  await page.getByLabel("一次性注册码").fill(code);
  await page.locator("summary").click();
  await page.getByLabel("总部根证书（PEM，可不填）").fill(certPem);
  await page.getByRole("button", { name: "连接总部" }).click();
  await page.locator("input#username").waitFor({ timeout: 120_000 });
  const setup = await call(hall.url, "setup.state", {});
  assert.deepEqual(setup, { has_users: true, enrolled: true });
  await page.locator("input#username").fill("clerk");
  await page.locator("input#password").fill("clerk1234");
  await page.keyboard.press("Enter");
  await page.getByTestId("current-user").waitFor();
  assert.match(await page.getByTestId("current-user").innerText(), /王晓燕/);
});

test("the top bar says synced, with the last success", async () => {
  await indicatorIn("synced");
  assert.match(await page.getByTestId("sync-status").innerText(), /^已同步 · (刚刚|\d+ 分钟前)$/);
  await page.getByTestId("sync-status").hover();
  await page.getByTestId("sync-details").waitFor();
  await page.waitForTimeout(400);
  const details = await page.getByTestId("sync-details").innerText();
  assert.ok(details.includes(hq.url), details);
  assert.match(details, /上次成功/);
  await shot("01-synced");
  await page.mouse.move(700, 600);
});

test("a new record waits, and sync now sends it", async () => {
  const { token } = await call(hall.url, "session.login", { username: "manager", password: "manager1234" });
  await call(hall.url, "customer.create", customerDraft("3306000001", "周立波"), token);
  const waiting = await call(hall.url, "sync.status", {}, token);
  // The background task may have sent it already; otherwise it waits and the press sends it.
  if (waiting.pending_events > 0) {
    await page.getByTestId("sync-now").click();
  }
  await indicatorIn("synced");
  const status = await call(hall.url, "sync.status", {}, token);
  assert.equal(status.pending_events, 0);
  assert.equal(status.error, null);
  assert.ok(JSON.parse(hallHq(["status"])).events > 0, "head office holds the outlet's events");
});

test("head office down: the failure in plain words, and the day-end names the unsent payment", async () => {
  hq.stop();
  const { token } = await call(hall.url, "session.login", { username: "manager", password: "manager1234" });
  const customer = (await call(hall.url, "customer.create", customerDraft("3306000002", "吴敏"), token)).view.customer.id;
  await enterReading(hall.url, token, customer, "3306000002", "2026-10", 120);
  await call(hall.url, "desk.open", { float: 10_000 }, token);
  const quote = await call(hall.url, "payment.quote", { customer_id: customer }, token);
  const amount = quote.total_due > 0 ? quote.total_due : 5_000;
  await call(hall.url, "payment.post", { customer_id: customer, amount, tenders: [{ kind: "cash", amount, reference: null }], idempotency_key: "sync-enrolled-1", confirmed_large_cash: false }, token);

  await page.getByTestId("sync-now").click();
  await indicatorIn("error");
  const status = await call(hall.url, "sync.status", {}, token);
  assert.ok(status.error, "the core keeps the failure");
  assert.ok(status.pending_payments >= 1);
  const tag = await page.getByTestId("sync-status").innerText();
  assert.ok(tag.startsWith(`同步失败：${status.error.zh}`), tag);
  assert.match(tag, /待上传 \d+ 条/);
  await shot("02-head-office-down");

  await page.keyboard.press("Alt+6");
  const line = page.getByTestId("dayend-unsent").filter({ hasText: "笔收费" });
  await line.waitFor();
  const yuan = (fen) => `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, "0")}`;
  assert.ok((await line.innerText()).includes(`（¥${yuan(status.pending_payments_fen)}）未上传总部`));
  await line.scrollIntoViewIfNeeded();
  await shot("03-day-end-unsent");
});
