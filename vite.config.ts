import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import vue from '@vitejs/plugin-vue'
import { defineConfig, type Plugin } from 'vite'
import { VitePWA } from 'vite-plugin-pwa'
import { firstScreenFiles, type ManifestChunk } from './firstScreens.ts'
import pkg from './package.json' with { type: 'json' }

/**
 * Vant's icon font is inlined as woff2 in its CSS (33 KB), with a fallback on a CDN (at.alicdn.com).
 * Every phone that can run this app reads woff2, the app must work offline, and the server's
 * Content-Security-Policy allows fonts from this origin and data: only, so the fallback goes.
 * The inlined font moves to a file of its own: inlined, it made the stylesheet that blocks the
 * first paint three times bigger; as a file it loads while the screen already shows.
 */
function vantIconFontAsFile(): Plugin {
  const remote = /,\s*url\(["']?(?:https?:)?\/\/at\.alicdn\.com\/[^)]*\)\s*format\(["']?woff["']?\)/g
  const inlined = /url\(data:font\/woff2;charset=utf-8;base64,([A-Za-z0-9+/=]+)\)/
  const fontFile = fileURLToPath(new URL('./node_modules/.vant-icon-font/vant-icon.woff2', import.meta.url))
  return {
    name: 'vant-icon-font-as-file',
    enforce: 'pre', // before Vite's CSS plugin, which turns the file's url() into a hashed asset
    transform(code, id) {
      if (!id.includes('/node_modules/vant/') || !id.endsWith('.css')) return
      let css = code.replace(remote, '')
      const font = inlined.exec(css)
      if (font) {
        mkdirSync(dirname(fontFile), { recursive: true })
        writeFileSync(fontFile, Buffer.from(font[1]!, 'base64'))
        css = css.replace(inlined, `url(${JSON.stringify(relative(dirname(id), fontFile))})`)
      }
      return { code: css, map: null }
    },
  }
}

/**
 * Vant's styles per component, not its whole stylesheet (200 KB) before the first paint: every
 * `import { … } from 'vant'` in our code also imports the styles of what it names, so each lazy
 * screen brings the CSS it uses. `showConfirmDialog` → dialog, `showFailToast` → toast, etc.;
 * names with no stylesheet (Locale, types) bring none.
 */
function vantStylesPerComponent(): Plugin {
  const vantImport = /import\s*\{([^}]*)\}\s*from\s*['"]vant['"]/g
  const styleOf = (name: string): string | undefined => {
    const component = name.replace(/^(show|close)(Confirm|Success|Fail|Loading)?/, '')
    const dir = component.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()
    const style = `vant/es/${dir}/style/index.mjs`
    return existsSync(fileURLToPath(new URL(`./node_modules/${style}`, import.meta.url))) ? style : undefined
  }
  return {
    name: 'vant-styles-per-component',
    transform(code, id) {
      if (id.includes('/node_modules/') || !/\.(vue|ts)$/.test(id)) return
      const styles = new Set<string>()
      for (const [, names] of code.matchAll(vantImport)) {
        for (const raw of names!.split(',')) {
          const name = raw.trim().replace(/^type\s+/, '').split(/\s+as\s+/)[0]!
          const style = name && styleOf(name)
          if (style) styles.add(style)
        }
      }
      if (styles.size === 0) return
      // Before the module's own code, so a component's scoped styles still override Vant's.
      return { code: [...styles].map((s) => `import '${s}';`).join('\n') + '\n' + code, map: null }
    },
  }
}

/**
 * A first visit's login screen is a lazy route: without a hint, its chunks and styles are only
 * requested once the entry has run, a second round of requests over the village link. The page
 * names them up front (modulepreload, style preload), so both rounds travel together. A later
 * opening reads them from the service worker's cache, where a hint costs nothing.
 */
