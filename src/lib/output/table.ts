import { sanitizeInline } from './sanitize.js'

/** A plain aligned table: columns are [key, heading] pairs; cells are stringified, one line each, control characters escaped. */
export function renderTable<R extends object>(rows: readonly R[], columns: ReadonlyArray<readonly [keyof R & string, string]>): string {
  const cell = (row: R, key: keyof R) => {
    const value = row[key]
    return sanitizeInline(Array.isArray(value) ? value.join(',') : value === undefined || value === null ? '' : String(value))
  }
  const widths = columns.map(([key, heading]) => Math.max(heading.length, ...rows.map((row) => cell(row, key).length)))
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i] ?? 0)).join('  ').trimEnd()
  return [line(columns.map(([, heading]) => heading)), ...rows.map((row) => line(columns.map(([key]) => cell(row, key))))].join('\n')
}
