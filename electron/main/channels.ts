/**
 * The IPC channel names between main and preload, kept in one place (the preload bundles this file; it
 * holds constants only, so the sandboxed preload can include it).
 */
export const CHANNELS = {
  /** Bridge messages, both ways: RequestMessage from the page, ServerMessage to it. */
  bridge: 'deepcorrect:bridge',
  /** invoke(kind) -> chosen path or undefined: the native pickers. */
  pick: 'deepcorrect:pick',
  /** Main -> page: a menu command the page acts on (e.g. File > Open Dataset…). */
  menu: 'deepcorrect:menu',
} as const;

export type Channel = (typeof CHANNELS)[keyof typeof CHANNELS];

/** The DOM event the preload dispatches on window for a menu command; its detail is the command. */
export const MENU_EVENT = 'deepcorrect:menu';

/** The menu commands the main process may announce to the page. */
export const MENU_COMMANDS = ['open-dataset'] as const;
export type MenuCommand = (typeof MENU_COMMANDS)[number];

export function isMenuCommand(value: unknown): value is MenuCommand {
  return typeof value === 'string' && (MENU_COMMANDS as readonly string[]).includes(value);
}
