/**
 * Commands from the desktop app's menu (File > Open Dataset…). The preload dispatches them on window as a DOM
 * event whose detail is the command name, so the page's bridge API stays exactly a BridgeTransport.
 */

/** The DOM event the preload dispatches on window for a menu command; its detail is the command. */
export const MENU_EVENT = 'deepcorrect:menu';

/** The menu commands the main process may announce to the page. */
export const MENU_COMMANDS = ['open-dataset'] as const;
export type MenuCommand = (typeof MENU_COMMANDS)[number];

export function isMenuCommand(value: unknown): value is MenuCommand {
  return typeof value === 'string' && (MENU_COMMANDS as readonly string[]).includes(value);
}
