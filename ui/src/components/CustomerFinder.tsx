import { Input } from "antd";
import { useRef, useState } from "react";
import { invoke } from "../api/invoke";
import type { SearchHit } from "../api/generated/SearchHit";
import { useI18n } from "../i18n";

/** The counter's customer search, small: type, ↑↓, Enter. */
export function CustomerFinder({ onPick, placeholder, testId = "intake-customer-search", autoFocus = true }: { onPick: (hit: SearchHit) => void; placeholder?: string; testId?: string; autoFocus?: boolean }) {
  const { t } = useI18n();
  const [hits, setHits] = useState<SearchHit[]>([]);
  const [active, setActive] = useState(0);
  const latest = useRef(0);
  async function search(text: string) {
    const ticket = ++latest.current;
    if (!text.trim()) return setHits([]);
    const page = await invoke("customer.search", { text, offset: 0, limit: 8 }).catch(() => null);
    if (page && ticket === latest.current) {
      setHits(page.hits);
      setActive(0);
    }
  }
  return (
    <div>
      <Input autoFocus={autoFocus} placeholder={placeholder ?? t("intake.findCustomer")} onChange={(e) => void search(e.target.value)} data-testid={testId}
        onKeyDown={(e) => {
          if (e.nativeEvent.isComposing) return;
          if (e.key === "ArrowDown") { e.preventDefault(); setActive((i) => Math.min(i + 1, hits.length - 1)); }
          else if (e.key === "ArrowUp") { e.preventDefault(); setActive((i) => Math.max(i - 1, 0)); }
          else if (e.key === "Enter" && hits[active]) { e.preventDefault(); onPick(hits[active]); }
        }} />
      {hits.length > 0 && (
        <table className="results" style={{ marginTop: 4 }}>
          <tbody>
            {hits.map((h, i) => (
              <tr key={h.id} className={i === active ? "row-active" : ""} onClick={() => onPick(h)} onMouseMove={() => i !== active && setActive(i)}>
                <td className="mono" style={{ width: 120 }}>{h.account}</td><td style={{ width: 160 }}>{h.name}</td><td>{h.address}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
