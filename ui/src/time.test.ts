import { expect, it } from "vitest";
import { outletTime } from "./time";

it("shows instants in China Standard Time whatever the machine's zone", () => {
  expect(outletTime("2026-11-22T06:39:32.000Z")).toBe("2026/11/22 14:39:32");
  expect(outletTime("2026-11-22T17:00:00.000Z")).toBe("2026/11/23 01:00:00");
});
