import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { useAuthStore } from '@/features/auth/auth.store.ts'

declare module 'vue-router' {
  interface RouteMeta {
    public?: boolean
    leadersOnly?: boolean
    /** i18n key of the page title */
    title?: string
  }
}

// Every page is its own chunk, so the first screen downloads only what it shows.
const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('@/features/auth/LoginPage.vue'), meta: { public: true } },
  {
    path: '/',
    component: () => import('@/ui/MainLayout.vue'),
    children: [
      { path: '', name: 'home', component: () => import('@/features/home/HomePage.vue'), meta: { title: 'tabs.home' } },
      { path: 'study', name: 'study', component: () => import('@/ui/PlaceholderPage.vue'), meta: { title: 'tabs.study' } },
      { path: 'pocket', name: 'pocket', component: () => import('@/ui/PlaceholderPage.vue'), meta: { title: 'tabs.pocket' } },
      { path: 'quiz', name: 'quiz', component: () => import('@/ui/PlaceholderPage.vue'), meta: { title: 'tabs.quiz' } },
      {
        path: 'attendance',
        name: 'attendance',
        component: () => import('@/ui/PlaceholderPage.vue'),
        meta: { title: 'tabs.attendance', leadersOnly: true },
      },
      { path: 'me', name: 'me', component: () => import('@/features/me/MePage.vue'), meta: { title: 'tabs.me' } },
      { path: 'me/sessions', name: 'sessions', component: () => import('@/features/me/SessionsPage.vue'), meta: { title: 'me.sessions' } },
    ],
  },
  { path: '/:rest(.*)*', redirect: '/' },
]

export const router = createRouter({ history: createWebHistory(), routes })

router.beforeEach((to) => {
  const auth = useAuthStore()
  if (!to.meta.public && !auth.signedIn) return { name: 'login', query: to.fullPath === '/' ? {} : { next: to.fullPath } }
  if (to.name === 'login' && auth.signedIn) return { name: 'home' }
  // The client only hides; the server decides what a person may do.
  if (to.meta.leadersOnly && !auth.isLeader) return { name: 'home' }
})
