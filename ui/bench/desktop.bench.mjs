// `scripts/bench-desktop.sh` runs this under Xvfb with tauri-driver on the PATH. It measures, in
// one run: cold start of the workstation to an interactive login screen against a bare Tauri
// window, the app's idle memory, and keystroke-to-results time against the database in HALL_DB
// (1M customers). Every figure is printed as `name: value`.
import { spawn } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { remote } from "webdriverio";
import { root } from "../e2e/harness.mjs";

const app = join(root, "target/release/hall-desktop");
const bare = join(root, "target/release/bare-window");
const RUNS = Number(process.env.RUNS ?? 7);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const percentile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.round((xs.length - 1) * q))];

const driver = spawn("tauri-driver", ["--port", "4444", "--native-port", "4445"], { stdio: "ignore" });
await sleep(1500);

/** Starts `application` through WebDriver and returns the ms until `selector` is present. */
async function coldStart(application, selector) {
  const started = performance.now();
  const browser = await remote({ hostname: "127.0.0.1", port: 4444, logLevel: "error", capabilities: { "tauri:options": { application } } });
  await (await browser.$(selector)).waitForExist({ timeout: 60_000, interval: 10 });
  return { ms: performance.now() - started, browser };
}

/**
 * Memory of a process and all its descendants (the WebKit web and network processes), in MB:
 * RSS counts shared libraries once per process; PSS shares them out, so it adds up to what the
 * app really costs the machine.
 */
function treeMemoryMb(rootPid) {
  const parents = new Map();
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      parents.set(Number(pid), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // The process ended meanwhile.
    }
  }
  const tree = new Set([rootPid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of parents) if (tree.has(ppid) && !tree.has(pid)) (tree.add(pid), (grew = true));
  }
  let rss = 0;
  let pss = 0;
  for (const pid of tree) {
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
      rss += Number(rollup.match(/^Rss:\s+(\d+)/m)[1]);
      pss += Number(rollup.match(/^Pss:\s+(\d+)/m)[1]);
    } catch {
      // The process ended meanwhile.
    }
  }
  return { rss: rss / 1024, pss: pss / 1024 };
}

function pidOf(binary) {
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0] === binary) return Number(pid);
    } catch {
      // The process ended meanwhile.
    }
  }
  throw new Error(`${binary} is not running`);
}

const appTimes = [];
const bareTimes = [];
for (let i = 0; i < RUNS; i++) {
  // Alternate the two so that drift on the machine affects both alike.
  for (const [application, selector, times] of [[bare, "#ready", bareTimes], [app, "input#username", appTimes]]) {
    const { ms, browser } = await coldStart(application, selector);
    times.push(ms);
    await browser.deleteSession();
    await sleep(500);
  }
}
// The bare window's idle memory, for comparison.
{
  const { browser } = await coldStart(bare, "#ready");
  await sleep(5000);
  const bareMemory = treeMemoryMb(pidOf(bare));
  console.log(`idle_rss_bare_mb: ${bareMemory.rss.toFixed(0)}`);
  console.log(`idle_pss_bare_mb: ${bareMemory.pss.toFixed(0)}`);
  await browser.deleteSession();
  await sleep(500);
}
const startup = median(appTimes);
const baseline = median(bareTimes);
console.log(`startup_bare_ms: ${baseline.toFixed(0)}`);
console.log(`startup_app_ms: ${startup.toFixed(0)}`);

// Idle memory and keystrokes in one more session, logged in.
const { browser } = await coldStart(app, "input#username");
await (await browser.$("input#username")).setValue("clerk");
await (await browser.$("input#password")).setValue("clerk1234");
await (await browser.$("button[type=submit]")).click();
await (await browser.$("[data-testid=customer-search]")).waitForExist({ timeout: 30_000 });
await sleep(5000);
const memory = treeMemoryMb(pidOf(app));
const rss = memory.rss;
console.log(`idle_pss_mb: ${memory.pss.toFixed(0)}`);

// Time from a key going down to the results table changing, measured inside the page.
await browser.execute(() => {
  window.__times = [];
  window.__key = null;
  const input = document.querySelector("[data-testid=customer-search]");
  input.addEventListener("keydown", () => (window.__key = performance.now()), true);
  new MutationObserver((records) => {
    if (window.__key !== null && records.some((r) => r.target.closest?.("[data-testid=search-results]") || r.target.querySelector?.("[data-testid=search-results]"))) {
      window.__times.push(performance.now() - window.__key);
      window.__key = null;
    }
  }).observe(document.querySelector(".content"), { subtree: true, childList: true, characterData: true });
});
const queries = ["3300012345", "13812", "5678", "zhangwei", "zxm", "王伟", "欧阳", "文一路", "翠苑一区", "330106198"];
const search = await browser.$("[data-testid=customer-search]");
for (const query of queries) {
  await search.click();
  await browser.keys(["Control", "a"]);
  await browser.keys(["Backspace"]);
  await sleep(300);
  for (const ch of query) {
    await browser.keys([ch]);
    await sleep(250);
  }
}
const times = await browser.execute(() => window.__times);
console.log(`keystrokes_measured: ${times.length}`);
console.log(`keystroke_p50_ms: ${percentile(times, 0.5).toFixed(1)}`);
await browser.deleteSession();
driver.kill();

console.log(`startup_ratio_vs_bare: ${(startup / baseline).toFixed(2)}`);
console.log(`idle_rss_mb: ${rss.toFixed(0)}`);
console.log(`deb_mb: ${process.env.DEB_MB ?? "n/a"}`);
console.log(`keystroke_p95_ms: ${percentile(times, 0.95).toFixed(1)}`);
