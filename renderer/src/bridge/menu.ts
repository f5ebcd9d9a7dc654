import { isMenuCommand, type MenuCommand } from '../../../shared/bridge/menu.ts';

export { MENU_EVENT, type MenuCommand } from '../../../shared/bridge/menu.ts';

/** The menu command an event carries, if it is one this page knows. */
export function menuCommandOf(event: Event): MenuCommand | undefined {
  // Duck-typed rather than `instanceof CustomEvent`: the event is created in the preload's isolated world.
  const detail = 'detail' in event ? event.detail : undefined;
  return isMenuCommand(detail) ? detail : undefined;
}
