import { sanitizeInline } from './sanitize.js'

/**
 * A plain aligned table: columns are [key, heading] pairs; cells are stringified, one line each, control characters escaped.
 * `style` may colour a cell (given its key and escaped text): applied after escaping, and outside the padding that aligns it.
 */
export function renderTable<R extends object>(
  rows: readonly R[],
  columns: ReadonlyArray<readonly [keyof R & string, string]>,
  style?: (key: keyof R & string, text: string) => string,
): string {
  const cell = (row: R, key: keyof R) => {
    const value = row[key]
    return sanitizeInline(Array.isArray(value) ? value.join(',') : value === undefined || value === null ? '' : String(value))
  }
  const widths = columns.map(([key, heading]) => Math.max(heading.length, ...rows.map((row) => cell(row, key).length)))
  const pad = (text: string, i: number) => ' '.repeat(Math.max(0, (widths[i] ?? 0) - text.length))
  const line = (values: string[], styled: (text: string, i: number) => string = (t) => t) =>
    values.map((v, i) => `${styled(v, i)}${pad(v, i)}`).join('  ').trimEnd()
  const styleCell = (text: string, i: number) => (style && text ? style(columns[i]?.[0] as keyof R & string, text) : text)
  return [line(columns.map(([, heading]) => heading)), ...rows.map((row) => line(columns.map(([key]) => cell(row, key)), styleCell))].join('\n')
}
