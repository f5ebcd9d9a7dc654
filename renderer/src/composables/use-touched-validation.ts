/**
 * A form's reason it cannot run, said quietly until the user acts: before any field of the form has been changed
 * or left, the reason is shown muted (a form that opens with an empty output folder is not an error the user
 * made); afterwards it is shown as a problem. Either way the Run button stays disabled and names the reason to
 * screen readers (aria-describedby), so nothing is hidden, only not shouted.
 *
 * In a template: `<form v-on="touchEvents">`, `<button :aria-describedby="describedBy">` and
 * `<span v-if="problem" v-bind="problemAttrs">{{ problem }}</span>`.
 */
import { computed, ref, type Ref } from 'vue';

/** What the reason's element gets: its id (for the button's aria-describedby), its colour, and the state for tests. */
// A type, not an interface: it is handed to mergeProps and h(), which take a record of attributes.
export type ProblemAttrs = {
  id: string;
  class: 'problem' | 'muted';
  'data-touched': 'true' | 'false';
};

/**
 * `problem`: the form's first reason it cannot run, or null when it can. `id`: the reason element's id, unique in
 * the page (the views stay mounted side by side in a KeepAlive).
 */
export function useTouchedValidation(problem: Readonly<Ref<string | null>>, id: string) {
  /** Whether the user has changed or left a field of the form. */
  const touched = ref(false);
  function touch(): void {
    touched.value = true;
  }
  // Both bubble from every field to the form (focusout, unlike blur, bubbles); `change` covers a select or a
  // checkbox changed with the mouse, which never takes the focus away.
  const touchEvents = { change: touch, focusout: touch } as const;

  const problemAttrs = computed<ProblemAttrs>(() => ({
    id,
    class: touched.value ? 'problem' : 'muted',
    'data-touched': touched.value ? 'true' : 'false',
  }));
  const describedBy = computed(() => (problem.value === null ? undefined : id));

  return { touched, touch, touchEvents, problemAttrs, describedBy };
}
