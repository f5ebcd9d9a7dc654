import { describe, expect, it } from 'vitest';
import { computed, createSSRApp, defineComponent, h, mergeProps, ref } from 'vue';
import { renderToString } from 'vue/server-renderer';
import { useTouchedValidation } from '../../renderer/src/composables/use-touched-validation.ts';

describe('useTouchedValidation', () => {
  it('says the reason quietly until a field is changed or left, then as a problem', () => {
    const outDir = ref('');
    const problem = computed(() => (outDir.value === '' ? 'Choose an output folder.' : null));
    const v = useTouchedValidation(problem, 'x-problem');

    expect(v.touched.value).toBe(false);
    expect(v.problemAttrs.value).toEqual({ id: 'x-problem', class: 'muted', 'data-touched': 'false' });
    // The disabled Run button names the reason even while it is quiet.
    expect(v.describedBy.value).toBe('x-problem');

    v.touchEvents.focusout();
    expect(v.problemAttrs.value).toEqual({ id: 'x-problem', class: 'problem', 'data-touched': 'true' });

    outDir.value = '/tmp/out';
    expect(v.describedBy.value).toBeUndefined();
    // Once touched, a reason that comes back is said at once.
    outDir.value = '';
    expect(v.problemAttrs.value.class).toBe('problem');
  });

  it('is touched by a change too (a select or checkbox changed with the mouse keeps no focus to leave)', () => {
    const v = useTouchedValidation(ref<string | null>('Choose at least one model.'), 'y');
    v.touchEvents.change();
    expect(v.touched.value).toBe(true);
  });

  it('listens to events that bubble from the fields to the form (focusout, not blur)', () => {
    const v = useTouchedValidation(ref<string | null>(null), 'z');
    expect(Object.keys(v.touchEvents).sort()).toEqual(['change', 'focusout']);
  });

  it('renders no red reason on first render, and keeps the element’s own classes', async () => {
    const Form = defineComponent({
      setup() {
        const problem = ref<string | null>('Open a model first.');
        const { touchEvents, problemAttrs, describedBy } = useTouchedValidation(problem, 'f-problem');
        return () =>
          h('form', touchEvents, [
            h('button', { type: 'submit', disabled: true, 'aria-describedby': describedBy.value }, 'Run'),
            // What a template's `<span class="small" v-bind="problemAttrs">` compiles to.
            h('span', mergeProps({ class: 'small' }, problemAttrs.value), problem.value ?? ''),
          ]);
      },
    });
    const html = await renderToString(createSSRApp(Form));
    expect(html).toContain('aria-describedby="f-problem"');
    expect(html).toMatch(
      /<span class="small muted" id="f-problem" data-touched="false">Open a model first\.<\/span>/,
    );
    expect(html).not.toMatch(/class="[^"]*\bproblem\b/);
  });
});
