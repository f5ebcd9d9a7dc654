/** The views' ids in navigation order (views.ts holds the components; this list imports none of them). */
export const VIEW_IDS: readonly string[] = [
  'workspace',
  'datasets',
  'models',
  'evaluation',
  'ranking',
  'correction',
  'results',
  'inspector',
];
