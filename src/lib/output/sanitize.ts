/**
 * Text a server (or any other untrusted source) chose, on its way to a terminal. Control characters
 * are shown escaped, never written raw: ESC and C1 controls start sequences that repaint the screen,
 * retitle the window or write the clipboard (OSC 52); CR overwrites what a line said; bidi
 * overrides reorder what is shown. --json output does not pass here: JSON escapes its own.
 */

// C0 except \t and \n, DEL, C1, and the bidi embedding/override/isolate controls.
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g
// The same, with \t and \n: one table cell or one field must stay on its line.
const UNSAFE_INLINE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g

const escape = (c: string) => {
  const code = c.charCodeAt(0)
  if (c === '\n') return '\\n'
  if (c === '\t') return '\\t'
  if (c === '\r') return '\\r'
  return code < 0x80 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`
}

/** Lines for a terminal: newlines and tabs are kept, every other control character is shown escaped. */
export const sanitizeText = (text: string): string => text.replace(UNSAFE, escape)

/** One field (a table cell, a value inside a sentence): newlines and tabs are escaped too. */
export const sanitizeInline = (text: string): string => text.replace(UNSAFE_INLINE, escape)
