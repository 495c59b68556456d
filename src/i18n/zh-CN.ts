// Messages the first screens need (login, home, tab bar, banners). Feature screens' messages are in
// zh-CN.features.ts, loaded with the first feature route (see index.ts), so members' phones do not
// download every leader's screen text before they can sign in.
export default {
  app: { name: '口袋党校', slogan: '随身学习，离线也能用' },
  // pocketTab: the tab-bar label, where a long translation must fit 60 px (en: "Pocket").
  tabs: { home: '首页', study: '学习', pocket: '口袋书', pocketTab: '口袋书', quiz: '测试', attendance: '签到', me: '我的' },
  login: {
    title: '登录',
    phone: '手机号',
    phonePlaceholder: '请输入11位手机号',
    phoneInvalid: '请输入正确的11位手机号',
    password: '密码',
    passwordPlaceholder: '请输入密码',
    passwordRequired: '请输入密码',
    submit: '登录',
    offlineHint: '首次登录需要联网，登录后离线也能使用。',
    elderOff: '切换到长辈模式（大字、大按钮）',
    elderOn: '长辈模式已打开 · 点此关闭',
    lockedUntil: '账号已锁定，请于 {time} 后再试',
  },
  home: {
    greeting: '{name}，您好',
    continueTitle: '继续学习',
    continueEmpty: '还没有学习记录，去“学习”看看课程吧。',
    todayEntry: '今日一条',
    todayEntryEmpty: '口袋书内容同步后，这里每天推荐一条。',
    shortcuts: '常用功能',
  },
  manage: { title: '组织管理', hint: '计划、指派、报表、档案与人员' },
  personal: {
    logoutUnsent: '还有 {n} 条记录没有上传。退出后它们仍保存在这部手机上，只会在您本人再次登录后上传，不会以别人的名义上传。最好先联网同步再退出。确定退出吗？',
  },
  placeholder: { soon: '该功能正在建设中', back: '返回' },
  offline: {
    noNetwork: '离线模式：手机没有网络。已保存的内容仍可使用，记录联网后自动上传',
    unreachable: '手机有网络，但连不上服务器。记录已保存在手机上，稍后自动重试',
    busy: '服务器繁忙，记录已保存在手机上，稍后自动重试',
    busyUntil: '服务器繁忙，记录已保存在手机上，将于 {time} 自动重试',
    answerLost: '没有收到服务器的回复，正在重新发送（同一条记录不会重复保存）',
  },
  wechat: {
    hint: '您正在微信里打开。请点右上角「···」，选择「在浏览器打开」，才能把口袋党校装到手机上、没有网络也能用。',
    close: '知道了',
  },
  offlineReady: { ready: '已可离线使用', preparing: '正在准备离线使用 {percent}%' },
  update: { available: '有新版本可用', reload: '立即更新', later: '稍后' },
  common: { close: '关闭', all: '全部', cancel: '取消', confirm: '确定', loading: '加载中…', retry: '重试' },
  errors: {
    NETWORK: '无法连接服务器，请检查网络后重试',
    INVALID_CREDENTIALS: '手机号或密码不正确',
    RATE_LIMITED: '尝试次数过多，请稍后再试',
    VALIDATION: '填写的内容有误，请检查',
    UNAUTHENTICATED: '登录已失效，请重新登录',
    FORBIDDEN: '没有权限查看这部分内容',
    NOT_FOUND: '没有找到相关内容',
    SERVER: '服务器出了点问题，请稍后再试',
    UNKNOWN: '出错了，请稍后再试',
    ACCOUNT_LOCKED: '密码错误次数过多，账号已暂时锁定，请15分钟后再试',
    STEP_UP_REQUIRED: '需要再次输入密码才能继续',
    PASSWORD_CHANGE_REQUIRED: '请先设置新密码',
    WRONG_PASSWORD: '密码不正确',
  },
}
