/**
 * The colour theme: the user's choice (system, light or dark, kept in localStorage) and the theme in effect,
 * applied as `data-theme` on the document element. Charts draw with the --chart-* CSS variables read at draw
 * time; they watch `name` (the theme in effect) and redraw when it changes.
 */
import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';

export type ThemeChoice = 'system' | 'light' | 'dark';
export type ThemeName = 'light' | 'dark';

export const THEME_STORAGE_KEY = 'deepcorrect.theme';
export const THEME_CHOICES: readonly ThemeChoice[] = ['system', 'light', 'dark'];

function storedChoice(): ThemeChoice {
  try {
    const v = globalThis.localStorage?.getItem(THEME_STORAGE_KEY);
    return v === 'light' || v === 'dark' || v === 'system' ? v : 'system';
  } catch {
    return 'system';
  }
}

function darkQuery(): MediaQueryList | undefined {
  return typeof globalThis.matchMedia === 'function'
    ? globalThis.matchMedia('(prefers-color-scheme: dark)')
    : undefined;
}

export const useTheme = defineStore('theme', () => {
  const choice = ref<ThemeChoice>(storedChoice());
  const query = darkQuery();
  const systemDark = ref(query?.matches ?? false);
  query?.addEventListener('change', (e) => {
    systemDark.value = e.matches;
  });

  /** The theme in effect: watch this to redraw canvases and charts. */
  const name = computed<ThemeName>(() =>
    choice.value === 'system' ? (systemDark.value ? 'dark' : 'light') : choice.value,
  );

  function apply(): void {
    if (typeof document === 'undefined') return;
    const root = document.documentElement;
    root.dataset.theme = name.value;
    root.dataset.themeChoice = choice.value;
    root.style.colorScheme = name.value;
  }

  function set(next: ThemeChoice): void {
    choice.value = next;
    try {
      globalThis.localStorage?.setItem(THEME_STORAGE_KEY, next);
    } catch {
      // Storage refused (private mode): the choice lasts for this page only.
    }
  }

  /** system, light, dark, system, … */
  function cycle(): void {
    const i = THEME_CHOICES.indexOf(choice.value);
    set(THEME_CHOICES[(i + 1) % THEME_CHOICES.length] ?? 'system');
  }

  watch(name, apply, { flush: 'sync' });
  watch(choice, apply, { flush: 'sync' });
  apply();

  return { choice, name, set, cycle, apply };
});
