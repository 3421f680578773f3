/**
 * Text safe to print on a terminal: control characters (C0, DEL, C1) become visible `\xNN` escapes. Unit names come
 * from process names, which any local user chooses, so one named `evil\x1b]0;…` must not drive the terminal.
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