function preloadLoginScreen(): Plugin {
  const LOGIN = 'src/features/auth/LoginPage.vue'
  return {
    name: 'preload-login-screen',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html, { bundle }) {
        if (!bundle) return
        const chunks = Object.values(bundle).filter((c) => c.type === 'chunk')
        const login = chunks.find((c) => c.facadeModuleId?.endsWith(LOGIN))
        if (!login) throw new Error(`${LOGIN} is not in the bundle`)
        const seen = new Set<string>()
        const visit = (file: string) => {
          if (seen.has(file)) return
          seen.add(file)
          chunks.find((c) => c.fileName === file)?.imports.forEach(visit)
        }
        visit(login.fileName)
        // What the page already loads (the entry and its imports) needs no second hint.
        const files = [...seen].filter((f) => !html.includes(`/${f}"`))
        const styles = files.flatMap((f) => [...(chunks.find((c) => c.fileName === f)?.viteMetadata?.importedCss ?? [])])
        return [
          ...files.map((f) => ({ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `/${f}` }, injectTo: 'head' as const })),
          ...styles.map((f) => ({ tag: 'link', attrs: { rel: 'preload', as: 'style', href: `/${f}` }, injectTo: 'head' as const })),
        ]
      },
    },
  }
}

/**
 * Marks the app shell in the service worker's file list: what the first screens need to start
 * (index.html, their JS and CSS, the icon font, the icons and the web app manifest). The worker
 * installs only these, so a first visit on a slow or lossy link still ends with a working offline
 * app, and fetches everything else after it is active (src/sw/offlineAssets.ts).
 */
function markAppShell(entries: Array<{ url: string; revision: string | null; size: number }>) {
  const manifestFile = fileURLToPath(new URL('./dist/.vite/manifest.json', import.meta.url))
  const firstScreen = firstScreenFiles(JSON.parse(readFileSync(manifestFile, 'utf8')) as Record<string, ManifestChunk>)
  const isShell = (url: string) => firstScreen.has(url) || /^(index\.html|manifest\.webmanifest|icons\/.*|assets\/.*\.woff2)$/.test(url)
  return { manifest: entries.map((e) => (isShell(e.url) ? { ...e, shell: true } : e)) }
}

export default defineConfig({
  plugins: [
    vue(),
    vantIconFontAsFile(),
    vantStylesPerComponent(),
    preloadLoginScreen(),
    VitePWA({
      // Our own service worker (src/sw.ts) built with Workbox modules; the page asks before updating.
      strategies: 'injectManifest',
      srcDir: 'src',
      filename: 'sw.ts',
      registerType: 'prompt',
      injectRegister: false,
      injectManifest: { globPatterns: ['**/*.{js,css,html,svg,png,woff2,webmanifest}'], manifestTransforms: [markAppShell] },
      manifest: {
        id: '/',
        name: '口袋党校',
        short_name: '口袋党校',
        description: '党员随身学习：课程、口袋书、测试、签到，离线也能用',
        lang: 'zh-CN',
        dir: 'ltr',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        orientation: 'portrait',
        theme_color: '#c8161d',
        background_color: '#ffffff',
        categories: ['education'],
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
    }),
  ],
  define: {
    __APP_VERSION__: JSON.stringify(pkg.version),
    // vue-i18n features the app does not use (legacy API, <i18n-t> components, devtools), dropped
    // from the first screen's code.
    __VUE_I18N_LEGACY_API__: 'false',
    __VUE_I18N_FULL_INSTALL__: 'false',
    __INTLIFY_PROD_DEVTOOLS__: 'false',
    // Its message compiler too: src/i18n/messageCompiler.ts compiles the app's few message forms.
    __INTLIFY_DROP_MESSAGE_COMPILER__: 'true',
    // Every component here (ours, Vant's, the router's) uses setup(): Vue's Options API support goes.
    __VUE_OPTIONS_API__: 'false',
  },
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  build: {
    target: 'es2020',
    sourcemap: false,
    manifest: true,
    chunkSizeWarningLimit: 400,
    // Chromium (Android WebViews) and Safari 17+ preload modules themselves; an older Safari ignores
    // the links and still loads every module, a little later. The polyfill cost every phone bytes.
    modulePreload: { polyfill: false },
    rolldownOptions: {
      preserveEntrySignatures: false,
      output: { codeSplitting: { experimentalInlineCommonChunks: { maxSize: 2048 } } },
    },
  },
  server: { proxy: { '/api': 'http://localhost:8080' } },
})
