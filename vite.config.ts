import { fileURLToPath } from 'node:url'
import vue from '@vitejs/plugin-vue'
import { defineConfig, type Plugin } from 'vite'
import { VitePWA } from 'vite-plugin-pwa'
import pkg from './package.json' with { type: 'json' }

/**
 * Vant's icon font is inlined as woff2 in its CSS, with a fallback on a CDN (at.alicdn.com).
 * Every phone that can run this app reads woff2, the app must work offline, and the server's
 * Content-Security-Policy allows fonts from this origin and data: only, so the fallback goes.
 */
function withoutRemoteIconFont(): Plugin {
  const remote = /,\s*url\(["']?(?:https?:)?\/\/at\.alicdn\.com\/[^)]*\)\s*format\(["']?woff["']?\)/g
  return {
    name: 'without-remote-icon-font',
    transform(code, id) {
      if (id.includes('/node_modules/vant/') && id.endsWith('.css')) return { code: code.replace(remote, ''), map: null }
    },
  }
}

export default defineConfig({
  plugins: [
    vue(),
    withoutRemoteIconFont(),
    VitePWA({
      // Our own service worker (src/sw.ts) built with Workbox modules; the page asks before updating.
      strategies: 'injectManifest',
      srcDir: 'src',
      filename: 'sw.ts',
      registerType: 'prompt',
      injectRegister: false,
      injectManifest: { globPatterns: ['**/*.{js,css,html,svg,png,woff2,webmanifest}'] },
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
  define: { __APP_VERSION__: JSON.stringify(pkg.version) },
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  build: { target: 'es2020', sourcemap: false, manifest: true, chunkSizeWarningLimit: 400 },
  server: { proxy: { '/api': 'http://localhost:8080' } },
})
