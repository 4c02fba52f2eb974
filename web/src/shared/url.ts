// The page's state in the URL: `#<tab>?<params>`; params are replaced in place (no history entry
// per keystroke), so sharing the address shares the program and its values.
export const TABS = ["explorer", "check", "shapes", "train"] as const;
export type Tab = (typeof TABS)[number];

function split(): [string, string] {
  const h = location.hash.replace(/^#/, "");
  const q = h.indexOf("?");
  return q < 0 ? [h, ""] : [h.slice(0, q), h.slice(q + 1)];
}

/** The tab the hash names (the explorer when it names none). */
export function currentTab(): Tab {
  const [t] = split();
  return (TABS as readonly string[]).includes(t) ? (t as Tab) : "explorer";
}

/** The current tab's parameters. */
export function hashParams(): URLSearchParams {
  return new URLSearchParams(split()[1]);
}

/** Replaces the current tab's parameters in the address bar (no new history entry). */
export function setHashParams(params: Record<string, string | undefined> | URLSearchParams): void {
  const p = params instanceof URLSearchParams ? params : new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined));
  const s = p.toString();
  history.replaceState(null, "", `#${currentTab()}${s ? `?${s}` : ""}`);
}
