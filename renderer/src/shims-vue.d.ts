// For tools that type-check .ts files without the Vue language plugin (ESLint's TypeScript service):
// vue-tsc resolves real .vue files and ignores this fallback.
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent;
  export default component;
}
