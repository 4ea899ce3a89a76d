import { useCallback, useEffect, useState } from "react";
import { App } from "antd";
import { ConsoleError } from "../api";
import { useT } from "../i18n";

/** Loads with `load` now and on `reload()`, reporting a failure as a message. */
export function useLoad<T>(load: () => Promise<T>) {
  const [data, setData] = useState<T | null>(null);
  const [loading, setLoading] = useState(true);
  const report = useReport();
  const fetchNow = useCallback(
    () =>
      load()
        .then(setData, report)
        .finally(() => setLoading(false)),
    // `load` is a fresh closure each render; what it reads is fixed for the screen's life.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [],
  );
  const reload = useCallback(() => {
    setLoading(true);
    void fetchNow();
  }, [fetchNow]);
  useEffect(() => {
    void fetchNow();
  }, [fetchNow]);
  return { data, loading, reload, setData };
}

/** Shows head office's refusal in the interface language. */
export function useReport() {
  const { message } = App.useApp();
  const { text } = useT();
  return useCallback((e: unknown) => void message.error(e instanceof ConsoleError ? text(e.body) : String(e)), [message, text]);
}

/** Fen as yuan with two decimals. */
export const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;

/** An RFC 3339 instant in the browser's local time, `YYYY-MM-DD HH:MM:SS`. */
export function when(at: string | null | undefined): string {
  if (!at) return "";
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return at;
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** A lag in seconds as the largest whole unit. */
export function duration(seconds: number, lang: string): string {
  const units: [number, string, string][] = [
    [86400, "天", "d"],
    [3600, "小时", "h"],
    [60, "分钟", "min"],
    [1, "秒", "s"],
  ];
  const [size, zh, en] = units.find(([s]) => seconds >= s) ?? units[3];
  const n = Math.floor(seconds / size);
  return lang === "zh-CN" ? `${n} ${zh}` : `${n} ${en}`;
}
