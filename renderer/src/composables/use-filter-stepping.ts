/**
 * Stepping through a layer's filters in ranking order (index order without a ranking), with the buttons and
 * with the arrow, Home and End keys anywhere in the view while it is shown. The key listener is on the window
 * only while the view is active (the views live in a KeepAlive) and is removed when it unmounts.
 */
import { computed, onActivated, onBeforeUnmount, onDeactivated, onMounted, ref, watch, type Ref } from 'vue';
import { filterOrder, stepPosition } from '../lib/filter-order.ts';
import { isTypingTarget } from '../lib/shortcuts.ts';

export function useFilterStepping(count: Ref<number>, ranking: Ref<readonly number[] | undefined>) {
  const ordering = computed(() => filterOrder(count.value, ranking.value));
  const position = ref(0);
  const filter = computed<number | null>(() => ordering.value.order[position.value] ?? null);

  // Keep showing the same filter when the order changes (a ranking arrives, the layer changes size).
  watch(
    () => ordering.value.order,
    (order, old) => {
      const was = old?.[position.value];
      const at = was === undefined ? -1 : order.indexOf(was);
      position.value = at >= 0 ? at : 0;
    },
  );

  function go(next: number): void {
    const n = ordering.value.order.length;
    if (n > 0) position.value = Math.min(n - 1, Math.max(0, next));
  }

  function onKey(event: KeyboardEvent): void {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    if (isTypingTarget(event.target)) return;
    // Arrow keys in a tab list move between its tabs.
    const el = event.target as Element | null;
    if (el !== null && typeof el.closest === 'function' && el.closest('[role="tablist"]') !== null) return;
    const next = stepPosition(event.key, position.value, ordering.value.order.length);
    if (next === undefined) return;
    event.preventDefault();
    go(next);
  }

  let listening = false;
  function listen(on: boolean): void {
    if (on === listening) return;
    listening = on;
    if (on) window.addEventListener('keydown', onKey);
    else window.removeEventListener('keydown', onKey);
  }
  onMounted(() => listen(true));
  onActivated(() => listen(true));
  onDeactivated(() => listen(false));
  onBeforeUnmount(() => listen(false));

  return { ordering, position, filter, go };
}
