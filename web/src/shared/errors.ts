// Errors are shown where they happen, next to the input, in words: never a blank page.

/** The message of anything thrown (the library's errors carry their class name). */
export function errorText(e: unknown): string {
  if (e instanceof Error) return e.name && e.name !== "Error" ? `${e.name}: ${e.message}` : e.message;
  return typeof e === "string" ? e : JSON.stringify(e) ?? String(e);
}

/** Shows `e` in the error box of `host` (made on first use, role=alert so screen readers say it). */
export function showError(host: HTMLElement, e: unknown): HTMLElement {
  let box = host.querySelector<HTMLElement>(":scope > .error-box");
  if (!box) {
    box = document.createElement("div");
    box.className = "error-box";
    box.setAttribute("role", "alert");
    host.prepend(box);
  }
  box.textContent = errorText(e);
  box.hidden = false;
  return box;
}

/** Shows (or with null, clears) an inline error right after an input. */
export function inlineError(input: HTMLElement, e: unknown | null): void {
  let note = input.nextElementSibling as HTMLElement | null;
  if (!note || !note.classList.contains("inline-error")) {
    if (e === null) return;
    note = document.createElement("p");
    note.className = "inline-error";
    note.setAttribute("role", "alert");
    note.id = `${input.id || "input"}-error`;
    input.after(note);
    input.setAttribute("aria-describedby", note.id);
  }
  note.hidden = e === null;
  note.textContent = e === null ? "" : errorText(e);
  input.setAttribute("aria-invalid", String(e !== null));
}
