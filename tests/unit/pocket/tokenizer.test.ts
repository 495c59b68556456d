import { describe, expect, it } from 'vitest'
import { buildQuery, decodeTerm, tokenize } from '@/features/pocket/tokenizer.ts'
import { createIndex, entryDoc, highlight, loadIndex, runSearch, applyChanges } from '@/features/pocket/search.index.ts'
import type { PocketEntry } from '@/protocol/content.ts'

const entries: PocketEntry[] = [
  { id: 'e1', category: 'law', title: '宅基地使用权', tags: ['宅基地'], body: '农村村民一户只能拥有一处宅基地，面积不得超过规定标准。' },
  { id: 'e2', category: 'constitution', title: '党员的八项义务', tags: ['义务'], body: '认真学习马克思列宁主义、毛泽东思想，学习党的路线方针政策。' },
  { id: 'e3', category: 'safety', title: '防范电信诈骗', tags: ['诈骗'], body: '接到自称公检法的电话要求转账，一律是诈骗。Call 110 for help.' },
]

describe('Chinese tokenizer and search', () => {
  const ms = createIndex(entries.map(entryDoc))
  const ids = (q: string) => runSearch(ms, q).map((r) => r.refId)

  it('indexes segmenter words and character bigrams', () => {
    const tokens = tokenize('宅基地使用权，民主集中制 PWA 110', 'title').map(decodeTerm)
    expect(tokens).toEqual(expect.arrayContaining(['宅基', '基地', '地使', '使用', '用权', '民主集中制', 'pwa', '110']))
    expect(tokenize('党章PWA', 'text').map(decodeTerm)).toEqual(['pwa', '党章'])
  })

  it('finds an entry by a two-character word that occurs in it', () => {
    expect(ids('义务')).toEqual(['e2'])
    expect(ids('诈骗')).toEqual(['e3'])
    expect(ids('面积')).toEqual(['e1'])
  })

  it('finds a longer word however the segmenter cut it in the text', () => {
    expect(ids('宅基地')).toEqual(['e1'])
    expect(ids('路线方针')).toEqual(['e2'])
  })

  it('finds nothing for a word that does not occur', () => {
    expect(ids('火箭')).toEqual([])
    expect(ids('宅基火箭')).toEqual([])
    expect(ids('，。')).toEqual([])
    expect(buildQuery('  ')).toBeUndefined()
  })

  it('matches Latin words by prefix and with a typo', () => {
    expect(ids('hel')).toEqual(['e3'])
    expect(ids('halp')).toEqual(['e3'])
    expect(ids('Calll')).toEqual(['e3'])
    expect(ids('xyzw')).toEqual([])
  })

  it('survives a save and load, and applies pulled changes incrementally', () => {
    const copy = loadIndex(JSON.stringify(ms))
    expect(runSearch(copy, '宅基地').map((r) => r.refId)).toEqual(['e1'])
    applyChanges(copy, [
      { type: 'pocketEntry', id: 'e1', version: 9, data: null },
      { type: 'pocketEntry', id: 'e4', version: 10, data: { id: 'e4', category: 'law', title: '土地承包', tags: [], body: '承包期内发包方不得收回承包地。' } },
    ])
    expect(runSearch(copy, '宅基地')).toEqual([])
    expect(runSearch(copy, '承包').map((r) => r.refId)).toEqual(['e4'])
  })

  it('highlights the matched terms', () => {
    expect(highlight('一户只能拥有一处宅基地', ['宅基', '基地'])).toEqual([
      { text: '一户只能拥有一处', hit: false },
      { text: '宅基地', hit: true },
    ])
  })
})
