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

export { MENU_EVENT, MENU_COMMANDS, isMenuCommand, type MenuCommand } from '../../shared/bridge/menu.ts';
