import { describe, expect, it } from "vitest";
import { CommandError, createClient, type Transport } from "./invoke";

function memoryStorage() {
  const map = new Map<string, string>();
  return {
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => void map.set(k, v),
    removeItem: (k: string) => void map.delete(k),
    map,
  };
}

describe("invoke", () => {
  it("sends {cmd, args} with the session token and returns the result", async () => {
    const seen: Array<[string, string | null]> = [];
    const transport: Transport = async (body, token) => {
      seen.push([body, token]);
      return { ok: { token: "t1" }, error: null };
    };
    const storage = memoryStorage();
    const client = createClient(transport, storage);
    await client.invoke("session.whoami", {});
    client.setToken("secret");
    await client.invoke("customer.search", { text: "张三", offset: 0, limit: 20 });
    expect(seen).toEqual([
      ['{"cmd":"session.whoami","args":{}}', null],
      ['{"cmd":"customer.search","args":{"text":"张三","offset":0,"limit":20}}', "secret"],
    ]);
    expect(storage.map.get("hall.token")).toBe("secret");
    client.setToken(null);
    expect(storage.map.has("hall.token")).toBe(false);
  });

  it("turns a refusal into a CommandError and reports session problems", async () => {
    const transport: Transport = async () => ({
      ok: null,
      error: { kind: "denied", messages: [{ code: "session.locked", field: null, zh: "已锁定", en: "Locked" }] },
    });
    const client = createClient(transport);
    const problems: string[] = [];
    client.onSessionProblem((code) => problems.push(code));
    const failure = client.invoke("customer.get", { id: "x" });
    await expect(failure).rejects.toBeInstanceOf(CommandError);
    await expect(failure).rejects.toMatchObject({ code: "session.locked" });
    expect(problems).toEqual(["session.locked"]);
  });

  it("does not report ordinary validation errors as session problems", async () => {
    const transport: Transport = async () => ({
      ok: null,
      error: { kind: "invalid", messages: [{ code: "phone.format", field: "phones", zh: "电话", en: "Phone" }] },
    });
    const client = createClient(transport);
    const problems: string[] = [];
    client.onSessionProblem((code) => problems.push(code));
    await expect(client.invoke("customer.check", {} as never)).rejects.toMatchObject({ code: "phone.format" });
    expect(problems).toEqual([]);
  });
});
