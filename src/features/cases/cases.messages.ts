/**
 * Messages of 好的进教材 on the author's phone, zh-CN and en, merged under `cases` by the locale
 * files (src/i18n/zh-CN.features.ts, src/i18n/en.ts).
 */
const zh = {
  heading: '征求你的意见',
  ask: '{proposer}想把你的这篇心得作为案例，收入{unit}的{target}：',
  asLesson: '课程《{title}》的一讲',
  asEntry: '口袋书“{title}”中的一条',
  titleLine: '标题：{title}',
  note: '推荐理由：{note}',
  showName: '署上我的名字',
  showNameHint: '关闭后只写“{branch}的一名党员”',
  agree: '同意收录',
  refuse: '不同意',
  refuseConfirm: '不同意后，这篇心得不会再被推荐。确定吗？',
  review: '同意后由课件编辑整理，经审核发布后大家都能学到。',
  state: { waiting: '已答复，联网后上传', refusedByServer: '答复未被接受', agreed: '已同意收录', refused: '已谢绝' },
}

const en: typeof zh = {
  heading: 'Your consent is asked',
  ask: '{proposer} would like to use this reflection of yours as a case in {unit}’s {target}:',
  asLesson: 'course “{title}”, as a lesson',
  asEntry: 'pocket book “{title}”, as an entry',
  titleLine: 'Title: {title}',
  note: 'Why: {note}',
  showName: 'Name me as the author',
  showNameHint: 'Off: only “a member of {branch}”',
  agree: 'I agree',
  refuse: 'No, thanks',
  refuseConfirm: 'After saying no, this reflection will not be proposed again. Are you sure?',
  review: 'An editor prepares it; it is published after review, for everyone to study.',
  state: { waiting: 'Answered; sent when online', refusedByServer: 'Answer not accepted', agreed: 'You agreed', refused: 'You said no' },
}

export default { zh, en }
