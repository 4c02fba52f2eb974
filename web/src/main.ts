// The page's shell: four tabs, each a module mounted the first time it is shown. The tab and its
// state live in the URL's hash (#explorer?program=…), so a link reproduces what a person sees.
import { showError } from "./shared/errors.js";
import { currentTab, TABS, type Tab } from "./shared/url.js";

const modules: Record<Tab, () => Promise<{ mount(el: HTMLElement): void | Promise<void> }>> = {
  explorer: () => import("./explorer/index.js"),
  check: () => import("./check/index.js"),
  shapes: () => import("./shapes/index.js"),
  train: () => import("./train/index.js"),
};
const mounted = new Set<Tab>();

async function show(tab: Tab): Promise<void> {
  for (const t of TABS) {
    const panel = document.getElementById(`tab-${t}`)!;
    panel.hidden = t !== tab;
    const link = document.querySelector<HTMLAnchorElement>(`nav a[data-tab="${t}"]`)!;
    if (t === tab) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  if (mounted.has(tab)) return;
  mounted.add(tab);
  const panel = document.getElementById(`tab-${tab}`)!;
  try {
    await (await modules[tab]()).mount(panel);
  } catch (e) {
    showError(panel, e);
  }
}

window.addEventListener("hashchange", () => void show(currentTab()));
// Nothing fails silently: an error that escapes a handler is shown on the page, not only in the console.
window.addEventListener("error", (e) => showError(document.getElementById(`tab-${currentTab()}`)!, e.error ?? e.message));
window.addEventListener("unhandledrejection", (e) => showError(document.getElementById(`tab-${currentTab()}`)!, e.reason));
void show(currentTab());
