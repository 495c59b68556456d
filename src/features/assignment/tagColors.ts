/** Tag backgrounds dark enough for white text (≥ 4.5:1, axe); Vant's defaults are lighter. */
export const TAG_COLORS = { ok: '#1a7f37', warn: '#9a5b00', bad: '#c8161d', info: '#1d4ed8' } as const
