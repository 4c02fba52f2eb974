// The check tab (scaffold: its owner replaces this).
export function mount(el: HTMLElement): void {
  el.innerHTML = "<h2>check</h2>";
}
