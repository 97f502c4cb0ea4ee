import { describe, expect, it } from 'vitest'
import { renderTable } from '../../src/lib/output/table.js'

describe('renderTable', () => {
  it('aligns columns by terminal width: wide (CJK, emoji) and combining characters', () => {
    const table = renderTable(
      [
        { name: '日本語', id: 'c1' },
        { name: 'plain', id: 'c2' },
        { name: 'e\u0301te\u0301 👍', id: 'c3' },
      ],
      [
        ['name', 'NAME'],
        ['id', 'ID'],
      ],
    )
    expect(table.split('\n')).toEqual(['NAME    ID', '日本語  c1', 'plain   c2', 'e\u0301te\u0301 👍  c3'])
  })

  it('arrays are joined with commas, missing cells are empty, no line ends in spaces', () => {
    const table = renderTable(
      [
        { id: 'a', scopes: ['x', 'y'], note: undefined },
        { id: 'bb', scopes: [], note: 'n' },
      ],
      [
        ['id', 'ID'],
        ['note', 'NOTE'],
        ['scopes', 'SCOPES'],
      ],
    )
    expect(table.split('\n')).toEqual(['ID  NOTE  SCOPES', 'a         x,y', 'bb  n'])
  })
})
