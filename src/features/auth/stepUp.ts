/**
 * Step-up state shared by the dialog (StepUpDialog.vue, mounted once in App.vue), the API client
 * (a STEP_UP_REQUIRED answer) and the idle lock of the 管理 screens. One pending request at a
 * time: several admin calls failing together share one dialog.
 */
import { ref } from 'vue'
import { onStepUpRequired } from '@/shared/http.ts'

const pending = ref<Promise<boolean>>()
let settle: ((ok: boolean) => void) | undefined

/** Whether the password dialog is showing. */
export const stepUpOpen = ref(false)

/** Asks for the password; resolves true once the server accepted it, false when cancelled. */
export function requestStepUp(): Promise<boolean> {
  pending.value ??= new Promise<boolean>((resolve) => {
    settle = resolve
    stepUpOpen.value = true
  })
  return pending.value
}

/** Called by the dialog when it closes. */
export function finishStepUp(ok: boolean): void {
  stepUpOpen.value = false
  settle?.(ok)
  settle = undefined
  pending.value = undefined
}

onStepUpRequired(requestStepUp)
