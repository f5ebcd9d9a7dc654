/**
 * Commands from the desktop app's menu (File > Open Dataset…). The preload dispatches them on window as a
 * DOM event whose detail is the command name, so the page's bridge API stays exactly a BridgeTransport.
 * The names mirror electron/main/channels.ts (MENU_EVENT, MENU_COMMANDS), which the renderer may not import.
 */

export const MENU_EVENT = 'deepcorrect:menu';

export type MenuCommand = 'open-dataset';

/** The menu command an event carries, if it is one this page knows. */
export function menuCommandOf(event: Event): MenuCommand | undefined {
  // Duck-typed rather than `instanceof CustomEvent`: the event is created in the preload's isolated world.
  const detail = 'detail' in event ? event.detail : undefined;
  return detail === 'open-dataset' ? detail : undefined;
}
